/**
 * The plan's building blocks in-process: the shared mocks' determinism and realism, change-set
 * discovery, decoding, redaction, stack-file reading and the output-directory guard.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { CHANGE_SET_SCHEMA, NodeChangeSet, changeSetPayload } from '../config-templates';
import { RecordedResource, SECRET_SIG, SIG_KEY, mockPassword, pattern2Mocks, stableIp } from '../scripts/mocks';
import { decodeEncoded, findChangeSets, payloadsIn } from '../scripts/lib/nodes';
import { needlesOf, redact, redactString, scanForSecrets } from '../scripts/lib/secrets';
import { readStackFile, standIn } from '../scripts/lib/stack-file';
import { removePlanDir } from '../scripts/lib/out-dir';
import { parseArgs } from '../scripts/plan';

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'plan-lib-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('pattern2Mocks', () => {
  const register = (m: ReturnType<typeof pattern2Mocks>, type: string, name: string, inputs: Record<string, unknown> = {}) =>
    m.newResource({ type, name, inputs, custom: true }) as { id: string; state: Record<string, any> };

  test('same inputs give the same ids and state; different names differ', () => {
    const a = register(pattern2Mocks(), 'aws:rds/instance:Instance', 'db', { engine: 'mysql' });
    const b = register(pattern2Mocks(), 'aws:rds/instance:Instance', 'db', { engine: 'mysql' });
    const c = register(pattern2Mocks(), 'aws:rds/instance:Instance', 'db2', { engine: 'mysql' });
    expect(b).toEqual(a);
    expect(c.state.address).not.toBe(a.state.address);
    expect(a.state.port).toBe(3306);
    expect(a.state.endpoint).toBe(`${a.state.address}:3306`);
    expect(a.state.arn).toMatch(/^arn:aws:rds:eu-west-1:123456789012:db:db$/);
  });

  test('interfaces get an address inside their subnet', () => {
    const m = pattern2Mocks();
    const subnet = register(m, 'aws:ec2/subnet:Subnet', 'private-a', { cidrBlock: '10.40.16.0/20' });
    const eni = register(m, 'aws:ec2/networkInterface:NetworkInterface', 'is-1-eni', { subnetId: subnet.id });
    const [o1, o2, o3] = eni.state.privateIp.split('.').map(Number);
    expect([o1, o2]).toEqual([10, 40]);
    expect(o3).toBeGreaterThanOrEqual(16);
    expect(o3).toBeLessThan(32);
    expect(eni.state.privateIps).toEqual([eni.state.privateIp]);
    expect(stableIp('x', '10.40.16.0/20')).toBe(stableIp('x', '10.40.16.0/20'));
  });

  test('passwords are per name, deterministic and full of characters to escape', () => {
    const m = pattern2Mocks();
    const p = register(m, 'random:index/randomPassword:RandomPassword', 'admin', { length: 24 }).state.result;
    expect(p).toBe(mockPassword('admin'));
    expect(p).not.toBe(mockPassword('db'));
    for (const ch of ['&', '<', '>', '"', "'", '$', '`', '\\']) expect(p).toContain(ch);
    expect(m.recorder.generatedSecrets).toContain(p);
  });

  test('the recorder keeps secret inputs wrapped in rawInputs and plain in inputs', () => {
    const m = pattern2Mocks();
    register(m, 'aws:secretsmanager/secretVersion:SecretVersion', 'v', { secretString: { [SIG_KEY]: SECRET_SIG, value: 'pw' } });
    const r = m.recorder.get('aws:secretsmanager/secretVersion:SecretVersion', 'v');
    expect(r.inputs.secretString).toBe('pw');
    expect((r.rawInputs.secretString as Record<string, unknown>)[SIG_KEY]).toBe(SECRET_SIG);
  });

  test('calls', () => {
    const m = pattern2Mocks();
    expect(m.call({ token: 'aws:index/getAvailabilityZones:getAvailabilityZones', inputs: {} }).names).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(m.call({ token: 'aws:index/getPartition:getPartition', inputs: {} }).partition).toBe('aws');
    expect(m.call({ token: 'aws:ec2/getAmi:getAmi', inputs: { owners: ['amazon'] } }).id).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(m.call({ token: 'x:index/unknown:unknown', inputs: { a: 1 } })).toEqual({ a: 1 });
  });
});

describe('change-set discovery', () => {
  const cs: NodeChangeSet = { nodeId: 'is-2', product: 'is', changes: [{ kind: 'file', path: 'a/b.xml', content: '<a>}{"</a>\n' }] };
  const payload = changeSetPayload(cs);
  const rec = (inputs: Record<string, unknown>, name = 'r'): RecordedResource =>
    ({ type: 't:m:T', name, urn: `urn:${name}`, custom: true, inputs, rawInputs: inputs, state: {} }) as RecordedResource;

  test('a payload embedded in a script is extracted exactly', () => {
    const script = `#!/bin/sh\ncat > x <<'EOF'\n${payload}EOF\necho }\n`;
    expect(payloadsIn(script)).toEqual([payload]);
  });

  test('found in plain, base64 and gzip+base64 inputs; conflicting payloads for one node are refused', () => {
    const gz = zlib.gzipSync(Buffer.from(payload)).toString('base64');
    const found = findChangeSets([rec({ a: { b: [payload] } }, 'one'), rec({ userData: gz }, 'two'), rec({ x: Buffer.from(payload).toString('base64') }, 'three')]);
    expect(found).toHaveLength(1);
    expect(found[0].payload).toBe(payload);
    expect(found[0].sources).toEqual(['t:m:T one', 't:m:T two', 't:m:T three']);
    const other = changeSetPayload({ ...cs, changes: [] });
    expect(() => findChangeSets([rec({ a: payload }, 'one'), rec({ a: other }, 'two')])).toThrow(/is-2 is sent two different change sets/);
    expect(payload).toContain(CHANGE_SET_SCHEMA);
  });

  test('decodeEncoded leaves ordinary text alone', () => {
    expect(decodeEncoded('echo hello world')).toBeUndefined();
    expect(decodeEncoded('abcdefgh')).toBeUndefined(); // valid base64, but decodes to binary
    expect(decodeEncoded(Buffer.from('#!/bin/bash\necho hi\n').toString('base64'))!.toString()).toBe('#!/bin/bash\necho hi\n');
  });
});

describe('redaction and scanning', () => {
  const secret = { label: 'config x', value: 'Ab9cdEf3&<>"\'$`\\x' };

  test('escaped forms inside longer strings are redacted; wrapped secrets become [secret]', () => {
    const json = JSON.stringify({ password: secret.value });
    expect(redactString(`url=${json}`, [secret])).toBe('url={"password":"[secret]"}');
    expect(redactString(`<p>${'Ab9cdEf3&amp;&lt;&gt;&quot;&apos;$`\\x'}</p>`, [secret])).toBe('<p>[secret]</p>');
    expect(redact({ a: { [SIG_KEY]: SECRET_SIG, value: 'anything' }, b: ['ok'] }, [secret])).toEqual({ a: '[secret]', b: ['ok'] });
    expect(needlesOf(secret.value)).toContain('Ab9cdEf3');
    expect(needlesOf('password&<>administrator')).not.toContain('password');
  });

  test('the scan finds a secret in any file, base64 included', () => {
    const dir = path.join(tmp, 'scan');
    fs.mkdirSync(path.join(dir, 'nodes/is-1'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'plan.txt'), 'nothing here\n');
    fs.writeFileSync(path.join(dir, 'nodes/is-1/user-data'), `echo ${Buffer.from(secret.value).toString('base64')}\n`);
    expect(scanForSecrets(dir, [secret])).toEqual([{ file: 'nodes/is-1/user-data', label: 'config x' }]);
  });

  test('the scan finds exactly what a plain search of every form of every secret finds', () => {
    // Secrets of every shape: short and shorter than the index window, non-ASCII, a PEM key, one label twice; texts from a small
    // alphabet (many near misses and shared prefixes), with forms planted whole, cut short by one
    // character, at the very start and end, in latin1 and in UTF-8.
    const pem = fs.readFileSync(path.join(__dirname, 'fixtures/keys/leaf.key.pem'), 'utf8');
    const secrets = [
      { label: 'short', value: 'a1b2c3' },
      // Shorter than the index window (searched whole; the plan itself refuses such a secret).
      { label: 'tiny', value: 'c3b2a' },
      { label: 'nasty', value: 'Ab9cdEf3&<>"\'$`\\x' },
      { label: 'accent', value: 'p\u00e4ssw\u00f6rd-9Xy7' },
      { label: 'generated', value: 'Ab9cdEf3Zz12' },
      { label: 'generated', value: 'zz9Ab9cdEf3Q' },
      { label: 'key', value: pem },
    ];
    const forms = secrets.flatMap((s) => needlesOf(s.value));
    let seed = 7;
    const rand = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
    const alphabet = 'Ab9cdEf3&;<>"\'\\a1b2c3-MIIE\n';
    const dir = path.join(tmp, 'scan-index');
    const expected: { file: string; label: string }[] = [];
    for (let i = 0; i < 60; i++) {
      let text = Array.from({ length: rand(300) }, () => alphabet[rand(alphabet.length)]).join('');
      const form = forms[rand(forms.length)];
      const planted = i % 3 === 2 ? form.slice(0, -1) : form;
      const at = i % 5 === 0 ? 0 : i % 5 === 1 ? text.length : rand(text.length + 1);
      text = text.slice(0, at) + planted + text.slice(at);
      const file = `f${String(i).padStart(2, '0')}`;
      const bytes = Buffer.from(text, i % 2 ? 'utf8' : 'latin1');
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(path.join(dir, file), bytes);
      const views = [bytes.toString('latin1'), bytes.toString('utf8')];
      for (const s of secrets) if (needlesOf(s.value).some((f) => views.some((v) => v.includes(f)))) expected.push({ file, label: s.label });
      if (views.some((v) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(v))) expected.push({ file, label: 'a PEM private key' });
    }
    expect(expected.length).toBeGreaterThan(30);
    // Every secret's label is among the hits (the planting reached each).
    expect(new Set(expected.map((e) => e.label))).toEqual(new Set([...secrets.map((s) => s.label), 'a PEM private key']));
    expect(scanForSecrets(dir, secrets)).toEqual(expected);
  });
});

describe('stack file and CLI', () => {
  test('structured values become JSON strings; secure values become stand-ins marked secret', () => {
    const f = path.join(tmp, 'Pulumi.t.yaml');
    fs.writeFileSync(f, 'config:\n  aws:region: eu-west-1\n  wso2-is-pattern2:is:\n    instanceType: m5.large\n  wso2-is-pattern2:dbPassword:\n    secure: v1:abc\n  wso2-is-pattern2:adminPassword: plain-but-secret\n');
    const s = readStackFile(f);
    expect(s.raw.is).toBe('{"instanceType":"m5.large"}');
    expect(s.raw.dbPassword).toBe(standIn('wso2-is-pattern2:dbPassword'));
    expect(s.all['aws:region']).toBe('eu-west-1');
    expect(s.secretKeys).toEqual(['wso2-is-pattern2:adminPassword', 'wso2-is-pattern2:dbPassword']);
    expect(s.standInKeys).toEqual(['wso2-is-pattern2:dbPassword']);
  });

  test('the output guard refuses the project and unrelated directories', () => {
    const repo = path.resolve(__dirname, '..');
    expect(() => removePlanDir(repo, repo)).toThrow(/contains the project/);
    const other = path.join(tmp, 'keep');
    fs.mkdirSync(other);
    fs.writeFileSync(path.join(other, 'precious.txt'), 'x');
    expect(() => removePlanDir(other, repo)).toThrow(/holds no previous plan/);
    expect(fs.existsSync(path.join(other, 'precious.txt'))).toBe(true);
  });

  test('arguments', () => {
    expect(parseArgs(['--stack', 'eks', '--out=o', '--stock-is', 'h'])).toEqual({ stack: 'eks', outDir: 'o', stockIs: 'h' });
    expect(() => parseArgs(['--nope'])).toThrow(/unknown argument --nope/);
    expect(() => parseArgs(['--stack'])).toThrow(/needs a value/);
  });
});
