/**
 * The first-start order of the EC2 nodes as data: what node 2 of each role waits for (node 1's
 * address in the model, its first process's health port and path), that node 1 never waits, where
 * the step sits in the boot script, and that the security groups let node 2 reach that port. The
 * wait itself runs for real in tests/boot.test.ts against a stand-in health endpoint.
 */
import { FIRST_START_INTERVAL_SECONDS, FIRST_START_TIMEOUT_SECONDS, BootScriptParams, firstStartWait, renderBootScript } from '../components/ec2/boot-script';
import { CONFIG_UNIT } from '../components/ec2/user-data';
import { securityRules } from '../components/ec2/security-rules';
import { CARBON_HEALTH_PATH, DEFAULT_PORTS, NodeId, Role, SHARED_MOUNT, WSO2_UID, processesFor, sharedDirectoriesFor } from '../topology';
import { ADDRESSES, isTestTopology } from './fixtures/is/model';

const ports = { ...DEFAULT_PORTS, isHttps: 9453, isHttp: 9773, workerHttps: 9191, dasHttps: 9543 };

describe('firstStartWait', () => {
  test.each(['sp', 'das'] as const)('node 1 of each role never waits (%s)', (flavor) => {
    const t = isTestTopology({ analyticsFlavor: flavor });
    expect(firstStartWait(t, 'is-1', flavor)).toBeUndefined();
    expect(firstStartWait(t, 'analytics-1', flavor)).toBeUndefined();
  });

  test('is-2 waits for is-1: Carbon health path on the model HTTPS port, only 200 counts', () => {
    const t = isTestTopology({ ports });
    expect(firstStartWait(t, 'is-2', 'sp')).toEqual({
      peer: 'is-1',
      url: `https://${ADDRESSES['is-1']}:9453${CARBON_HEALTH_PATH}`,
      anyStatus: false,
      timeoutSeconds: FIRST_START_TIMEOUT_SECONDS,
      intervalSeconds: FIRST_START_INTERVAL_SECONDS,
    });
  });

  test('analytics-2 waits for analytics-1: SP worker HTTPS port (any answer), DAS Carbon health path', () => {
    expect(firstStartWait(isTestTopology({ ports }), 'analytics-2', 'sp')).toMatchObject({
      peer: 'analytics-1',
      url: `https://${ADDRESSES['analytics-1']}:9191/`,
      anyStatus: true,
    });
    expect(firstStartWait(isTestTopology({ ports, analyticsFlavor: 'das' }), 'analytics-2', 'das')).toMatchObject({
      peer: 'analytics-1',
      url: `https://${ADDRESSES['analytics-1']}:9543${CARBON_HEALTH_PATH}`,
      anyStatus: false,
    });
  });

  test('bounded well inside the config unit that runs the boot script (TimeoutStartSec=3600)', () => {
    expect(CONFIG_UNIT).toBe('wso2-pattern2-config.service');
    expect(FIRST_START_TIMEOUT_SECONDS).toBeLessThanOrEqual(1800);
    expect(FIRST_START_INTERVAL_SECONDS).toBeGreaterThanOrEqual(1);
  });
});

describe('the boot script', () => {
  const params = (id: NodeId, role: Role): BootScriptParams => ({
    nodeId: id,
    role,
    flavor: 'sp',
    productHome: `/opt/wso2/${role}`,
    packUrl: 's3://packs/p.zip',
    javaPackage: 'java-1.8.0-amazon-corretto-devel',
    jdbcDriverUrl: 'https://repo.example/mysql-connector-java-5.1.49.jar',
    jdbcDriverDir: 'lib',
    region: 'eu-west-1',
    bucket: 'b',
    keys: { changeSet: 'c', applier: 'a', dbInit: 'd' },
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
    keysSecretArn: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-${id}-AbCdEf`,
    keyMaterialDigest: '0'.repeat(64),
    efs: { fileSystemId: 'fs-1', accessPointId: 'fsap-1' },
    sharedMount: SHARED_MOUNT,
    sharedDirectories: sharedDirectoriesFor('sp').filter((d) => d.role === role),
    processes: processesFor(role, 'sp'),
    uid: WSO2_UID,
    dbMasterUser: 'dbadmin',
    firstStart: firstStartWait(isTestTopology(), id, 'sp'),
  });

  test('node 1 has no wait step; node 2 waits after configuration and db-init, right before the services', () => {
    for (const id of ['is-1', 'analytics-1'] as const) {
      const s = renderBootScript(params(id, id === 'is-1' ? 'is' : 'analytics'));
      expect(s).not.toContain('PEER_HEALTH_URL');
      expect(s).not.toContain('First start');
    }
    const s = renderBootScript(params('is-2', 'is'));
    expect(s).toContain(`PEER_HEALTH_URL='https://${ADDRESSES['is-1']}:9443${CARBON_HEALTH_PATH}'`);
    expect(s).toContain("PEER_NODE_ID='is-1'");
    expect(s).toContain(`FIRST_START_TIMEOUT='${FIRST_START_TIMEOUT_SECONDS}'`);
    const at = (needle: string) => {
      const i = s.indexOf(needle);
      expect([needle, i >= 0]).toEqual([needle, true]);
      return i;
    };
    const order = ["Configuration: this node's change set applied", 'bash "$STATE/db-init.sh"', 'First start: on a fresh stack, wait for is-1', 'Services: one systemd unit', 'svc --no-block restart'].map(at);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  test('bad timing is refused', () => {
    const p = params('is-2', 'is');
    expect(() => renderBootScript({ ...p, firstStart: { ...p.firstStart!, intervalSeconds: 0 } })).toThrow(/whole seconds/);
    expect(() => renderBootScript({ ...p, firstStart: { ...p.firstStart!, timeoutSeconds: 1.5 } })).toThrow(/whole seconds/);
  });
});

describe('security groups: node 2 reaches node 1 on the health port it waits on', () => {
  test.each(['sp', 'das'] as const)('%s', (flavor) => {
    const t = isTestTopology({ ports, analyticsFlavor: flavor });
    const rules = securityRules(t, { ingressCidrs: ['0.0.0.0/0'], adminCidrs: [], internetEgressPorts: [443] });
    for (const role of ['is', 'analytics'] as const) {
      const port = t.ports[processesFor(role, flavor)[0].healthPort];
      const has = (direction: 'ingress' | 'egress') =>
        rules.some((r) => r.group === role && r.direction === direction && r.port === port && 'group' in r.peer && r.peer.group === role);
      expect([role, port, has('ingress'), has('egress')]).toEqual([role, port, true, true]);
    }
    // Nothing else opened within a role beyond the model's own flows and this one.
    const isToIs = rules.filter((r) => r.group === 'is' && r.direction === 'ingress' && 'group' in r.peer && r.peer.group === 'is').map((r) => r.port);
    expect(isToIs.sort()).toEqual([t.ports.hazelcast, t.ports.isHttps].sort());
  });
});
