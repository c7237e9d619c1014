/**
 * The node-side applier: the esbuild bundle run with plain `node` (no node_modules) in a temp
 * product home, end to end, and the bundle itself (deterministic, self-contained, no local paths).
 */
import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { BUNDLE_CACHE_FILE, applierBundle, applierBundleFile, buildApplierBundle, cachedApplierBundle } from '../applier/bundle';
import { changeSetPayload } from '../config-templates';
import type { NodeChangeSet } from '../config-templates/types';
import { secretPlaceholder } from '../topology';
import { findSecretFiles } from './helpers/files';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';

const FIXTURES = path.join(__dirname, 'fixtures');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-bundle-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The bundle lives outside the repository, so it cannot resolve anything from node_modules.
const BUNDLE = path.join(tmp, 'bin', 'applier.js');
fs.mkdirSync(path.dirname(BUNDLE));
fs.writeFileSync(BUNDLE, applierBundle());

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BUNDLE, ...args], { cwd: tmp, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const PASSWORD = `s3cr&t<"'>\\$%\u00e9`;

const cs: NodeChangeSet = {
  nodeId: 'analytics-1',
  product: 'analytics',
  changes: [
    {
      kind: 'yaml',
      path: 'conf/worker/deployment.yaml',
      ops: [
        { op: 'set', path: ['cluster.config', 'enabled'], value: true },
        {
          op: 'upsertItem',
          path: ['wso2.datasources', 'dataSources'],
          key: 'name',
          value: { name: 'IS_ANALYTICS_DB', definition: { type: 'RDBMS', configuration: { username: 'wso2', password: secretPlaceholder('db_password') } } },
        },
      ],
    },
    {
      kind: 'file',
      path: 'conf/worker/datasources.xml',
      content: `<?xml version="1.0" encoding="UTF-8"?>\n<ds><password>${secretPlaceholder('db_password')}</password></ds>\n`,
      mode: '0644',
    },
  ],
};

describe('the bundle', () => {
  it('is one deterministic file without paths of this machine', () => {
    const b = applierBundle();
    expect(b).not.toContain('/work/');
    expect(b).not.toContain(path.resolve(__dirname, '..'));
    expect(b).not.toContain(os.homedir());
    expect(b).not.toMatch(/require\(["'](yaml|xmlbuilder2|esbuild|@pulumi\/[^"']*)["']\)/);
    expect(b.startsWith('#!/usr/bin/env node\n')).toBe(true);
    // A fresh build (not the in-process cache) gives the same bytes.
    const again = buildApplierBundle();
    expect(again).toBe(b);
    expect(applierBundle()).toBe(b);
  });

  it('as a file (the EC2 objects ship it as a file asset): named by its content, its bytes, written once', () => {
    const file = applierBundleFile();
    const digest = crypto.createHash('sha256').update(applierBundle()).digest('hex');
    expect(path.relative(path.resolve(__dirname, '..'), file)).toBe(`dist/applier/applier-${digest.slice(0, 16)}.js`);
    expect(fs.readFileSync(file, 'utf8')).toBe(applierBundle());
    const { mtimeMs } = fs.statSync(file);
    expect(applierBundleFile()).toBe(file);
    expect(fs.statSync(file).mtimeMs).toBe(mtimeMs);
  });

  it('comes from a cache that is rebuilt only when an input changed, to the same bytes', () => {
    const cacheFile = path.join(tmp, 'cache', 'applier.json');
    const first = cachedApplierBundle(cacheFile);
    expect(first.built).toBe(true);
    expect(first.bundle).toBe(buildApplierBundle());
    const hit = cachedApplierBundle(cacheFile);
    expect(hit).toEqual({ bundle: first.bundle, built: false });
    const entry = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as { inputs: Record<string, string>; stats: Record<string, string> };
    // Every source esbuild read is an input (applier, the shared types and the bundled libraries).
    expect(Object.keys(entry.inputs)).toEqual(expect.arrayContaining(['applier/cli.ts', 'applier/apply.ts', 'config-templates/types.ts']));
    expect(Object.keys(entry.inputs).some((k) => /(^|\/)node_modules\/yaml\//.test(k))).toBe(true);
    // An input whose content no longer matches (its stat differs too) forces a rebuild.
    entry.inputs['applier/apply.ts'] = '0'.repeat(64);
    entry.stats['applier/apply.ts'] = '0:0';
    fs.writeFileSync(cacheFile, JSON.stringify(entry));
    expect(cachedApplierBundle(cacheFile)).toEqual({ bundle: first.bundle, built: true });
    // A corrupt cache is a miss, not an error.
    fs.writeFileSync(cacheFile, '{');
    expect(cachedApplierBundle(cacheFile).built).toBe(true);
    // The program's cache lives in the git-ignored dist/.
    expect(path.relative(path.resolve(__dirname, '..'), BUNDLE_CACHE_FILE)).toBe('dist/applier-cache.json');
  });

  it('is small enough for a ConfigMap', () => {
    expect(Buffer.byteLength(applierBundle())).toBeLessThan(512 * 1024);
  });
});

describe('node applier.js, end to end in a temp product home', () => {
  const home = path.join(tmp, 'wso2is-analytics-5.8.0');
  fs.cpSync(path.join(FIXTURES, 'analytics'), home, { recursive: true });
  const changes = path.join(tmp, 'changes.json');
  fs.writeFileSync(changes, changeSetPayload(cs));
  const secrets = path.join(tmp, 'secrets.json');
  fs.writeFileSync(secrets, JSON.stringify({ db_password: PASSWORD, admin_password: 'a', db_master_password: 'm', ...STORE_PASSWORDS, ...VAULT_CERTIFICATES }));

  it('apply: exit 0, files listed, change applied; twice is byte-identical', () => {
    const r = run(['apply', '--home', home, '--changes', changes]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('changed conf/worker/deployment.yaml (yaml, 2 ops)');
    expect(r.stdout).toContain('changed conf/worker/datasources.xml (file, 1 op)');
    const once = fs.readFileSync(path.join(home, 'conf/worker/deployment.yaml'), 'utf8');
    expect(once).toContain('enabled: true');
    expect(once).toContain('# Cluster Configuration');
    const r2 = run(['apply', '--home', home, '--changes', changes]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toContain('unchanged conf/worker/deployment.yaml');
    expect(fs.readFileSync(path.join(home, 'conf/worker/deployment.yaml'), 'utf8')).toBe(once);
  });

  it('apply --secrets-file: applied and filled in one pass, names but never values printed; a re-run writes nothing', () => {
    const one = path.join(tmp, 'one-pass-home');
    fs.cpSync(path.join(FIXTURES, 'analytics'), one, { recursive: true });
    const r = run(['apply', '--home', one, '--changes', changes, '--secrets-file', secrets]);
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toBe(
      'changed conf/worker/deployment.yaml (yaml, 2 ops, secrets db_password)\n' +
        'changed conf/worker/datasources.xml (file, 1 op, secrets db_password)\n' +
        'applied 2 file(s) for analytics-1\n',
    );
    expect(r.stdout + r.stderr).not.toContain('s3cr');
    const xml = path.join(one, 'conf/worker/datasources.xml');
    expect(spawnSync('xmllint', ['--xpath', 'string(/ds/password)', xml], { encoding: 'utf8' }).stdout.replace(/\n$/, '')).toBe(PASSWORD);
    expect(fs.statSync(xml).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(path.join(one, 'conf/worker/deployment.yaml'), 'utf8')).not.toContain('@@SECRET');
    // No placeholder left anywhere, and a re-run replaces no file (same inode, same mtime).
    expect(findSecretFiles(one)).toEqual([]);
    const ids = () => ['conf/worker/deployment.yaml', 'conf/worker/datasources.xml'].map((f) => {
      const st = fs.statSync(path.join(one, f), { bigint: true });
      return `${f} ${st.ino} ${st.mtimeNs}`;
    });
    const before = ids();
    const again = run(['apply', '--home', one, '--changes', changes, '--secrets-file', secrets]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('unchanged conf/worker/deployment.yaml (yaml, 2 ops, secrets db_password)');
    expect(again.stdout).toContain('unchanged conf/worker/datasources.xml (file, 1 op, secrets db_password)');
    expect(ids()).toEqual(before);
  });

  it('apply --secrets-file refuses a bad secrets file before changing anything, without quoting it', () => {
    const fresh = path.join(tmp, 'bad-secrets-home');
    fs.cpSync(path.join(FIXTURES, 'analytics'), fresh, { recursive: true });
    const stock = fs.readFileSync(path.join(fresh, 'conf/worker/deployment.yaml'));
    const notJson = path.join(tmp, 'not-json.json');
    fs.writeFileSync(notJson, `{"db_password": "s3cr-unterminated`);
    const notString = path.join(tmp, 'not-string.json');
    fs.writeFileSync(notString, JSON.stringify({ db_password: 's3cr', admin_password: 1 }));
    const missing = path.join(tmp, 'missing-value.json');
    fs.writeFileSync(missing, JSON.stringify({ admin_password: 's3cr' }));
    for (const [file, re] of [
      [notJson, /^applier: secrets file .*not-json\.json is not valid JSON\n$/],
      [notString, /^applier: secrets file .*not-string\.json: "admin_password" is not a string\n$/],
      [missing, /^applier: conf\/worker\/deployment\.yaml: no value given for secret "db_password"\n$/],
    ] as [string, RegExp][]) {
      const r = run(['apply', '--home', fresh, '--changes', changes, '--secrets-file', file]);
      expect([r.code, r.stdout]).toEqual([1, '']);
      expect(r.stderr).toMatch(re);
      expect(r.stderr).not.toContain('s3cr');
    }
    expect(fs.readFileSync(path.join(fresh, 'conf/worker/deployment.yaml')).equals(stock)).toBe(true);
    expect(fs.existsSync(path.join(fresh, 'conf/worker/datasources.xml'))).toBe(false);
  });

  it('failures: exit 1 with one line on stderr', () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, changeSetPayload({ ...cs, changes: [{ kind: 'yaml', path: 'conf/worker/deployment.yaml', ops: [{ op: 'set', path: ['nope', 'x'], value: 1 }] }] }));
    for (const [args, re] of [
      [['apply', '--home', home, '--changes', bad], /^applier: conf\/worker\/deployment\.yaml: set \["nope","x"\]: missing \["nope"\]\n$/],
      [['apply', '--home', home], /^applier: --changes is required/],
      [['frobnicate'], /^applier: unknown command "frobnicate"/],
      [['apply', '--home', home, '--changes', bad, '--secrets-file', path.join(tmp, 'missing.json')], /^applier: cannot read secrets file .*missing\.json: ENOENT\n$/],
      [['fill-secrets', '--home', home], /^applier: unknown command "fill-secrets"/],
    ] as [string[], RegExp][]) {
      const r = run(args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(re);
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    }
  });

  it('refuses a payload of another schema', () => {
    const other = path.join(tmp, 'other.json');
    fs.writeFileSync(other, JSON.stringify({ $schema: 'something/else', changes: [] }));
    const r = run(['apply', '--home', home, '--changes', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has $schema "something/else"');
  });
});
