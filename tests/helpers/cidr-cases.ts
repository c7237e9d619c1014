/**
 * Deterministic CIDR / address cases for the CIDR-to-regex tests: a seeded generator, CIDRs of
 * every prefix length, and per CIDR the addresses on and just beyond its edges plus random ones
 * inside and outside. The oracle is integer arithmetic, independent of the code under test.
 */

/** mulberry32: a tiny seeded PRNG, so every run tests the same addresses. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const toDotted = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');

/** The CIDR as [first, last] address integers. */
export function cidrBounds(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/');
  const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** (32 - Number(bits));
  return [n, n + size - 1];
}

export const inCidr = (addr: number, cidr: string) => {
  const [lo, hi] = cidrBounds(cidr);
  return addr >= lo && addr <= hi;
};

/** CIDRs with zero host bits: fixed ones operators write, then `perLength` random ones per prefix length 0..32. */
export function sampleCidrs(rand: () => number, perLength: number): string[] {
  const fixed = ['0.0.0.0/0', '10.0.0.0/8', '10.40.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '127.0.0.0/8', '203.0.113.0/24', '198.51.100.7/32', '100.64.0.0/10', '255.255.255.255/32', '0.0.0.0/32', '192.0.2.128/25', '10.255.254.0/23'];
  const out = [...fixed];
  for (let bits = 0; bits <= 32; bits++) {
    for (let i = 0; i < perLength; i++) {
      const size = 2 ** (32 - bits);
      const base = Math.floor((rand() * 4294967296) / size) * size;
      out.push(`${toDotted(base)}/${bits}`);
    }
  }
  return [...new Set(out)];
}

/** Addresses (integers) to try against one CIDR: its edges, one step beyond each, random inside and outside. */
export function probeAddresses(cidr: string, rand: () => number, randomCount: number): number[] {
  const [lo, hi] = cidrBounds(cidr);
  const out = [lo, hi, lo - 1, hi + 1, lo + 1, hi - 1, 0, 4294967295];
  for (let i = 0; i < randomCount; i++) {
    out.push(lo + Math.floor(rand() * (hi - lo + 1)));
    out.push(Math.floor(rand() * 4294967296));
    // near misses: same leading octets, different trailing ones
    out.push((lo ^ (1 << Math.floor(rand() * 32))) >>> 0);
  }
  return [...new Set(out.filter((n) => n >= 0 && n <= 4294967295))];
}
