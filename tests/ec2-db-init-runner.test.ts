/**
 * The EC2 db-init runner (components/ec2/db-init-runner*.ts): its user-data against the cloud-init
 * schema, its script through shellcheck, and the script run FOR REAL with bash in a sandbox (fake
 * aws/dnf/mysql on PATH, the real unzip, python3 and sha256sum): it takes only dbscripts/ from the
 * pack, runs the db-init script it was made for with the master and application passwords from its
 * secret, records the script version as the master user and lets both application accounts read the
 * record, leaves no secret behind, and refuses a db-init script that is not the one it was made for.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';
import { parse } from 'yaml';
import { DB_INIT_RUNNER_SCRIPT, DB_INIT_UNIT, DbInitRunnerParams, renderRunnerScript, renderRunnerUnit, renderRunnerUserData } from '../components/ec2/db-init-runner-script';
import { makeSandbox, putS3, sandboxEnv, zipDir, Sandbox } from './fixtures/ec2/sandbox';
import { cloudInitSchema } from './fixtures/ec2/harness';

const SECRET = { db_master_password: `Master&<>"'$\`\\:#pw2`, db_password: `App&<>"'$\`\\:#pw1` };
/** Fake db-init: what it was given (env, homes' files) goes to $OUT; fails when FAIL_DB_INIT is set. */
const FAKE_DB_INIT = `#!/bin/bash
set -eu
[ -z "\${FAIL_DB_INIT:-}" ] || exit 7
mkdir -p "$OUT"
printf '%s' "$DB_MASTER_USER" >"$OUT/user"
printf '%s' "$DB_MASTER_PASSWORD" >"$OUT/master"
printf '%s' "$DB_APP_PASSWORD" >"$OUT/app"
printf '%s:%s' "$DB_HOST" "$DB_PORT" >"$OUT/endpoint"
cp "$DB_SSL_CA" "$OUT/ca"
(cd "$WSO2_IS_HOME" && find . -type f | sort) >"$OUT/is-files"
if [ -n "\${WSO2_ANALYTICS_HOME:-}" ]; then (cd "$WSO2_ANALYTICS_HOME" && find . -type f | sort) >"$OUT/analytics-files"; fi
`;
/** Fake client: its option file, arguments and stdin go to $OUT. */
const FAKE_MYSQL = `#!/bin/bash
printf 'mysql %s\\n' "$*" >>"$FAKE_LOG"
for a in "$@"; do case "$a" in --defaults-extra-file=*) cp "\${a#*=}" "$OUT/record-options" ;; esac; done
printf '%s\\n' "$@" >"$OUT/record-args"
cat >"$OUT/record-sql"
`;

let tmp: string;
let sb: Sandbox;
const sha = crypto.createHash('sha256').update(FAKE_DB_INIT).digest('hex');
/** A stand-in CA bundle in the bucket, and its digest. */
const FAKE_CA = '-----BEGIN CERTIFICATE-----\nTUlJ\n-----END CERTIFICATE-----\n';
const caSha = crypto.createHash('sha256').update(FAKE_CA).digest('hex');

function params(over: Partial<DbInitRunnerParams> = {}): DbInitRunnerParams {
  return {
    region: 'eu-west-1',
    bucket: 'cfg',
    dbInitKey: 'shared/db-init.sh',
    dbInitSha256: sha,
    rdsCaKey: 'shared/rds-ca.pem',
    rdsCaSha256: caSha,
    dbSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-master-abc123',
    secretVersion: '0123abcd-0000-0000-0000-000000000000',
    dbHost: 'db.internal',
    dbPort: 3306,
    dbMasterUser: 'dbadmin',
    isPackUrl: 's3://packs/is.zip',
    analyticsPackUrl: 's3://packs/analytics.zip',
    isHomeOnImage: '/opt/wso2/is',
    appUsers: ['wso2', 'wso2_analytics'],
    ...over,
  };
}

function pack(name: string, top: string, files: Record<string, string>): void {
  const dir = path.join(tmp, `pack-${name}`);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, top, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, top, rel), content);
  }
  zipDir(dir, top, path.join(tmp, `${name}.zip`));
  putS3(sb, 'packs', `${name}.zip`, fs.readFileSync(path.join(tmp, `${name}.zip`)));
}

/** Runs the rendered script (no pause between attempts) in a fresh root; what it did goes to `out`. */
function runRunner(name: string, p: DbInitRunnerParams, env: Record<string, string> = {}) {
  const root = path.join(tmp, name);
  const out = path.join(tmp, `${name}-out`);
  fs.mkdirSync(root, { recursive: true });
  fs.mkdirSync(out, { recursive: true });
  const file = path.join(tmp, `${name}.sh`);
  fs.writeFileSync(file, renderRunnerScript(p).replace(/^RETRY_SECONDS='60'$/m, "RETRY_SECONDS='0'"), { mode: 0o755 });
  const r = spawnSync('bash', [file], { encoding: 'utf8', env: { ...sandboxEnv(sb, root), OUT: out, ...env } });
  const read = (f: string) => fs.readFileSync(path.join(out, f), 'utf8');
  return { root, out, read, status: r.status, stderr: r.stderr };
}

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ec2-db-init-runner-'));
  sb = makeSandbox(path.join(tmp, 'sb'), SECRET);
  fs.writeFileSync(path.join(sb.bin, 'mysql'), FAKE_MYSQL, { mode: 0o755 });
  putS3(sb, 'cfg', 'shared/db-init.sh', FAKE_DB_INIT);
  putS3(sb, 'cfg', 'shared/rds-ca.pem', FAKE_CA);
  pack('is', 'wso2is-5.8.0', { 'dbscripts/mysql.sql': 'CREATE TABLE A (x INT);\n', 'dbscripts/identity/mysql.sql': 'CREATE TABLE B (x INT);\n', 'bin/wso2server.sh': 'echo\n', 'repository/conf/carbon.xml': '<x/>\n' });
  pack('analytics', 'wso2is-analytics-5.8.0', { 'dbscripts/mysql.sql': 'CREATE TABLE C (x INT);\n', 'bin/worker.sh': 'echo\n' });
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

test('the user-data is valid cloud-config: the script (0700) and the unit, enabled and started; ids only', () => {
  const ud = renderRunnerUserData(params());
  expect(cloudInitSchema(ud)[0]).toBe(0);
  const doc = parse(ud) as { write_files: { path: string; permissions: string; content: string }[]; runcmd: string[][] };
  expect(doc.write_files.map((f) => [f.path, f.permissions])).toEqual([
    [DB_INIT_RUNNER_SCRIPT, '0700'],
    [`/etc/systemd/system/${DB_INIT_UNIT}`, '0644'],
  ]);
  expect(doc.runcmd).toEqual([['systemctl', 'daemon-reload'], ['systemctl', 'enable', DB_INIT_UNIT], ['systemctl', '--no-block', 'start', DB_INIT_UNIT]]);
  for (const v of Object.values(SECRET)) expect(ud.includes(v)).toBe(false);
  // Powers off when done, success or failure; no restart loop keeping the privileged machine up.
  expect(renderRunnerUnit()).toMatch(/^SuccessAction=poweroff$/m);
  expect(renderRunnerUnit()).toMatch(/^FailureAction=poweroff$/m);
  expect(renderRunnerUnit()).not.toMatch(/^Restart=/m);
});

test('the rendered script passes shellcheck', () => {
  execFileSync('shellcheck', ['-s', 'bash', '-'], { input: renderRunnerScript(params()), encoding: 'utf8' });
});

test('runs db-init with the passwords of its secret on the pack\'s dbscripts only, records the version and lets both accounts read it; nothing left behind', () => {
  const r = runRunner('sp', params());
  expect(r.stderr).toContain('db-init done');
  expect(r.status).toBe(0);
  expect([r.read('user'), r.read('master'), r.read('app'), r.read('endpoint')]).toEqual(['dbadmin', SECRET.db_master_password, SECRET.db_password, 'db.internal:3306']);
  expect(r.read('is-files').trim().split('\n')).toEqual(['./dbscripts/identity/mysql.sql', './dbscripts/mysql.sql']);
  expect(fs.existsSync(path.join(r.out, 'analytics-files'))).toBe(false);
  const escaped = SECRET.db_master_password.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
  expect(r.read('record-options')).toBe(`[client]\nuser="dbadmin"\npassword="${escaped}"\n`);
  // db-init and the record verify the server with the bundle from the bucket.
  expect(r.read('ca')).toBe(FAKE_CA);
  const recordArgs = r.read('record-args').trim().split('\n').slice(1);
  expect(recordArgs.slice(0, 2)).toEqual(['--ssl', expect.stringMatching(/^--ssl-ca=.*\/rds-ca\.pem$/)]);
  expect(recordArgs.slice(2)).toEqual(['--ssl-verify-server-cert', '--connect-timeout=10', '-h', 'db.internal', '-P', '3306']);
  expect(r.read('record-sql')).toBe(
    [
      'CREATE TABLE IF NOT EXISTS WSO2_PATTERN2_META.ec2_db_init_done (script_sha256 CHAR(64) PRIMARY KEY, done_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP);',
      `INSERT IGNORE INTO WSO2_PATTERN2_META.ec2_db_init_done (script_sha256) VALUES ('${sha}');`,
      "GRANT SELECT ON WSO2_PATTERN2_META.ec2_db_init_done TO 'wso2'@'%';",
      "GRANT SELECT ON WSO2_PATTERN2_META.ec2_db_init_done TO 'wso2_analytics'@'%';",
      '',
    ].join('\n'),
  );
  // The work directory (secret, option file, packs) is gone.
  expect(fs.existsSync(path.join(r.root, 'var/lib/wso2-pattern2-db-init'))).toBe(false);
  expect(fs.readFileSync(sb.log, 'utf8')).toContain('--secret-id arn:aws:secretsmanager:eu-west-1:123456789012:secret:db-master-abc123');
});

test('DAS: the analytics pack\'s dbscripts too; a pre-baked image\'s homes are used without a pack', () => {
  const das = runRunner('das', params({ analyticsHomeOnImage: '/opt/wso2/analytics' }));
  expect(das.status).toBe(0);
  expect(das.read('analytics-files').trim()).toBe('./dbscripts/mysql.sql');
  const baked = path.join(tmp, 'baked');
  fs.mkdirSync(path.join(baked, 'opt/wso2/is/dbscripts'), { recursive: true });
  fs.writeFileSync(path.join(baked, 'opt/wso2/is/dbscripts/mysql.sql'), 'on the image\n');
  const fetchesBefore = fs.readFileSync(sb.log, 'utf8').split('\n').filter((l) => l.includes('s3://packs/')).length;
  const r = runRunner('baked', params({ isPackUrl: undefined }));
  expect(r.status).toBe(0);
  expect(r.read('is-files').trim()).toBe('./dbscripts/mysql.sql');
  expect(fs.readFileSync(sb.log, 'utf8').split('\n').filter((l) => l.includes('s3://packs/')).length).toBe(fetchesBefore);
});

test('a db-init script other than the one it was made for is never run; a failing db-init is retried, then the runner fails without a record', () => {
  const other = runRunner('other', params({ dbInitSha256: 'c'.repeat(64) }));
  expect(other.status).not.toBe(0);
  expect(other.stderr).toContain('not the one this runner was made for');
  expect(other.stderr).toContain('db-init failed 3 times');
  expect(fs.existsSync(path.join(other.out, 'master'))).toBe(false);
  const failing = runRunner('failing', params(), { FAIL_DB_INIT: '1' });
  expect(failing.status).not.toBe(0);
  expect(failing.stderr.match(/attempt \d failed/g)).toEqual(['attempt 1 failed', 'attempt 2 failed']);
  expect(fs.existsSync(path.join(failing.out, 'record-sql'))).toBe(false);
  expect(fs.existsSync(path.join(failing.root, 'var/lib/wso2-pattern2-db-init'))).toBe(false);
});

test('a CA bundle in the bucket that is not the one the runner was made for stops it before any secret is read', () => {
  const r = runRunner('bad-ca', params({ rdsCaSha256: 'c'.repeat(64) }));
  expect(r.status).not.toBe(0);
  expect(r.stderr).toContain('the RDS CA bundle in the bucket is not the one this runner was made for');
  expect(fs.existsSync(path.join(r.out, 'master'))).toBe(false);
});
