/**
 * IPv4 CIDRs as regular expressions over dotted-decimal addresses, for filters that match a
 * client address against a regex rather than a CIDR: Tomcat 7's RemoteAddrFilter/RemoteAddrValve
 * (`allow` is one java.util.regex pattern that must match the whole of `getRemoteAddr()`, which
 * Java writes in canonical form: no leading zeros). The syntax used (groups, classes, `{n}`,
 * `|`) means the same in Java and JavaScript, so the tests check it in both.
 */

/** Any octet, 0-255, canonical (no leading zeros). */
export const ANY_OCTET = '(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])';

/** Java's text of the IPv6 loopback address (`InetAddress.getHostAddress`), with an optional scope. */
export const IPV6_LOOPBACK_REGEX = '0:0:0:0:0:0:0:1(?:%[0-9A-Za-z]+)?';

/** `[x-y]`, or the digit itself when x = y. */
const digitClass = (x: number, y: number) => (x === y ? String(x) : `[${x}-${y}]`);
const anyDigits = (n: number) => (n === 0 ? '' : n === 1 ? '[0-9]' : `[0-9]{${n}}`);

/**
 * Sequences (no alternation inside) matching exactly the numbers from `a` to `b`, two decimal
 * strings of the same length with a <= b: the leading digit fixed where both share it, otherwise
 * split into the head's own tail, a middle of whole digit blocks, and the last digit's head.
 */
function sameLength(a: string, b: string): string[] {
  if (a === b) return [a];
  const rest = a.length - 1;
  const [ha, hb] = [Number(a[0]), Number(b[0])];
  if (rest === 0) return [digitClass(ha, hb)];
  if (ha === hb) return sameLength(a.slice(1), b.slice(1)).map((s) => a[0] + s);
  const [zeros, nines] = ['0'.repeat(rest), '9'.repeat(rest)];
  const out: string[] = [];
  let [from, to] = [ha, hb];
  if (a.slice(1) !== zeros) {
    out.push(...sameLength(a.slice(1), nines).map((s) => a[0] + s));
    from++;
  }
  const tail = b.slice(1) !== nines;
  if (tail) to--;
  if (from <= to) out.push(digitClass(from, to) + anyDigits(rest));
  if (tail) out.push(...sameLength(zeros, b.slice(1)).map((s) => b[0] + s));
  return out;
}

/** A regex matching exactly the canonical decimal numbers lo..hi (0 <= lo <= hi <= 255). */
export function octetRange(lo: number, hi: number): string {
  if (!(Number.isInteger(lo) && Number.isInteger(hi) && lo >= 0 && lo <= hi && hi <= 255)) throw new Error(`bad octet range ${lo}-${hi}`);
  if (lo === 0 && hi === 255) return ANY_OCTET;
  const alts: string[] = [];
  for (const [a, b] of [
    [0, 9],
    [10, 99],
    [100, 255],
  ]) {
    const [l, h] = [Math.max(lo, a), Math.min(hi, b)];
    if (l <= h) alts.push(...sameLength(String(l), String(h)));
  }
  return alts.length === 1 ? alts[0] : `(?:${alts.join('|')})`;
}

/** Parses `a.b.c.d/n` with zero host bits; throws naming the value otherwise. */
export function parseCidr(cidr: string): { octets: number[]; bits: number } {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  const octets = m ? m.slice(1, 5).map(Number) : [];
  const bits = m ? Number(m[5]) : -1;
  if (!m || octets.some((o) => o > 255) || bits > 32) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR`);
  const addr = octets.reduce((acc, o) => acc * 256 + o, 0);
  if (addr % 2 ** (32 - bits) !== 0) throw new Error(`${JSON.stringify(cidr)} has host bits set`);
  return { octets, bits };
}

/** A regex matching exactly the dotted-decimal addresses inside one CIDR. */
export function cidrRegex(cidr: string): string {
  const { octets, bits } = parseCidr(cidr);
  return octets
    .map((o, i) => {
      const fixed = Math.min(8, Math.max(0, bits - 8 * i));
      const size = 2 ** (8 - fixed);
      return fixed === 8 ? String(o) : octetRange(o, o + size - 1);
    })
    .join('\\.');
}

/**
 * One regex matching any address inside any of the CIDRs (deduplicated, in order), plus the
 * given extra alternatives (already regexes, e.g. {@link IPV6_LOOPBACK_REGEX}).
 */
export function addressAllowRegex(cidrs: readonly string[], extra: readonly string[] = []): string {
  const alts = [...new Set(cidrs)].map(cidrRegex).concat(extra);
  if (alts.length === 0) throw new Error('an address filter needs at least one allowed CIDR');
  return `(?:${alts.join('|')})`;
}
