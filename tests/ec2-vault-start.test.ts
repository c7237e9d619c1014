/**
 * shell/ec2-vault-start.sh run for real with a fake `aws` on PATH: the product (here a script that
 * dumps its environment) gets the Secure Vault master keys, the TLS store password from the stack
 * secret, and nothing else of the secret; a secret without it fails before the product starts.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { SHELL_DIR } from '../config-templates/shell';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vault-start-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function run(secret: Record<string, string>): { status: number | null; env: Record<string, string>; stderr: string } {
  const bin = path.join(tmp, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  fs.writeFileSync(path.join(tmp, 'secret.json'), JSON.stringify(secret));
  // The fake aws checks the region and secret it is asked for, then prints the secret string.
  fs.writeFileSync(
    path.join(bin, 'aws'),
    `#!/bin/sh\n[ "$*" = "secretsmanager get-secret-value --region eu-west-1 --secret-id arn:s --query SecretString --output text" ] || exit 9\ncat ${JSON.stringify(path.join(tmp, 'secret.json'))}\n`,
    { mode: 0o755 },
  );
  const product = path.join(tmp, 'product.sh');
  fs.writeFileSync(product, `#!/bin/sh\n[ "$1" = arg ] || exit 8\nenv -0 > ${JSON.stringify(path.join(tmp, 'env'))}\n`, { mode: 0o755 });
  fs.rmSync(path.join(tmp, 'env'), { force: true });
  const r = spawnSync('bash', [path.join(SHELL_DIR, 'ec2-vault-start.sh'), product, 'arg'], {
    encoding: 'utf8',
    env: { PATH: `${bin}:${process.env.PATH}`, PATTERN2_REGION: 'eu-west-1', PATTERN2_SECRET_ARN: 'arn:s' },
  });
  const envFile = path.join(tmp, 'env');
  const env = fs.existsSync(envFile)
    ? Object.fromEntries(fs.readFileSync(envFile, 'utf8').split('\0').filter(Boolean).map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]))
    : {};
  return { status: r.status, env, stderr: r.stderr };
}

test('the product gets keyStorePassword and privateKeyPassword = the TLS store password, and no other secret', () => {
  const r = run({ tls_keystore_password: 'Tls0Pw9x', db_password: 'db-SECRET', admin_password: 'adm-SECRET' });
  expect(r.status).toBe(0);
  expect(r.env.keyStorePassword).toBe('Tls0Pw9x');
  expect(r.env.privateKeyPassword).toBe('Tls0Pw9x');
  expect(Object.values(r.env).join('\n')).not.toMatch(/SECRET/);
  expect(r.env.secret).toBeUndefined();
});

test('a secret without the TLS store password: the product is not started', () => {
  const r = run({ db_password: 'x' });
  expect(r.status).not.toBe(0);
  expect(r.env).toEqual({});
});
