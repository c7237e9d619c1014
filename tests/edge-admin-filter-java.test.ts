/**
 * The admin-surface regex as Tomcat uses it: Tomcat 7's RemoteAddrFilter compiles `allow` with
 * java.util.regex.Pattern and admits a request when `matcher(remoteAddr).matches()`. A real JVM
 * (java 17, tests/fixtures/java/RegexCheck.java) runs exactly that over deterministic addresses in and around
 * each CIDR, and its verdicts must equal integer containment.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { addressAllowRegex, cidrRegex, IPV6_LOOPBACK_REGEX } from '../config-templates/cidr-regex';
import { inCidr, prng, probeAddresses, sampleCidrs, toDotted } from './helpers/cidr-cases';
import { probeClasses } from './helpers/java-classes';

let tmp: string;
let classes: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-java-'));
  // tests/fixtures/java/RegexCheck.java, compiled with the other probes once per run.
  classes = probeClasses(tmp);
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

test('java.util.regex agrees with CIDR containment for every generated regex', () => {
  const rand = prng(99);
  const blocks: { regex: string; addresses: string[]; want: string }[] = [];
  for (const cidr of sampleCidrs(rand, 3)) {
    const nums = probeAddresses(cidr, rand, 15);
    blocks.push({ regex: cidrRegex(cidr), addresses: nums.map(toDotted), want: nums.map((n) => (inCidr(n, cidr) ? '1' : '0')).join('') });
  }
  // the combined form the filter carries, with the IPv6 loopback alternative
  const union = ['203.0.113.0/24', '10.40.0.0/16', '127.0.0.0/8', '198.51.100.7/32'];
  const nums = union.flatMap((c) => probeAddresses(c, rand, 30));
  blocks.push({
    regex: addressAllowRegex(union, [IPV6_LOOPBACK_REGEX]),
    addresses: [...nums.map(toDotted), '0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1%1', '0:0:0:0:0:0:0:2', '::1x'],
    want: nums.map((n) => (union.some((c) => inCidr(n, c)) ? '1' : '0')).join('') + '1100',
  });
  const input = path.join(tmp, 'cases.txt');
  fs.writeFileSync(input, blocks.map((b) => [b.regex, ...b.addresses].join('\n')).join('\n\n'));
  const out = execFileSync('java', ['-cp', classes, 'RegexCheck', input], { encoding: 'utf8', maxBuffer: 64 << 20 }).trimEnd().split('\n');
  expect(out).toHaveLength(blocks.length);
  const wrong = blocks.flatMap((b, i) => [...b.want].flatMap((w, j) => (out[i][j] === w ? [] : [`${b.regex} on ${b.addresses[j]}: java says ${out[i][j]}`])));
  expect(wrong).toEqual([]);
  expect(blocks.reduce((n, b) => n + b.addresses.length, 0)).toBeGreaterThan(5000);
});
