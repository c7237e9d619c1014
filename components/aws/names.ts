/**
 * Physical names for AWS resources whose names have short limits (load balancers and target
 * groups: 32 characters). Pulumi auto-naming appends 8 characters to the logical name, which
 * overflows for long stack names, so these resources get explicit names built here.
 */
import * as crypto from 'crypto';

/**
 * A name made of `parts`, lower-case alphanumerics and single hyphens, never starting or ending
 * with a hyphen, at most `max` characters. When the full name is too long it is cut and a
 * 6-character hash of the full name is appended, so two long names that differ only at the end
 * stay distinct.
 */
export function awsName(parts: readonly string[], max = 32): string {
  const clean = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-|-$/g, '');
  const full = clean(parts.map(clean).filter((p) => p !== '').join('-'));
  if (full.length <= max) return full;
  const hash = crypto.createHash('sha256').update(full).digest('hex').slice(0, 6);
  return `${full.slice(0, max - hash.length - 1).replace(/-+$/, '')}-${hash}`;
}
