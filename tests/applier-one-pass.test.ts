/**
 * `applyChangeSet(home, cs, { secrets })`: the change set applied and its placeholders filled in
 * one in-memory pass. Checked against the two-step result (apply, then fillSecrets on what the
 * scan finds) on the real rendered change sets of every node kind, byte for byte and mode for
 * mode; a re-apply of an unchanged set to a filled home writes nothing (inodes and mtimes kept,
 * no write call at all); no byte written to any file ever holds a placeholder; all-or-nothing,
 * dry run, explode and ownership as root.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { applyChangeSet } from '../applier/apply';
import { findSecretFiles } from './helpers/files';
import { zipTreeTo } from './helpers/zip';
import { fillBuffer, fillSecrets, fillText } from '../applier/secrets';
import { renderNodeChangeSet } from '../config-templates';
import type { FileChange, NodeChangeSet } from '../config-templates/types';
import { secretPlaceholder } from '../topology';
import { IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { STORE_PASSWORDS, VAULT_CERTIFICATES } from './helpers/store-passwords';

const FIXTURES = path.join(__dirname, 'fixtures');
const NASTY = `p&<>"'$\\%]]>x\u00e9\u4e2d \t#: -- end`;
const SECRETS = {
  db_password: NASTY,
  admin_password: `adm!n "q" & <t>`,
  db_master_password: 'never-on-a-node',
  ...STORE_PASSWORDS,
  ...VAULT_CERTIFICATES,
  // The analytics vault encrypts with the node's TLS certificate (apply --material adds it on the nodes).
  tls_certificate: fs.readFileSync(path.join(FIXTURES, 'keys', 'leaf.cert.pem'), 'utf8'),
  // The DAS Secure Vault encrypts with the node's internal certificate (apply --material, likewise).
  node_internal_certificate: VAULT_CERTIFICATES.internal_certificate,
};
const DB = secretPlaceholder('db_password');
const ADMIN = secretPlaceholder('admin_password');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-one-pass-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let seq = 0;

function copyHome(from: string): string {
  const home = path.join(tmp, `home-${seq++}`);
  fs.cpSync(from, home, { recursive: true, filter: (src) => !src.endsWith('.ts') });
  return home;
}

/** Every file under `home`: bytes (base64) and mode. */
function contents(home: string): Record<string, string> {
  const out: Record<string, string> = {};
  walk(home, (rel, p) => (out[rel] = `${(fs.statSync(p).mode & 0o7777).toString(8)} ${fs.readFileSync(p).toString('base64')}`));
  return out;
}
/** Every file under `home`: inode, mtime (ns), ctime (ns), owner. A write or rename changes one of them. */
function identities(home: string): Record<string, string> {
  const out: Record<string, string> = {};
  walk(home, (rel, p) => {
    const st = fs.statSync(p, { bigint: true });
    out[rel] = `${st.ino} ${st.mtimeNs} ${st.ctimeNs} ${st.uid}:${st.gid}`;
  });
  return out;
}
function walk(home: string, f: (rel: string, abs: string) => void, rel = ''): void {
  for (const e of fs.readdirSync(path.join(home, rel), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(home, f, r);
    else f(r, path.join(home, r));
  }
}

/**
 * Records every byte the code under test writes to a file and every rename, through the `fs`
 * module the applier calls (writeFileAtomic: openSync + writeSync + renameSync; explode:
 * writeDurably). Restored after `run`.
 */
function recordWrites<T>(run: () => T): { result: T; written: Buffer[]; renames: number } {
  const written: Buffer[] = [];
  let renames = 0;
  const orig = { writeSync: nodeFs.writeSync, writeFileSync: nodeFs.writeFileSync, renameSync: nodeFs.renameSync };
  const record = (data: unknown) => written.push(Buffer.isBuffer(data) ? Buffer.from(data) : Buffer.from(String(data)));
  const spies = [
    jest.spyOn(nodeFs, 'writeSync').mockImplementation(((fd: number, data: unknown, ...rest: unknown[]) => {
      record(data);
      return (orig.writeSync as (...a: unknown[]) => number)(fd, data, ...rest);
    }) as typeof fs.writeSync),
    jest.spyOn(nodeFs, 'writeFileSync').mockImplementation(((file: fs.PathOrFileDescriptor, data: unknown, ...rest: unknown[]) => {
      record(data);
      return (orig.writeFileSync as (...a: unknown[]) => void)(file, data, ...rest);
    }) as typeof fs.writeFileSync),
    jest.spyOn(nodeFs, 'renameSync').mockImplementation((a: fs.PathLike, b: fs.PathLike) => {
      renames++;
      return orig.renameSync(a, b);
    }),
  ];
  try {
    return { result: run(), written, renames };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}
/** The `fs` module object itself (the `import * as` namespace has fixed getters spyOn cannot replace). */
// eslint-disable-next-line @typescript-eslint/no-var-requires
const nodeFs: typeof fs = require('fs');
const holdsPlaceholder = (bufs: Buffer[]) => bufs.filter((b) => b.toString('latin1').includes('@@SECRET:')).length;

/** The two-step result the boot scripts used to produce: apply, then fill what the scan finds. */
function twoStep(home: string, cs: NodeChangeSet | FileChange[], values = SECRETS): void {
  applyChangeSet(home, cs);
  fillSecrets(home, findSecretFiles(home), values);
}

const t = isTestTopology();
const tDas = isTestTopology({ analyticsFlavor: 'das' });
/** Every kind of node, with the stock-shaped home its change set applies to. */
const NODES: [string, () => NodeChangeSet, string][] = [
  ['is-1', () => renderNodeChangeSet(t, 'is-1'), IS_FIXTURE_HOME],
  ['is-2', () => renderNodeChangeSet(t, 'is-2'), IS_FIXTURE_HOME],
  ['analytics-1 (SP worker + dashboard YAML)', () => renderNodeChangeSet(t, 'analytics-1'), path.join(FIXTURES, 'analytics')],
  ['analytics-2 (DAS)', () => renderNodeChangeSet(tDas, 'analytics-2'), path.join(FIXTURES, 'das')],
];

describe('fillText is the one filler', () => {
  test('fillSecrets and fillBuffer give the bytes fillText gives (UTF-8 and ISO-8859-1 XML, YAML)', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<a p="${DB}"><b>${ADMIN}</b></a>\n`;
    const latin = `<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>caf\u00e9 <b>${DB}</b></a>\n`;
    const yaml = `a:\n  password: "${DB}" # kept\n`;
    const home = path.join(tmp, `ft-${seq++}`);
    fs.mkdirSync(home);
    fs.writeFileSync(path.join(home, 'a.xml'), xml);
    fs.writeFileSync(path.join(home, 'l.xml'), Buffer.from(latin, 'latin1'));
    fs.writeFileSync(path.join(home, 'c.yaml'), yaml);
    fillSecrets(home, ['a.xml', 'l.xml', 'c.yaml'], SECRETS);
    expect(fs.readFileSync(path.join(home, 'a.xml'), 'utf8')).toBe(fillText('a.xml', xml, SECRETS).text);
    expect(fs.readFileSync(path.join(home, 'c.yaml'), 'utf8')).toBe(fillText('c.yaml', yaml, SECRETS).text);
    const l = fillBuffer('l.xml', Buffer.from(latin, 'latin1'), SECRETS);
    expect(fs.readFileSync(path.join(home, 'l.xml')).equals(l.data)).toBe(true);
    expect(l.data.toString('latin1')).toContain('&#x4E2D;'); // what Latin-1 cannot hold, as a reference
    expect(fillText('a.xml', xml, SECRETS).secrets).toEqual(['admin_password', 'db_password']);
    // Without placeholders: the same text and no names, whatever the type.
    expect(fillText('x.properties', 'a=b\n', SECRETS)).toEqual({ text: 'a=b\n', secrets: [] });
  });
});

describe.each(NODES)('%s: one pass equals apply + fill-secrets', (_name, render, stock) => {
  const cs = render();
  // The one-pass and the two-step results, made once for the node: the first test compares them,
  // the others start from copies where they need a home filled one way or the other.
  let one: string;
  let two: string;
  let report: ReturnType<typeof applyChangeSet>;
  beforeAll(() => {
    one = copyHome(stock);
    two = copyHome(stock);
    report = applyChangeSet(one, cs, { secrets: SECRETS });
    twoStep(two, cs);
  });

  test('same bytes and modes as the two-step result, nothing left to fill, filled files 0600', () => {
    expect(contents(one)).toEqual(contents(two));
    expect(findSecretFiles(one)).toEqual([]);
    const filled = report.files.filter((f) => f.secrets);
    expect(filled.length).toBeGreaterThan(0);
    for (const f of filled) expect([f.path, fs.statSync(path.join(one, f.path)).mode & 0o777]).toEqual([f.path, 0o600]);
    // The report names secrets, never values.
    expect(JSON.stringify(report)).not.toContain(NASTY.slice(0, 5));
  });

  test('re-applied unchanged to a filled home (also one filled by the two steps): no write, no rename, inodes and mtimes kept', () => {
    for (const fill of ['one pass', 'two steps']) {
      const home = copyHome(fill === 'one pass' ? one : two);
      const before = { ids: identities(home), bytes: contents(home) };
      const r = recordWrites(() => applyChangeSet(home, cs, { secrets: SECRETS }));
      expect([fill, r.written.length, r.renames]).toEqual([fill, 0, 0]);
      expect(r.result.files.filter((f) => f.changed)).toEqual([]);
      expect({ ids: identities(home), bytes: contents(home) }).toEqual(before);
    }
  });

  test('a placeholder is never written: first apply, and a re-apply after the secrets rotated', () => {
    const home = copyHome(stock);
    const first = recordWrites(() => applyChangeSet(home, cs, { secrets: SECRETS }));
    expect(first.written.length).toBeGreaterThan(0);
    expect(holdsPlaceholder(first.written)).toBe(0);
    const before = identities(home);
    const rotated = {
      ...SECRETS,
      db_password: `${NASTY}-2`,
      admin_password: 'admin-2',
      ...Object.fromEntries(Object.entries(STORE_PASSWORDS).map(([k, v]) => [k, `${v}-2`])),
    };
    const again = recordWrites(() => applyChangeSet(home, cs, { secrets: rotated }));
    expect(holdsPlaceholder(again.written)).toBe(0);
    // Exactly the files holding a secret were replaced, each once; the rest kept their inode.
    const changed = again.result.files.filter((f) => f.changed).map((f) => f.path);
    expect(changed).toEqual(again.result.files.filter((f) => f.secrets).map((f) => f.path));
    expect(again.renames).toBe(changed.length);
    const after = identities(home);
    expect(Object.keys(after).filter((k) => after[k] !== before[k]).sort()).toEqual([...changed].sort());
    // The recorder sees the two-step's placeholders: the same check fails for the old way.
    const old = copyHome(two);
    expect(holdsPlaceholder(recordWrites(() => twoStep(old, cs)).written)).toBeGreaterThan(0);
  });
});

describe('hand-made change sets: every kind of filled file', () => {
  const xmlDecl = '<?xml version="1.0" encoding="UTF-8"?>\n';
  const changes: FileChange[] = [
    { kind: 'file', path: 'conf/init.sql', content: `CREATE USER 'u'@'%' IDENTIFIED BY '${DB}';\n`, mode: '0644' },
    { kind: 'file', path: 'conf/plain.xml', content: `${xmlDecl}<a>no secret</a>\n`, mode: '0640' },
    { kind: 'json', path: 'conf/site.json', ops: [{ op: 'set', path: ['db', 'password'], value: DB }] },
    { kind: 'xml', path: 'conf/latin.xml', ops: [{ op: 'setText', path: '/a/b', value: DB }] },
    { kind: 'yaml', path: 'conf/app.yaml', ops: [{ op: 'set', path: ['db', 'password'], value: ADMIN }] },
  ];
  function stock(): string {
    const home = path.join(tmp, `hand-${seq++}`);
    const w = (rel: string, data: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(home, rel)), { recursive: true });
      fs.writeFileSync(path.join(home, rel), data, { mode: 0o644 });
    };
    w('conf/site.json', '{\n  "db": { "password": "" }\n}\n');
    w('conf/latin.xml', Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?>\n<a>caf\u00e9 <b/></a>\n', 'latin1'));
    w('conf/app.yaml', '# kept\ndb:\n  password: x # kept too\n');
    return home;
  }

  test('SQL, JSON, ISO-8859-1 XML, YAML: the two-step bytes; a file without secrets keeps its own mode', () => {
    const one = stock();
    const two = stock();
    const report = applyChangeSet(one, changes, { secrets: SECRETS });
    twoStep(two, changes);
    expect(contents(one)).toEqual(contents(two));
    expect(report.files.map((f) => [f.path, f.secrets ?? []])).toEqual([
      ['conf/init.sql', ['db_password']],
      ['conf/plain.xml', []],
      ['conf/site.json', ['db_password']],
      ['conf/latin.xml', ['db_password']],
      ['conf/app.yaml', ['admin_password']],
    ]);
    expect(fs.statSync(path.join(one, 'conf/plain.xml')).mode & 0o777).toBe(0o640);
    expect(fs.statSync(path.join(one, 'conf/init.sql')).mode & 0o777).toBe(0o600); // the change's 0644 gives way to 0600
    expect(execFileSync('xmllint', ['--xpath', 'string(/a/b)', path.join(one, 'conf/latin.xml')], { encoding: 'utf8' }).replace(/\n$/, '')).toBe(NASTY);
    expect(JSON.parse(fs.readFileSync(path.join(one, 'conf/site.json'), 'utf8')).db.password).toBe(NASTY);
    const before = identities(one);
    expect(recordWrites(() => applyChangeSet(one, changes, { secrets: SECRETS })).written).toEqual([]);
    expect(identities(one)).toEqual(before);
  });

  test('a file whose mode was changed on disk is rewritten (filled, 0600), not left', () => {
    const home = stock();
    applyChangeSet(home, changes, { secrets: SECRETS });
    fs.chmodSync(path.join(home, 'conf/site.json'), 0o644);
    const r = recordWrites(() => applyChangeSet(home, changes, { secrets: SECRETS }));
    expect(r.result.files.filter((f) => f.changed).map((f) => f.path)).toEqual(['conf/site.json']);
    expect(holdsPlaceholder(r.written)).toBe(0);
    expect(fs.statSync(path.join(home, 'conf/site.json')).mode & 0o777).toBe(0o600);
  });

  test('all or nothing: a missing value or an unfillable placeholder fails before anything is written, naming file and secret only', () => {
    for (const [bad, values, re] of [
      [changes, { db_password: NASTY }, /conf\/app\.yaml: no value given for secret "admin_password"/],
      [[...changes, { kind: 'file', path: 'conf/x.xml', content: `<a><!-- ${DB} --></a>` }], SECRETS, /conf\/x\.xml: placeholder for secret "db_password" is not inside XML text/],
      [[...changes, { kind: 'file', path: 'conf/x.conf', content: `p=${DB}\n` }], SECRETS, /conf\/x\.conf: cannot fill secrets in this file type/],
      [[...changes, { kind: 'file', path: 'conf/x.properties', content: `# ${DB}\np=1\n` }], SECRETS, /conf\/x\.properties: placeholder for secret "db_password" is not in the value/],
      [[...changes, { kind: 'file', path: 'conf/x.properties', content: `p=${secretPlaceholder('db_password', 'vault')}\n` }], { ...SECRETS, primary_certificate: '' }, /conf\/x\.properties: the vault filter needs "primary_certificate"/],
    ] as [FileChange[], Record<string, string>, RegExp][]) {
      const home = stock();
      const before = { ids: identities(home), bytes: contents(home) };
      let err: Error | undefined;
      try {
        applyChangeSet(home, bad, { secrets: values });
      } catch (e) {
        err = e as Error;
      }
      expect(err?.message).toMatch(re);
      expect(err?.message).not.toContain(NASTY.slice(0, 5));
      expect({ ids: identities(home), bytes: contents(home) }).toEqual(before);
    }
  });

  test('a dry run fills in memory, reports what would change and writes nothing', () => {
    const home = stock();
    const before = { ids: identities(home), bytes: contents(home) };
    const r = recordWrites(() => applyChangeSet(home, changes, { secrets: SECRETS, dryRun: true }));
    expect([r.written.length, r.renames]).toEqual([0, 0]);
    expect(r.result.files.every((f) => f.changed)).toBe(true);
    expect(r.result.files.find((f) => f.path === 'conf/init.sql')?.secrets).toEqual(['db_password']);
    expect({ ids: identities(home), bytes: contents(home) }).toEqual(before);
    // On a filled home, a dry run says nothing would change.
    applyChangeSet(home, changes, { secrets: SECRETS });
    expect(applyChangeSet(home, changes, { secrets: SECRETS, dryRun: true }).files.filter((f) => f.changed)).toEqual([]);
  });

  test('without secrets, apply writes the placeholders as before (plan, or a separate fill-secrets)', () => {
    const home = stock();
    applyChangeSet(home, changes);
    expect(fs.readFileSync(path.join(home, 'conf/init.sql'), 'utf8')).toContain(DB);
    expect(fs.statSync(path.join(home, 'conf/init.sql')).mode & 0o777).toBe(0o644);
  });
});

describe('explode: a filled file inside the unpacked tree', () => {
  const WAR = 'repository/deployment/server/webapps/app.war';
  const INTO = 'repository/deployment/server/webapps/app';
  const changes: FileChange[] = [
    { kind: 'explode', path: WAR, archive: WAR, into: INTO, parkAs: 'repository/deployment/.parked/app.war' },
    { kind: 'xml', path: `${INTO}/WEB-INF/ds.xml`, ops: [{ op: 'setText', path: '/ds/password', value: DB }] },
  ];
  function homeWithWar(): string {
    const home = path.join(tmp, `war-${seq++}`);
    const app = path.join(tmp, `app-${seq++}`);
    fs.mkdirSync(path.join(app, 'WEB-INF'), { recursive: true });
    fs.writeFileSync(path.join(app, 'WEB-INF/ds.xml'), '<?xml version="1.0" encoding="UTF-8"?>\n<ds><password>stock</password></ds>\n');
    fs.writeFileSync(path.join(app, 'index.html'), '<html/>\n');
    // Written in code at a fixed time: the two homes compared below hold byte-identical wars.
    zipTreeTo(app, path.join(home, WAR));
    return home;
  }

  test('unpacked with the edit filled (0600), never a placeholder written; twice writes nothing; the two steps agree', () => {
    const home = homeWithWar();
    const r = recordWrites(() => applyChangeSet(home, changes, { secrets: SECRETS }));
    expect(r.result.files.map((f) => [f.path, f.changed, f.secrets])).toEqual([
      [INTO, true, undefined],
      [`${INTO}/WEB-INF/ds.xml`, true, ['db_password']],
    ]);
    expect(holdsPlaceholder(r.written)).toBe(0);
    const ds = path.join(home, INTO, 'WEB-INF/ds.xml');
    expect(execFileSync('xmllint', ['--xpath', 'string(/ds/password)', ds], { encoding: 'utf8' }).replace(/\n$/, '')).toBe(NASTY);
    expect(fs.statSync(ds).mode & 0o777).toBe(0o600);
    const before = identities(home);
    expect(recordWrites(() => applyChangeSet(home, changes, { secrets: SECRETS })).written).toEqual([]);
    expect(identities(home)).toEqual(before);
    const two = homeWithWar();
    twoStep(two, changes);
    expect(contents(two)).toEqual(contents(home));
  });
});

describe('ownership of rewritten files', () => {
  const root = process.getuid?.() === 0;
  const OTHER = 802;
  const changes: FileChange[] = [
    { kind: 'xml', path: 'shared/pub.xml', ops: [{ op: 'setAttr', path: '/p/property', name: 'value', value: ADMIN }] },
    { kind: 'file', path: 'shared/new.json', content: `{"p": "${DB}"}\n` },
  ];

  test(root ? 'as root: a replaced file keeps its owner, a new one takes its directory\'s' : 'not root: files are the process\'s own', () => {
    const home = path.join(tmp, `own-${seq++}`);
    fs.mkdirSync(path.join(home, 'shared'), { recursive: true });
    fs.writeFileSync(path.join(home, 'shared/pub.xml'), '<p><property value="x"/></p>\n');
    if (root) {
      fs.chownSync(path.join(home, 'shared'), OTHER, OTHER);
      fs.chownSync(path.join(home, 'shared/pub.xml'), OTHER, OTHER);
    }
    const ino = fs.statSync(path.join(home, 'shared/pub.xml')).ino;
    applyChangeSet(home, changes, { secrets: SECRETS });
    const me = process.getuid?.() ?? 0;
    for (const f of ['shared/pub.xml', 'shared/new.json']) {
      const st = fs.statSync(path.join(home, f));
      expect([f, st.uid, st.gid, st.mode & 0o777]).toEqual([f, root ? OTHER : me, root ? OTHER : process.getgid?.(), 0o600]);
    }
    expect(fs.statSync(path.join(home, 'shared/pub.xml')).ino).not.toBe(ino); // replaced, by one rename
    expect(fs.readdirSync(path.join(home, 'shared')).sort()).toEqual(['new.json', 'pub.xml']); // no temp left
  });
});
