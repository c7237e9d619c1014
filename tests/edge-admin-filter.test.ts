/**
 * The EC2 admin-surface filter: CIDRs turned into the regex Tomcat's RemoteAddrFilter matches
 * against the client address (checked against integer arithmetic on many deterministic addresses,
 * edges included), and the web.xml edit applied by the real applier to a stock-shaped Carbon root
 * web app descriptor (xmllint as the XML oracle, idempotent, stock filters kept, ours first).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { applyChangeSet } from '../applier/apply';
import { ANY_OCTET, addressAllowRegex, cidrRegex, octetRange, parseCidr } from '../config-templates/cidr-regex';
import { ADMIN_FILTER_NAME, CARBON_WEB_XML, REMOTE_ADDR_FILTER_CLASS, renderAdminAccessFilter } from '../config-templates/is/admin-access';
import { IS_FIXTURE_HOME } from './fixtures/is/model';
import { cidrBounds, inCidr, prng, probeAddresses, sampleCidrs, toDotted } from './helpers/cidr-cases';

/** Java's Matcher.matches(): the whole input. */
const whole = (re: string) => new RegExp(`^(?:${re})$`);

describe('CIDR to regex', () => {
  test('octetRange matches exactly lo..hi, for every aligned block and 800 arbitrary ranges', () => {
    const rand = prng(11);
    const ranges: [number, number][] = [];
    for (let size = 1; size <= 256; size *= 2) for (let lo = 0; lo < 256; lo += size) ranges.push([lo, lo + size - 1]);
    for (let i = 0; i < 800; i++) {
      const a = Math.floor(rand() * 256);
      const b = Math.floor(rand() * 256);
      ranges.push([Math.min(a, b), Math.max(a, b)]);
    }
    for (const [lo, hi] of ranges) {
      const re = whole(octetRange(lo, hi));
      for (let n = 0; n < 256; n++) {
        if (re.test(String(n)) !== (n >= lo && n <= hi)) throw new Error(`octetRange(${lo}, ${hi}) on ${n}`);
      }
      // never a non-canonical spelling (Java writes none)
      for (const s of ['00', '01', '007', '0255', '256', '1000', '', '-1']) if (re.test(s)) throw new Error(`octetRange(${lo}, ${hi}) on ${s}`);
    }
  });

  test('cidrRegex matches exactly the addresses inside, edges and near misses included (every prefix length)', () => {
    const rand = prng(2024);
    const cidrs = sampleCidrs(rand, 6);
    expect(cidrs.length).toBeGreaterThan(150);
    let checked = 0;
    for (const cidr of cidrs) {
      const re = whole(cidrRegex(cidr));
      for (const n of probeAddresses(cidr, rand, 40)) {
        const want = inCidr(n, cidr);
        if (re.test(toDotted(n)) !== want) throw new Error(`${cidr} on ${toDotted(n)}: expected ${want}`);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(15000);
  });

  test('the combined regex admits exactly the union, and the IPv6 loopback as Java writes it', () => {
    const rand = prng(7);
    const cidrs = ['203.0.113.0/24', '198.51.100.7/32', '10.40.0.0/16', '127.0.0.0/8'];
    const re = whole(addressAllowRegex(cidrs, ['0:0:0:0:0:0:0:1']));
    for (const cidr of [...cidrs, '0.0.0.0/0']) {
      for (const n of probeAddresses(cidr, rand, 200)) {
        expect([toDotted(n), re.test(toDotted(n))]).toEqual([toDotted(n), cidrs.some((c) => inCidr(n, c))]);
      }
    }
    expect(re.test('0:0:0:0:0:0:0:1')).toBe(true);
    expect(re.test('0:0:0:0:0:0:0:2')).toBe(false);
    // a different octet boundary must not let a longer address through
    expect(re.test('203.0.113.10.5')).toBe(false);
    expect(re.test('1203.0.113.10')).toBe(false);
  });

  test('exact shapes for a few CIDRs (readable output) and refusals', () => {
    expect(cidrRegex('198.51.100.7/32')).toBe('198\\.51\\.100\\.7');
    expect(cidrRegex('10.40.0.0/16')).toBe(`10\\.40\\.${ANY_OCTET}\\.${ANY_OCTET}`);
    expect(cidrRegex('192.0.2.128/25')).toBe(`192\\.0\\.2\\.(?:12[8-9]|1[3-9][0-9]|2[0-4][0-9]|25[0-5])`);
    expect(cidrRegex('172.16.0.0/12')).toBe(`172\\.(?:1[6-9]|2[0-9]|3[0-1])\\.${ANY_OCTET}\\.${ANY_OCTET}`);
    expect(cidrBounds('172.16.0.0/12')).toEqual([2886729728, 2887778303]);
    for (const bad of ['10.0.0.1/16', '10.0.0.0/33', '256.0.0.0/8', '10.0.0/8', 'x']) expect(() => parseCidr(bad)).toThrow(/CIDR|host bits/);
    expect(() => addressAllowRegex([])).toThrow(/at least one/);
  });
});

describe('the Carbon web.xml edit', () => {
  let tmp: string;
  beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'admin-filter-'));
  });
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const xpath = (file: string, expr: string) => execFileSync('xmllint', ['--xpath', expr, file], { encoding: 'utf8' }).trim();

  test('applied to a stock-shaped descriptor: well formed, our filter and mappings first, stock ones kept, idempotent', () => {
    const home = path.join(tmp, 'home');
    fs.mkdirSync(path.dirname(path.join(home, CARBON_WEB_XML)), { recursive: true });
    const stock = fs.readFileSync(path.join(IS_FIXTURE_HOME, CARBON_WEB_XML), 'utf8');
    fs.writeFileSync(path.join(home, CARBON_WEB_XML), stock);
    const cidrs = ['203.0.113.0/24', '10.40.0.0/16', '127.0.0.0/8'];
    const edit = renderAdminAccessFilter(cidrs);
    applyChangeSet(home, [edit]);
    const file = path.join(home, CARBON_WEB_XML);
    const once = fs.readFileSync(file, 'utf8');
    execFileSync('xmllint', ['--noout', file]);
    expect(xpath(file, 'string(/web-app/filter[1]/filter-name)')).toBe(ADMIN_FILTER_NAME);
    expect(xpath(file, 'string(/web-app/filter[1]/filter-class)')).toBe(REMOTE_ADDR_FILTER_CLASS);
    expect(xpath(file, "string(/web-app/filter[1]/init-param[param-name='allow']/param-value)")).toBe(addressAllowRegex(cidrs, ['0:0:0:0:0:0:0:1(?:%[0-9A-Za-z]+)?']));
    // the first three mappings are ours, one path each; the stock ones follow unchanged
    const names = xpath(file, 'count(/web-app/filter-mapping)');
    expect(names).toBe('5');
    const mapped = [1, 2, 3].map((i) => [xpath(file, `string(/web-app/filter-mapping[${i}]/filter-name)`), xpath(file, `string(/web-app/filter-mapping[${i}]/url-pattern)`)]);
    expect(mapped.every(([n]) => n === ADMIN_FILTER_NAME)).toBe(true);
    expect(mapped.map(([, p]) => p).sort()).toEqual(['/carbon/*', '/services/*', '/t/*']);
    expect([4, 5].map((i) => xpath(file, `string(/web-app/filter-mapping[${i}]/filter-name)`))).toEqual(['CharsetFilter', 'CSRFGuard']);
    // nothing else touched: the servlet mapping, error pages, comments and DOCTYPE stay
    for (const kept of ['<!DOCTYPE web-app', '<url-pattern>/*</url-pattern>', '/carbon/errors/error_403.html', 'stock filters: kept as they are']) expect(once).toContain(kept);
    // the regex decodes back exactly (XML escaping is the builder's job)
    applyChangeSet(home, [edit]);
    expect(fs.readFileSync(file, 'utf8')).toBe(once);
    // new CIDRs replace the allow list in place
    applyChangeSet(home, [renderAdminAccessFilter(['10.40.0.0/16'])]);
    expect(xpath(file, 'count(/web-app/filter)')).toBe('3');
    expect(xpath(file, "string(/web-app/filter[1]/init-param[param-name='allow']/param-value)")).toContain('10\\.40\\.');
    expect(xpath(file, "string(/web-app/filter[1]/init-param[param-name='allow']/param-value)")).not.toContain('203');
  });
});
