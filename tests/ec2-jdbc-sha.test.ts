/**
 * The dev EC2 stack with a pinned `jdbcDriver.sha256`: the checksum reaches every node's boot
 * script (which verifies it, tests/boot.test.ts), as the script's one JDBC_DRIVER_SHA256 value.
 */
import { runEc2Stack, Ec2Run, ofType, T } from './fixtures/ec2/harness';
import { objectKeys } from '../components/ec2/object-keys';
import { NODE_IDS } from '../topology';

const URL = 'https://repo1.maven.org/maven2/mysql/mysql-connector-java/5.1.49/mysql-connector-java-5.1.49.jar';
const SHA = 'AB'.repeat(32);

let run: Ec2Run;
beforeAll(async () => {
  run = await runEc2Stack('Pulumi.dev.yaml', { override: { 'wso2-is-pattern2:jdbcDriver': JSON.stringify({ url: URL, sha256: SHA }) } });
});

test('every node\'s boot script carries the configured checksum (lower-cased) next to the URL', () => {
  for (const id of NODE_IDS) {
    const obj = ofType(run, T.object).find((o) => o.inputs.key === objectKeys(id as never).boot);
    const script = String(obj?.inputs.content ?? '');
    expect([id, script.match(/^JDBC_DRIVER_SHA256=.*$/gm)]).toEqual([id, [`JDBC_DRIVER_SHA256='${SHA.toLowerCase()}'`]]);
    expect(script).toContain(`JDBC_DRIVER_URL='${URL}'`);
  }
});
