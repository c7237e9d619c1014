/**
 * The `explode` change: a .war unpacked by the applier (its own zip reader), the archive parked,
 * edits inside the unpacked tree applied in the same change set. Archives come from the real `zip`
 * tool (stored and deflated entries, checked with `unzip -v`) and, for the malformed ones the tool
 * will not make, from a small writer below. The bundled CLI runs end to end and concurrently.
 */
import { execFileSync, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { applyChangeSet } from '../applier/apply';
import { applierBundle } from '../applier/bundle';
import { materialise, planExplode } from '../applier/explode';
import { readZip } from '../applier/zip';
import { changeSetPayload, renderIsChangeSet } from '../config-templates';
import { SHINDIG_DIR, SHINDIG_WAR, SHINDIG_WEB_XML, renderShindigExplode, shindigSystemProperties } from '../config-templates/is/proxy';
import type { ExplodeArchive, FileChange, XmlEdit } from '../config-templates/types';
import { ADDRESSES, IS_FIXTURE_HOME, isTestTopology } from './fixtures/is/model';
import { RawEntry, makeZip, touchTree, zipTree } from './helpers/zip';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'applier-explode-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const WAR = 'repository/deployment/server/webapps/app.war';
const INTO = 'repository/deployment/server/webapps/app';
const PARK = 'repository/deployment/.parked/app.war';
const EXPLODE: ExplodeArchive = { kind: 'explode', path: WAR, archive: WAR, into: INTO, parkAs: PARK };
const WEB_XML = `${INTO}/WEB-INF/web.xml`;
const EDIT: XmlEdit = {
  kind: 'xml',
  path: WEB_XML,
  ops: [{ op: 'setText', path: "/web-app/context-param[param-name='system.properties']/param-value", value: '\nshindig.host=is.example.test\n' }],
};

/** Deterministic binary bytes (incompressible enough that zip must really deflate or store). */
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
}

/** The web app's source tree: file -> [content, mode]. */
const APP: Record<string, [Buffer, number]> = {
  'WEB-INF/web.xml': [fs.readFileSync(path.join(IS_FIXTURE_HOME, SHINDIG_WEB_XML)), 0o644],
  'WEB-INF/lib/fixture.jar': [bytes(20000, 7), 0o644],
  'js/deep/nested/app.js': [Buffer.from('function f() { return 1; }\n'.repeat(200)), 0o644],
  'bin/run.sh': [Buffer.from('#!/bin/sh\necho run\n'), 0o755],
  'index.html': [Buffer.from('<html><body>fixture</body></html>\n'), 0o644],
};

/** A war built by the real zip tool: `.jar` entries stored, the rest deflated, directories included. */
function buildWar(out: string, app: Record<string, [Buffer, number]> = APP): void {
  const stage = fs.mkdtempSync(path.join(tmp, 'stage-'));
  for (const [rel, [data, mode]] of Object.entries(app)) {
    fs.mkdirSync(path.dirname(path.join(stage, rel)), { recursive: true });
    fs.writeFileSync(path.join(stage, rel), data, { mode });
    fs.chmodSync(path.join(stage, rel), mode);
  }
  fs.mkdirSync(path.join(stage, 'empty'));
  fs.mkdirSync(path.dirname(out), { recursive: true });
  // Fixed times and no extra fields (-X): the same tree always zips to the same bytes.
  touchTree(stage);
  execFileSync('zip', ['-q', '-X', '-r', '-n', '.jar', out, '.'], { cwd: stage });
  fs.rmSync(stage, { recursive: true, force: true });
}

const WAR_FILE = path.join(tmp, 'app.war');
buildWar(WAR_FILE);

/** The real unzip accepts the archive (so the hand-made valid ones are real zips). */
function unzipTest(z: Buffer): string {
  const f = path.join(tmp, `t-${zlib.crc32(z)}.zip`);
  fs.writeFileSync(f, z);
  return execFileSync('unzip', ['-tq', f], { encoding: 'utf8' });
}

/** Every entry under `dir` (symlinks followed): relative path -> bytes, or `dir <mode>`. */
function snapshot(dir: string): Map<string, Buffer | string> {
  const out = new Map<string, Buffer | string>();
  const walk = (rel: string) => {
    for (const e of fs.readdirSync(path.join(dir, rel))) {
      const r = rel ? `${rel}/${e}` : e;
      const st = fs.statSync(path.join(dir, r));
      if (st.isDirectory()) {
        out.set(r, `dir ${(st.mode & 0o777).toString(8)}`);
        walk(r);
      } else out.set(r, fs.readFileSync(path.join(dir, r)));
    }
  };
  walk('');
  return out;
}

let n = 0;
/** A product home with the war in webapps/ (and one unrelated file), alone in its own directory. */
function homeWithWar(war: Buffer | string = WAR_FILE): string {
  const home = path.join(tmp, `box-${++n}`, 'home');
  fs.mkdirSync(path.join(home, path.dirname(WAR)), { recursive: true });
  fs.writeFileSync(path.join(home, WAR), typeof war === 'string' ? fs.readFileSync(war) : war);
  fs.writeFileSync(path.join(home, 'repository/deployment/server/webapps/other.txt'), 'other\n');
  return home;
}
const xmllintOk = (file: string) => spawnSync('xmllint', ['--noout', file], { encoding: 'utf8' });

describe('readZip', () => {
  test('reads an archive of the real zip tool: stored and deflated entries, nested and empty directories, modes', () => {
    const listing = execFileSync('unzip', ['-v', WAR_FILE], { encoding: 'utf8' });
    expect(listing).toMatch(/\bStored\b.*WEB-INF\/lib\/fixture\.jar/);
    expect(listing).toMatch(/\bDefl:\w\b.*js\/deep\/nested\/app\.js/);
    const entries = readZip(fs.readFileSync(WAR_FILE));
    const files = new Map(entries.filter((e) => !e.dir).map((e) => [e.name, e]));
    expect([...files.keys()].sort()).toEqual(Object.keys(APP).sort());
    for (const [rel, [data, mode]] of Object.entries(APP)) {
      expect(files.get(rel)!.data.equals(data)).toBe(true);
      expect(files.get(rel)!.mode.toString(8)).toBe(mode.toString(8));
    }
    expect(entries.filter((e) => e.dir).map((e) => e.name)).toEqual(expect.arrayContaining(['empty', 'js/deep/nested', 'WEB-INF/lib']));
  });

  test('reads hand-made stored and deflated entries (no Unix modes: 0644)', () => {
    const z = makeZip([{ name: 'a/', method: 0 }, { name: 'a/s.txt', data: 'stored', method: 0 }, { name: 'a/d.bin', data: bytes(5000, 3) }]);
    expect(unzipTest(z)).toMatch(/No errors detected/);
    expect(readZip(z).map((e) => [e.name, e.dir, e.mode.toString(8), e.data.toString('base64')])).toEqual([
      ['a', true, '755', ''],
      ['a/s.txt', false, '644', Buffer.from('stored').toString('base64')],
      ['a/d.bin', false, '644', bytes(5000, 3).toString('base64')],
    ]);
  });

  test('reads entries whose sizes follow the data (data descriptors, as jar writes them)', () => {
    const z = makeZip([{ name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n', descriptor: true }, { name: 'x.bin', data: bytes(3000, 9), descriptor: true }]);
    expect(unzipTest(z)).toMatch(/No errors detected/);
    expect(readZip(z).map((e) => [e.name, e.data.toString('base64')])).toEqual([
      ['META-INF/MANIFEST.MF', Buffer.from('Manifest-Version: 1.0\n').toString('base64')],
      ['x.bin', bytes(3000, 9).toString('base64')],
    ]);
  });

  // Rows of one length: jest 29 hangs on a table whose rows differ in length.
  test.each<[string, RawEntry[], RegExp]>([
    ['zip-slip ..', [{ name: '../evil', data: 'x' }], /"\.\.\/evil" leaves the target directory/],
    ['zip-slip inside', [{ name: 'a/../../evil', data: 'x' }], /leaves the target directory/],
    ['absolute', [{ name: '/etc/evil', data: 'x' }], /absolute entry name/],
    ['drive letter', [{ name: 'C:/evil', data: 'x' }], /absolute entry name/],
    ['backslash', [{ name: 'a\\..\\evil', data: 'x' }], /bad entry name/],
    ['encrypted', [{ name: 'a', data: 'x', flags: 1 }], /"a" is encrypted/],
    ['symlink', [{ name: 'link', data: '/etc/passwd', unixMode: 0o120777 }], /"link" is a symbolic link/],
    ['bzip2', [{ name: 'a', data: 'x', method: 12, crc: zlib.crc32(Buffer.from('x')) }], /compression method 12/],
    ['bad CRC', [{ name: 'a', data: 'x', crc: 1 }], /"a": CRC mismatch/],
    ['duplicate', [{ name: 'a', data: 'x' }, { name: 'a', data: 'y' }], /"a" appears twice/],
    ['file and directory', [{ name: 'a', data: 'x' }, { name: 'a/b', data: 'y' }], /"a" is a file and a directory/],
  ])('refuses %s', (_label, entries, re) => {
    expect(() => readZip(makeZip(entries))).toThrow(re);
  });

  test('refuses zip64', () => {
    expect(() => readZip(makeZip([{ name: 'a', data: 'x' }], { zip64Locator: true }))).toThrow(/zip64 archives are not supported/);
  });

  test('the test archives are deterministic: the same tree zips to the same bytes whatever its files\' times', () => {
    const a = path.join(tmp, 'det-a.war');
    const b = path.join(tmp, 'det-b.war');
    buildWar(a);
    buildWar(b);
    expect(fs.readFileSync(a).equals(fs.readFileSync(b))).toBe(true);
    const tree = path.join(tmp, 'det-tree');
    fs.mkdirSync(path.join(tree, 'x'), { recursive: true });
    fs.writeFileSync(path.join(tree, 'x/f.txt'), 'f\n');
    const first = zipTree(tree);
    fs.utimesSync(path.join(tree, 'x/f.txt'), new Date('2001-02-03T04:05:06Z'), new Date('2001-02-03T04:05:06Z'));
    expect(zipTree(tree).equals(first)).toBe(true);
    expect(unzipTest(first)).toMatch(/No errors detected/);
  });

  test('refuses what is not a zip', () => {
    expect(() => readZip(Buffer.from('not a zip at all, just some text that is long enough'))).toThrow(/not a zip archive/);
  });
});

describe('explode through applyChangeSet', () => {
  test('unpacks the exact bytes and modes, parks the archive, then the edit inside applies (xmllint)', () => {
    const home = homeWithWar();
    const report = applyChangeSet(home, [EXPLODE, EDIT]);
    expect(report.files).toEqual([
      { path: INTO, kind: 'explode', ops: 1, changed: true },
      { path: WEB_XML, kind: 'xml', ops: 1, changed: true },
    ]);
    for (const [rel, [data, mode]] of Object.entries(APP)) {
      const f = path.join(home, INTO, rel);
      if (rel !== 'WEB-INF/web.xml') expect(fs.readFileSync(f).equals(data)).toBe(true);
      expect((fs.statSync(f).mode & 0o777).toString(8)).toBe(mode.toString(8));
    }
    expect(fs.statSync(path.join(home, INTO, 'empty')).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(home, INTO)).mode & 0o777).toBe(0o755);
    expect(fs.existsSync(path.join(home, WAR))).toBe(false);
    expect(fs.readFileSync(path.join(home, PARK)).equals(fs.readFileSync(WAR_FILE))).toBe(true);
    // Only the app and our unrelated file in webapps/, only the war where it is parked: no temp left.
    expect(fs.readdirSync(path.join(home, 'repository/deployment/server/webapps')).sort()).toEqual(['app', 'other.txt']);
    expect(fs.readdirSync(path.join(home, 'repository/deployment/.parked'))).toEqual(['app.war']);
    const lint = xmllintOk(path.join(home, WEB_XML));
    expect(lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    const value = execFileSync(
      'xmllint',
      ['--xpath', "string(//*[local-name()='context-param'][*[local-name()='param-name']='system.properties']/*[local-name()='param-value'])", path.join(home, WEB_XML)],
      { encoding: 'utf8' },
    );
    expect(value).toContain('shindig.host=is.example.test');
    // The rest of the stock web.xml is kept.
    expect(fs.readFileSync(path.join(home, WEB_XML), 'utf8')).toContain('<!-- fixture: system properties comment -->');
  });

  test('a second apply is a no-op, byte-identical', () => {
    const home = homeWithWar();
    applyChangeSet(home, [EXPLODE, EDIT]);
    const once = snapshot(home);
    const report = applyChangeSet(home, [EXPLODE, EDIT]);
    expect(report.files.map((f) => f.changed)).toEqual([false, false]);
    expect(snapshot(home)).toEqual(once);
  });

  test('directory already present (e.g. unpacked by Tomcat): no-op, archive untouched, edits apply to that tree', () => {
    const home = homeWithWar();
    fs.mkdirSync(path.join(home, INTO, 'WEB-INF'), { recursive: true });
    fs.writeFileSync(path.join(home, WEB_XML), APP['WEB-INF/web.xml'][0]);
    const past = new Date('2020-01-01T00:00:00Z');
    fs.utimesSync(path.join(home, WAR), past, past);
    const report = applyChangeSet(home, [EXPLODE, EDIT]);
    expect(report.files[0]).toEqual({ path: INTO, kind: 'explode', ops: 1, changed: false });
    expect(fs.readFileSync(path.join(home, WAR)).equals(fs.readFileSync(WAR_FILE))).toBe(true);
    expect(fs.statSync(path.join(home, WAR)).mtime.toISOString()).toBe(past.toISOString());
    expect(fs.existsSync(path.join(home, PARK))).toBe(false);
    expect(fs.readdirSync(path.join(home, INTO)).sort()).toEqual(['WEB-INF']); // nothing extracted
    expect(fs.readFileSync(path.join(home, WEB_XML), 'utf8')).toContain('shindig.host=is.example.test');
  });

  test('neither the archive nor the directory: a loud error naming both, nothing written', () => {
    const home = homeWithWar();
    fs.rmSync(path.join(home, WAR));
    const before = snapshot(home);
    expect(() => applyChangeSet(home, [EXPLODE, EDIT])).toThrow(
      `${WAR}: explode into ${INTO}: neither the archive nor the directory exists (nor a parked copy at ${PARK})`,
    );
    expect(snapshot(home)).toEqual(before);
  });

  test('a zip-slip entry is refused and nothing is written anywhere', () => {
    const home = homeWithWar(makeZip([{ name: 'ok.txt', data: 'fine' }, { name: '../evil', data: 'pwned' }]));
    const box = path.dirname(home);
    const before = snapshot(box);
    expect(() => applyChangeSet(home, [EXPLODE])).toThrow(`${WAR}: entry name "../evil" leaves the target directory or is not normalised; nothing was written`);
    expect(snapshot(box)).toEqual(before);
  });

  test('compute first: a failing later change leaves the archive in place and nothing unpacked', () => {
    const home = homeWithWar();
    const before = snapshot(home);
    const bad: FileChange = { ...EDIT, ops: [{ op: 'setText', path: '/web-app/no-such-element', value: 'x' }] };
    expect(() => applyChangeSet(home, [EXPLODE, bad])).toThrow(`${WEB_XML}: setText /web-app/no-such-element: no element matches`);
    expect(snapshot(home)).toEqual(before);
  });

  test('an edit of a file the archive lacks fails like any missing file', () => {
    const home = homeWithWar();
    expect(() => applyChangeSet(home, [EXPLODE, { ...EDIT, path: `${INTO}/WEB-INF/missing.xml` }])).toThrow(
      `${INTO}/WEB-INF/missing.xml: xml edit: file does not exist`,
    );
  });

  test('a dry run writes nothing and reports what would change', () => {
    const home = homeWithWar();
    const before = snapshot(home);
    const report = applyChangeSet(home, [EXPLODE, EDIT], { dryRun: true });
    expect(report.files.map((f) => [f.kind, f.changed])).toEqual([['explode', true], ['xml', true]]);
    expect(snapshot(home)).toEqual(before);
  });

  test('order is enforced: an explode after a change inside its directory is refused', () => {
    const home = homeWithWar();
    expect(() => applyChangeSet(home, [EDIT, EXPLODE])).toThrow(`${INTO}: explode must come before the change of ${WEB_XML}, a file inside it`);
  });

  test.each<[string, Partial<ExplodeArchive>, string]>([
    ['path differs from archive', { path: 'x.war' }, '"path" must equal "archive"'],
    ['parked beside the archive', { parkAs: 'repository/deployment/server/webapps/app.war.parked' }, "in the archive's own directory"],
    ['parked inside the directory', { parkAs: `${INTO}/app.war` }, 'must be distinct and not inside each other'],
    ['leaves the home', { parkAs: '../app.war' }, 'path escapes the product home'],
  ])('refuses a bad explode: %s', (_l, patch, msg) => {
    expect(() => applyChangeSet(homeWithWar(), [{ ...EXPLODE, ...patch }])).toThrow(msg);
  });

  test('an interrupted run (archive parked, directory not yet in place) resumes from the parked copy', () => {
    const home = homeWithWar();
    fs.mkdirSync(path.dirname(path.join(home, PARK)), { recursive: true });
    fs.renameSync(path.join(home, WAR), path.join(home, PARK));
    const report = applyChangeSet(home, [EXPLODE, EDIT]);
    expect(report.files.map((f) => f.changed)).toEqual([true, true]);
    expect(fs.readFileSync(path.join(home, INTO, 'index.html')).equals(APP['index.html'][0])).toBe(true);
    expect(fs.readFileSync(path.join(home, PARK)).equals(fs.readFileSync(WAR_FILE))).toBe(true);
  });

  test("two planners racing: the first rename wins, the second keeps the winner's tree and still succeeds", () => {
    const home = homeWithWar();
    const a = planExplode(home, EXPLODE);
    const b = planExplode(home, EXPLODE);
    const edited = path.join(home, WEB_XML);
    expect(materialise(a, [{ abs: edited, data: Buffer.from('<web-app>A</web-app>\n') }])).toBe(true);
    // b read the archive before a parked it: its park finds the archive gone, its rename finds `into`.
    expect(materialise(b, [{ abs: edited, data: Buffer.from('<web-app>B</web-app>\n') }])).toBe(false);
    expect(fs.readFileSync(edited, 'utf8')).toBe('<web-app>A</web-app>\n');
    expect(fs.readdirSync(path.join(home, 'repository/deployment/.parked'))).toEqual(['app.war']);
    expect(fs.readdirSync(path.join(home, 'repository/deployment/server/webapps')).sort()).toEqual(['app', 'other.txt']);
  });

  test('losing the race inside applyChangeSet: the winner\'s tree stays, our edit is applied to it, no temp left', () => {
    const home = homeWithWar();
    const into = path.join(home, INTO);
    // The module object itself (the applier reads its functions through it at call time).
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const nodeFs = require('fs') as typeof fs;
    const rename = nodeFs.renameSync;
    // Another node's unpack lands just before ours: `into` appears with the stock web.xml.
    const spy = jest.spyOn(nodeFs, 'renameSync').mockImplementation((from, to) => {
      if (to === into && !fs.existsSync(into)) {
        fs.mkdirSync(path.join(into, 'WEB-INF'), { recursive: true });
        fs.writeFileSync(path.join(into, 'WEB-INF/web.xml'), APP['WEB-INF/web.xml'][0]);
        fs.writeFileSync(path.join(into, 'winner.txt'), 'winner\n');
      }
      return rename(from, to);
    });
    try {
      applyChangeSet(home, [EXPLODE, EDIT]);
    } finally {
      spy.mockRestore();
    }
    expect(fs.readdirSync(into).sort()).toEqual(['WEB-INF', 'winner.txt']);
    expect(fs.readFileSync(path.join(home, WEB_XML), 'utf8')).toContain('shindig.host=is.example.test');
    expect(fs.readdirSync(path.join(home, 'repository/deployment/.parked'))).toEqual(['app.war']);
  });
});

describe('the bundled CLI', () => {
  const BUNDLE = path.join(tmp, 'bin', 'applier.js');
  fs.mkdirSync(path.dirname(BUNDLE), { recursive: true });
  fs.writeFileSync(BUNDLE, applierBundle());
  const t = isTestTopology();
  const stockWebXml = fs.readFileSync(path.join(IS_FIXTURE_HOME, SHINDIG_WEB_XML));

  /** The gadget server war of each app, zipped once (the builds are deterministic) and copied into each home. */
  const wars = new Map<Record<string, [Buffer, number]>, string>();
  /** The IS fixture home as a fresh pack has it: the gadget server as a war, not unpacked. */
  function isHomeWithWar(dir: string, app: Record<string, [Buffer, number]> = APP): string {
    fs.cpSync(IS_FIXTURE_HOME, dir, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    fs.rmSync(path.join(dir, SHINDIG_DIR), { recursive: true });
    let war = wars.get(app);
    if (!war) {
      war = path.join(tmp, `shindig-${wars.size}.war`);
      buildWar(war, { ...app, 'WEB-INF/web.xml': [stockWebXml, 0o644] });
      wars.set(app, war);
    }
    fs.copyFileSync(war, path.join(dir, SHINDIG_WAR));
    return dir;
  }
  function payload(id: 'is-1' | 'is-2'): string {
    const f = path.join(tmp, `changes-${id}.json`);
    fs.writeFileSync(f, changeSetPayload(renderIsChangeSet(t, id)));
    return f;
  }
  const env = { PATH: process.env.PATH ?? '' };
  const runSync = (home: string, changes: string) => spawnSync(process.execPath, [BUNDLE, 'apply', '--home', home, '--changes', changes], { encoding: 'utf8', env });
  function runAsync(home: string, changes: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const p = spawn(process.execPath, [BUNDLE, 'apply', '--home', home, '--changes', changes], { env });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d) => (stdout += d));
      p.stderr.on('data', (d) => (stderr += d));
      p.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  /** The gadget server web.xml the renderers + applier give on a home where it is already unpacked (made once). */
  let webXml: Buffer | undefined;
  function expectedWebXml(): Buffer {
    if (webXml) return webXml;
    const ref = path.join(tmp, `ref-${++n}`);
    fs.cpSync(IS_FIXTURE_HOME, ref, { recursive: true, filter: (src) => !src.endsWith('.ts') });
    applyChangeSet(ref, renderIsChangeSet(t, 'is-1'));
    webXml = fs.readFileSync(path.join(ref, SHINDIG_WEB_XML));
    return webXml;
  }

  test('the IS change set on a home with shindig.war: unpacked, parked, web.xml edited; twice is unchanged', () => {
    expect(renderIsChangeSet(t, 'is-1').changes).toContainEqual(renderShindigExplode());
    const home = isHomeWithWar(path.join(tmp, 'is-cli'));
    const changes = payload('is-1');
    const r = runSync(home, changes);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`changed ${SHINDIG_DIR} (explode, 1 op)\n`);
    expect(r.stdout).toContain(`changed ${SHINDIG_WEB_XML} (xml, 1 op)\n`);
    const webXml = path.join(home, SHINDIG_WEB_XML);
    expect(xmllintOk(webXml).status).toBe(0);
    expect(fs.readFileSync(webXml).equals(expectedWebXml())).toBe(true);
    expect(fs.readFileSync(webXml, 'utf8')).toContain(`shindig.host=${t.hostname}`);
    expect(shindigSystemProperties(t)).toContain(`shindig.host=${t.hostname}`);
    expect(fs.existsSync(path.join(home, SHINDIG_WAR))).toBe(false);
    expect(fs.existsSync(path.join(home, renderShindigExplode().parkAs))).toBe(true);
    expect(fs.readFileSync(path.join(home, SHINDIG_DIR, 'WEB-INF/lib/fixture.jar')).equals(APP['WEB-INF/lib/fixture.jar'][0])).toBe(true);
    const once = snapshot(home);
    const r2 = runSync(home, changes);
    expect(r2.status).toBe(0);
    expect(r2.stdout).toContain(`unchanged ${SHINDIG_DIR} (explode, 1 op)\n`);
    expect(r2.stdout).not.toMatch(/^changed /m);
    expect(snapshot(home)).toEqual(once);
  });

  /** A bigger war, so two concurrent unpacks overlap in time. */
  const BIG_APP: Record<string, [Buffer, number]> = { ...APP };
  for (let i = 0; i < 300; i++) BIG_APP[`gadgets/g${i % 10}/file${i}.js`] = [bytes(3000, i), 0o644];

  test('two processes on one home at once: both succeed, one tree, the archive parked once', async () => {
    const changes = payload('is-1');
    const want = expectedWebXml();
    for (let round = 0; round < 3; round++) {
      const home = isHomeWithWar(path.join(tmp, `race-${round}`), BIG_APP);
      const [a, b] = await Promise.all([runAsync(home, changes), runAsync(home, changes)]);
      expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
      expect(fs.readFileSync(path.join(home, SHINDIG_WEB_XML)).equals(want)).toBe(true);
      expect(fs.readdirSync(path.join(home, path.dirname(SHINDIG_WAR))).filter((f) => f.startsWith('shindig'))).toEqual(['shindig']);
      expect(fs.readdirSync(path.join(home, path.dirname(renderShindigExplode().parkAs)))).toEqual(['shindig.war']);
      expect(fs.readFileSync(path.join(home, SHINDIG_DIR, 'gadgets/g3/file293.js')).equals(bytes(3000, 293))).toBe(true);
    }
  });

  test('is-1 and is-2 at once, each home linking repository/deployment to one shared tree (the EFS layout)', async () => {
    const src = isHomeWithWar(path.join(tmp, 'shared-src'), BIG_APP);
    const deployment = path.join(tmp, 'efs-Deployment');
    fs.renameSync(path.join(src, 'repository/deployment'), deployment);
    const homes = (['is-1', 'is-2'] as const).map((id) => {
      const h = path.join(tmp, `node-${id}`);
      fs.cpSync(src, h, { recursive: true });
      fs.symlinkSync(deployment, path.join(h, 'repository/deployment'));
      return h;
    });
    const [a, b] = await Promise.all([runAsync(homes[0], payload('is-1')), runAsync(homes[1], payload('is-2'))]);
    expect([a.code, a.stderr, b.code, b.stderr]).toEqual([0, '', 0, '']);
    expect(fs.readFileSync(path.join(deployment, 'server/webapps/shindig/WEB-INF/web.xml')).equals(expectedWebXml())).toBe(true);
    expect(fs.existsSync(path.join(deployment, 'server/webapps/shindig.war'))).toBe(false);
    expect(fs.readdirSync(path.join(deployment, '.pattern2-parked'))).toEqual(['shindig.war']);
    // Each node's own (unshared) files carry its own address.
    expect(fs.readFileSync(path.join(homes[0], 'repository/conf/axis2/axis2.xml'), 'utf8')).toContain(ADDRESSES['is-1']);
    expect(fs.readFileSync(path.join(homes[1], 'repository/conf/axis2/axis2.xml'), 'utf8')).toContain(ADDRESSES['is-2']);
  });
});
