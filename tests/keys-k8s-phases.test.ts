/**
 * The Kubernetes split of the keystores step, run for real: the applier prepares the keytool steps
 * (`keystores --prepare`, in-process: the Node image), the product image's script runs them with
 * the real keytool (shell/k8s-keystores.sh via sh, no Node on the way), the applier checks and
 * installs them (`--install`) and empties the work directory. The stores open with the material's
 * passwords and hold exactly the expected aliases; a second --install with nothing prepared
 * changes nothing. shellcheck passes on the new fragments.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../applier/cli';
import { keystoresScript, keysScript } from '../components/kubernetes/scripts';
import { fixtureKeyMaterial } from './fixtures/ec2/sandbox';
import { keytoolBatch } from './helpers/keytool-batch';

const REPO = path.resolve(__dirname, '..');
let tmp: string;
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-phases-'));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** The aliases keytool -list shows in each [store, password], sorted; all stores opened in one JVM (tests/helpers/keytool-batch.ts). */
function aliases(stores: [string, string][]): string[][] {
  const env = Object.fromEntries(stores.map(([, pw], i) => [`PW_${i}`, pw]));
  return keytoolBatch(stores.map(([store], i) => ['-list', '-keystore', store, '-storetype', 'JKS', '-storepass:env', `PW_${i}`]), env, tmp).map((r) => {
    if (r.code !== 0) throw new Error(`keytool -list: ${r.out}`);
    return r.out.split('\n').filter((l) => /Entry,?\s*$/.test(l) || /,\s*(PrivateKeyEntry|trustedCertEntry),/.test(l)).map((l) => l.split(',')[0]).sort();
  });
}

test('prepare (Node) -> keytool steps (product image script) -> install (Node) builds the stores; nothing secret is left in the work directory', () => {
  const home = path.join(tmp, 'stage');
  const work = path.join(tmp, 'work');
  fs.mkdirSync(home);
  fs.mkdirSync(work);
  const material = path.join(tmp, 'keys-is-1.json');
  fs.writeFileSync(material, fixtureKeyMaterial('is-1'), { mode: 0o600 });
  const log: string[] = [];
  expect(main(['keystores', '--home', home, '--material', material, '--prepare', work], (l) => log.push(l))).toBe(0);
  expect(fs.readdirSync(work)).toContain('steps');
  // No password on a step line: they are in 0600 files the lines name.
  const doc = JSON.parse(fs.readFileSync(material, 'utf8'));
  const steps = fs.readFileSync(path.join(work, 'steps'), 'utf8');
  for (const k of doc.keystores) expect(steps).not.toContain(k.storePassword);
  for (const f of fs.readdirSync(work)) expect(fs.statSync(path.join(work, f)).mode & 0o077).toBe(0);

  const r = spawnSync('sh', ['-c', keystoresScript(), 'keystores', work], { encoding: 'utf8', timeout: 120_000 });
  expect(r.status).toBe(0);
  // The three key entries (the applier writes the truststore itself; keytool's chatter goes to stderr, never a password).
  expect(r.stdout).toMatch(/keystores: 3 keytool steps run/);
  for (const k of doc.keystores) expect(r.stderr).not.toContain(k.storePassword);

  expect(main(['keystores', '--home', home, '--material', material, '--install', work], (l) => log.push(l))).toBe(0);
  expect(fs.readdirSync(work)).toEqual([]);
  const sec = path.join(home, 'repository/resources/security');
  expect(
    aliases([
      [path.join(sec, 'primary.jks'), doc.keystores[0].storePassword],
      [path.join(sec, 'internal.jks'), doc.keystores[1].storePassword],
      [path.join(sec, 'tls.jks'), doc.keystores[2].storePassword],
      [path.join(sec, 'client-truststore.jks'), doc.truststore.storePassword],
    ]),
  ).toEqual([['primary'], ['internal'], ['tls'], ['deployment-ca']]);

  // Unchanged material: prepare finds nothing to do, install nothing to install.
  log.length = 0;
  expect(main(['keystores', '--home', home, '--material', material, '--prepare', work], (l) => log.push(l))).toBe(0);
  expect(fs.readdirSync(work)).toEqual([]);
  expect(log).toContain('keystores unchanged');
  const nothing = spawnSync('sh', ['-c', keystoresScript(), 'keystores', work], { encoding: 'utf8' });
  expect(nothing.stdout).toMatch(/nothing to build/);
  expect(main(['keystores', '--home', home, '--material', material, '--install', work], () => undefined)).toBe(0);
}, 180_000);

test('the generated Kubernetes keys scripts and the fixed fragments are shellcheck-clean', () => {
  for (const script of [keysScript('is', 'prepare'), keysScript('analytics', 'install'), keystoresScript()]) {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-'], { input: script, encoding: 'utf8' });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  }
  for (const f of ['k8s-keys.sh', 'k8s-keystores.sh', 'ec2-boot-keystores.sh']) {
    const r = spawnSync('shellcheck', [path.join(REPO, 'shell', f)], { encoding: 'utf8' });
    expect(r.stdout).toBe('');
  }
});
