/**
 * The systemd units an EC2 node runs: the config oneshot the user-data installs and the product
 * units the boot script writes. Checked as data (parsed unit files), since the boot ordering they
 * take part in (cloud-init's units, multi-user.target) only exists on a real node.
 */
import { renderConfigUnit, CONFIG_RETRY_SECONDS, CONFIG_ATTEMPTS_PER_HOUR } from '../components/ec2/user-data';
import { renderBootScript, unitName } from '../components/ec2/boot-script';
import { SHARED_MOUNT, WSO2_UID, processesFor, sharedDirectoriesFor } from '../topology';

/** `[Section]` -> key -> values (a key may repeat; space-separated lists are split). */
function parseUnit(text: string): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  let section = '';
  for (const line of text.split('\n')) {
    const sec = /^\[(\w+)\]$/.exec(line);
    if (sec) {
      section = sec[1];
      out[section] = out[section] ?? {};
      continue;
    }
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv) (out[section][kv[1]] = out[section][kv[1]] ?? []).push(...kv[2].split(/\s+/).filter(Boolean));
  }
  return out;
}

/** Units that newer cloud-init orders after multi-user.target: ordering after them is a cycle. */
const AFTER_MULTI_USER = ['cloud-final.service', 'cloud-init.target', 'multi-user.target'];

describe('config unit (user-data)', () => {
  const unit = parseUnit(renderConfigUnit());

  test('a oneshot retried on failure, a bounded number of times', () => {
    expect(unit.Service.Type).toEqual(['oneshot']);
    // the only automatic restart systemd accepts for a oneshot (>= 245; AL2023 runs 252)
    expect(unit.Service.Restart).toEqual(['on-failure']);
    expect(unit.Service.RestartSec).toEqual([String(CONFIG_RETRY_SECONDS)]);
    expect(CONFIG_RETRY_SECONDS).toBeGreaterThanOrEqual(10);
    expect(unit.Unit.StartLimitBurst).toEqual([String(CONFIG_ATTEMPTS_PER_HOUR)]);
    expect(Number(unit.Unit.StartLimitIntervalSec[0])).toBeGreaterThanOrEqual(CONFIG_RETRY_SECONDS * CONFIG_ATTEMPTS_PER_HOUR);
  });

  test('ordered after the network only, never after a unit that follows multi-user.target', () => {
    expect(unit.Unit.After).toContain('network-online.target');
    expect(unit.Unit.Wants).toContain('network-online.target');
    for (const u of AFTER_MULTI_USER) expect(unit.Unit.After).not.toContain(u);
    expect(unit.Install.WantedBy).toEqual(['multi-user.target']);
  });
});

describe('product units (boot script)', () => {
  for (const [role, flavor] of [
    ['is', 'sp'],
    ['analytics', 'sp'],
    ['analytics', 'das'],
  ] as const) {
    test(`${role} (${flavor}): after the config unit, no cycle through cloud-init`, () => {
      const script = renderBootScript({
        nodeId: role === 'is' ? 'is-1' : 'analytics-1',
        role,
        flavor,
        productHome: `/opt/wso2/${role}`,
        packUrl: 's3://packs/p.zip',
        javaPackage: 'java-1.8.0-amazon-corretto-devel',
        jdbcDriverUrl: 'https://repo.example/mysql-connector-java-5.1.49.jar',
        jdbcDriverDir: 'lib',
        region: 'eu-west-1',
        bucket: 'b',
        keys: { changeSet: 'c', applier: 'a', dbInit: 'd' },
        secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:s-AbCdEf',
        keysSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:k-AbCdEf',
        keyMaterialDigest: 'c'.repeat(64),
        efs: { fileSystemId: 'fs-1', accessPointId: 'fsap-1' },
        sharedMount: SHARED_MOUNT,
        sharedDirectories: sharedDirectoriesFor(flavor).filter((d) => d.role === role),
        processes: processesFor(role, flavor),
        uid: WSO2_UID,
        dbMasterUser: 'dbadmin',
      });
      for (const proc of processesFor(role, flavor)) {
        const m = new RegExp(`/${unitName(role, proc).replace('.', '\\.')}" 0644 <<UNIT[^\\n]*\\n([\\s\\S]*?)\\nUNIT\\n`).exec(script);
        expect(m).not.toBeNull();
        const unit = parseUnit(m![1]);
        expect(unit.Unit.After).toContain('wso2-pattern2-config.service');
        // expanded by the script's heredoc to the mount (the sandbox boot test reads the result)
        expect(unit.Unit.RequiresMountsFor).toEqual(['$SHARED']);
        for (const u of AFTER_MULTI_USER) expect(unit.Unit.After).not.toContain(u);
        expect(unit.Service.Type).toEqual(['simple']);
        expect(unit.Service.User).toEqual(['wso2']);
        expect(unit.Service.Restart).toEqual(['on-failure']);
      }
    });
  }
});
