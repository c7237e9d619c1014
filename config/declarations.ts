/**
 * The table seen key by key, as `Pulumi.yaml` declares it: what `pulumi config` shows and what
 * scripts/lib/stack-file.ts asks (is a key secret?). No YAML here: the program loads this.
 */
import { Leaf, LeafType, Struct, defaultsOf } from './fields';
import { SCHEMA } from './schema';

export interface KeySpec {
  /** The Pulumi.yaml type (`object`: structured, declared without a type). */
  kind: 'string' | 'integer' | 'boolean' | 'array' | 'object';
  description: string;
  secret?: boolean;
  required?: boolean;
  /**
   * The default as stored in Pulumi.yaml. `''` marks an optional key whose effective value is
   * derived or absent: the Pulumi CLI makes every declared key without a default mandatory, so
   * optional keys declare `default: ""` and the parser reads an empty value of such a key as unset.
   */
  default?: string | number | boolean | string[] | Record<string, unknown>;
}

const KIND: Record<LeafType, KeySpec['kind']> = { string: 'string', integer: 'integer', boolean: 'boolean', 'string[]': 'array' };

function keySpec(key: string, s: Leaf | Struct): KeySpec {
  if (!s.description) throw new Error(`config/schema.ts: ${key} has no description`);
  if (s instanceof Struct) return { kind: 'object', description: s.description, default: defaultsOf(s.fields) };
  const spec: KeySpec = { kind: KIND[s.type], description: s.description };
  if (s.secret) spec.secret = true;
  if (s.presence === 'required') spec.required = true;
  else spec.default = s.presence === 'default' ? (s.fixed as KeySpec['default']) : '';
  return spec;
}

/** Every top-level key, in table order. */
export const CONFIG_KEYS: Readonly<Record<string, KeySpec>> = Object.fromEntries(
  Object.entries(SCHEMA as Record<string, Leaf | Struct>).map(([k, s]) => [k, keySpec(k, s)]),
);
