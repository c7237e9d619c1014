/**
 * Checksums of the Kubernetes platform: what a pod template is annotated with, so a change of any
 * rendered file, script, the applier or a secret's version rolls the pods. Pure (no Pulumi import).
 */
import * as crypto from 'crypto';

/**
 * Hex SHA-256 of a text.
 * @param s the text (UTF-8)
 */
export function sha256(s: string): string {
  return crypto.createHash('sha256').update(s).digest('hex');
}

/**
 * The checksum a pod template is annotated with: sha256 over named parts (rendered change sets,
 * the applier bundle, scripts, and secret *versions* such as a Secret's resourceVersion — never a
 * secret value). Parts are sorted by name and NUL-separated, so order and concatenation cannot
 * alias two different configurations.
 * @param parts name -> content
 */
export function configChecksum(parts: Record<string, string>): string {
  const h = crypto.createHash('sha256');
  for (const k of Object.keys(parts).sort()) h.update(k).update('\u0000').update(parts[k]).update('\u0000');
  return h.digest('hex');
}
