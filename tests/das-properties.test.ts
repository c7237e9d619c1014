/**
 * The `properties` change kind (spark-defaults.conf of the DAS flavour): line-level edits that
 * keep every other byte, read back the way Java's Properties.load reads them.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyProperties } from '../applier/properties';
import { applyChangeSet } from '../applier/apply';

const set = (key: string, value: string) => ({ op: 'set' as const, key, value });

/** Properties.load's reading of a file, enough for these tests: last assignment wins, comments skipped. */
function load(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split(/\r\n|\n|\r/);
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].replace(/^[ \t\f]+/, '');
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    while (/(^|[^\\])(\\\\)*\\$/.test(line) && i + 1 < lines.length) line = line.slice(0, -1) + lines[++i].replace(/^[ \t\f]+/, '');
    const m = /^((?:\\.|[^\s=:\\])+)[ \t\f]*[=:]?[ \t\f]*(.*)$/.exec(line);
    if (!m) continue;
    out[m[1]] = m[2].replace(/\\u([0-9a-fA-F]{4})|\\(.)/g, (_, u, c) => (u ? String.fromCharCode(parseInt(u, 16)) : c));
  }
  return out;
}

const SPARK = [
  '# Spark defaults',
  'carbon.spark.master local',
  '#carbon.spark.master.count 1',
  '# carbon.das.symbolic.link /some/where',
  '',
  'spark.executor.memory 1g',
  'spark.driver.extraJavaOptions -Da=1 \\',
  '    carbon.spark.master.count 7',
  '',
].join('\n');

describe('applyProperties', () => {
  const ops = [set('carbon.spark.master', 'local'), set('carbon.spark.master.count', '2'), set('carbon.das.symbolic.link', '/opt/link')];

  it('replaces the active line, uncommenting `#key` and `# key` lines, and touches no other line', () => {
    const out = applyProperties(SPARK, ops, ' ');
    expect(out).toBe(
      [
        '# Spark defaults',
        'carbon.spark.master local',
        'carbon.spark.master.count 2',
        'carbon.das.symbolic.link /opt/link',
        '',
        'spark.executor.memory 1g',
        'spark.driver.extraJavaOptions -Da=1 \\',
        '    carbon.spark.master.count 7',
        '',
      ].join('\n'),
    );
    // The continuation line is part of another value, not a key line of its own.
    expect(load(out)).toMatchObject({ 'carbon.spark.master': 'local', 'carbon.spark.master.count': '2', 'carbon.das.symbolic.link': '/opt/link' });
  });

  it('does not mistake a longer key for the key (carbon.spark.master vs carbon.spark.master.count)', () => {
    const out = applyProperties('carbon.spark.master.count 1\n', [set('carbon.spark.master', 'local')], ' ');
    expect(out).toBe('carbon.spark.master.count 1\ncarbon.spark.master local\n');
  });

  it('appends when absent, keeping CRLF endings and adding the missing final line break', () => {
    expect(applyProperties('a=1\r\nb=2', [set('c', '3')], '=')).toBe('a=1\r\nb=2\r\nc=3\r\n');
    expect(applyProperties('', [set('c', '3')], '=')).toBe('c=3\n');
    expect(applyProperties('a = 1\n', [set('a', '9')], '=')).toBe('a=9\n');
  });

  it('is idempotent and deterministic', () => {
    const once = applyProperties(SPARK, ops, ' ');
    expect(applyProperties(once, ops, ' ')).toBe(once);
    expect(applyProperties(SPARK, ops, ' ')).toBe(once);
  });

  it('escapes what Properties.load would otherwise misread', () => {
    const out = applyProperties('', [set('p', 'C:\\dir é'), set('q', ' lead')], '=');
    expect(out).toBe('p=C:\\\\dir \\u00e9\nq=\\ lead\n');
    expect(load(out)).toEqual({ p: 'C:\\dir é', q: ' lead' });
  });

  it('refuses what it cannot do safely', () => {
    expect(() => applyProperties('k 1\nk 2\n', [set('k', '3')], ' ')).toThrow(/key k is set on 2 lines \(1, 2\)/);
    expect(() => applyProperties('', [set('bad key', '1')], ' ')).toThrow(/bad properties key/);
    expect(() => applyProperties('', [set('k', 'a\nb')], ' ')).toThrow(/line break/);
    expect(() => applyProperties('k a \\\n  b\n', [set('k', '1')], ' ')).toThrow(/continues onto the next line/);
    expect(() => applyProperties('x a \\', [set('k', '1')], ' ')).toThrow(/last line continues/);
  });

  it('through applyChangeSet: latin1 bytes outside the edited line survive byte for byte', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'props-'));
    try {
      const file = path.join(home, 'spark-defaults.conf');
      const original = Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nk 1\n')]);
      fs.writeFileSync(file, original);
      applyChangeSet(home, [{ kind: 'properties', path: 'spark-defaults.conf', separator: ' ', ops: [set('k', '2')] }]);
      expect(fs.readFileSync(file)).toEqual(Buffer.concat([Buffer.from('# caf'), Buffer.from([0xe9]), Buffer.from('\nk 2\n')]));
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('create: an absent file is made from the ops (0644, idempotent); without it, refused; an existing one is edited in place', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'props-create-'));
    try {
      const edit = { kind: 'properties' as const, path: 'conf/opt.properties', separator: '=' as const, ops: [set('a', '1'), set('b', '2')] };
      expect(() => applyChangeSet(home, [edit])).toThrow(/conf\/opt\.properties: properties edit: file does not exist/);
      expect(() => applyChangeSet(home, [{ ...edit, create: false }])).toThrow(/file does not exist/);
      expect(fs.existsSync(path.join(home, 'conf'))).toBe(false);
      const dry = applyChangeSet(home, [{ ...edit, create: true }], { dryRun: true });
      expect(dry.files).toEqual([{ path: 'conf/opt.properties', kind: 'properties', ops: 2, changed: true }]);
      expect(fs.existsSync(path.join(home, 'conf/opt.properties'))).toBe(false);
      applyChangeSet(home, [{ ...edit, create: true }]);
      const file = path.join(home, 'conf/opt.properties');
      expect(fs.readFileSync(file, 'latin1')).toBe('a=1\nb=2\n');
      expect(fs.statSync(file).mode & 0o777).toBe(0o644);
      const again = applyChangeSet(home, [{ ...edit, create: true }]);
      expect(again.files.map((f) => f.changed)).toEqual([false]);
      // A file that is there (the user's) keeps its own lines; only ours are set.
      fs.writeFileSync(file, '# mine\r\nb=9\r\nc=3\r\n');
      applyChangeSet(home, [{ ...edit, create: true }]);
      expect(fs.readFileSync(file, 'latin1')).toBe('# mine\r\nb=2\r\nc=3\r\na=1\r\n');
      expect(load(fs.readFileSync(file, 'latin1'))).toEqual({ a: '1', b: '2', c: '3' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
