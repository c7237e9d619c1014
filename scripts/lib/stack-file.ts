/**
 * Reads a `Pulumi.<stack>.yaml` the way the engine would hand it to the program, offline:
 * structured values become JSON strings, and `secure:` values (which cannot be decrypted
 * without the stack's secrets provider) become deterministic stand-ins marked secret.
 */
import * as fs from 'fs';
import * as YAML from 'yaml';
import { CONFIG_KEYS, PROJECT } from '../../config';
import { stableHash } from '../mocks';

export interface StackFileConfig {
  /** Every key as the engine passes it (`project:key` -> string). */
  all: Record<string, string>;
  /** This project's keys without the prefix, as `parseStackConfig` takes them. */
  raw: Record<string, string>;
  /** Fully-qualified keys whose values are secret (encrypted in the file or secret by schema). */
  secretKeys: string[];
  /** Fully-qualified keys whose value is a stand-in for an encrypted one. */
  standInKeys: string[];
}

/** A stand-in for an encrypted value: valid for the key's checks and full of characters to escape. */
export function standIn(fullKey: string): string {
  const h = stableHash('stand-in', fullKey);
  if (/privatekey$/i.test(fullKey)) {
    const body = [0, 1, 2].map((i) => Buffer.from(stableHash('stand-in-key', fullKey, String(i)) + h, 'hex').toString('base64'));
    return `-----BEGIN PRIVATE KEY-----\n${body.join('\n')}\n-----END PRIVATE KEY-----\n`;
  }
  return `StandIn${h.slice(0, 8)}&<>"'$\`\\:#${h.slice(8, 14).toUpperCase()}`;
}

/** Replaces `{secure: ...}` anywhere in a value; reports whether one was found. */
function replaceSecure(v: unknown, fullKey: string): { value: unknown; found: boolean } {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if (Object.keys(o).length === 1 && typeof o.secure === 'string') return { value: standIn(fullKey), found: true };
    let found = false;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(o)) {
      const r = replaceSecure(x, `${fullKey}.${k}`);
      out[k] = r.value;
      found = found || r.found;
    }
    return { value: out, found };
  }
  if (Array.isArray(v)) {
    let found = false;
    const out = v.map((x, i) => {
      const r = replaceSecure(x, `${fullKey}[${i}]`);
      found = found || r.found;
      return r.value;
    });
    return { value: out, found };
  }
  return { value: v, found: false };
}

/**
 * @param file path of the stack file.
 * @throws Error when the file cannot be read or is not a YAML mapping with a `config:` mapping.
 */
export function readStackFile(file: string): StackFileConfig {
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`cannot read stack file ${file}: ${(e as Error).message}`);
  }
  const config = (doc as { config?: unknown } | null)?.config ?? {};
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new Error(`stack file ${file}: "config" must be a mapping`);
  }
  const all: Record<string, string> = {};
  const raw: Record<string, string> = {};
  const secretKeys: string[] = [];
  const standInKeys: string[] = [];
  const prefix = `${PROJECT}:`;
  for (const [key0, value0] of Object.entries(config as Record<string, unknown>)) {
    // The engine qualifies bare keys with the project name.
    const key = key0.includes(':') ? key0 : `${prefix}${key0}`;
    const { value, found } = replaceSecure(value0, key);
    const str = typeof value === 'string' ? value : JSON.stringify(value);
    all[key] = str;
    const bare = key.startsWith(prefix) ? key.slice(prefix.length) : undefined;
    if (bare !== undefined) raw[bare] = str;
    if (found) standInKeys.push(key);
    if (found || (bare !== undefined && CONFIG_KEYS[bare]?.secret)) secretKeys.push(key);
  }
  return { all, raw, secretKeys: secretKeys.sort(), standInKeys: standInKeys.sort() };
}
