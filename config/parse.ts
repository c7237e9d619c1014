/**
 * The pure parser: raw key/value strings in (as the engine passes them), the typed config out, or
 * a ConfigError naming the key and what is accepted. Everything it knows about keys comes from
 * the table (config/schema.ts) and the rules between keys (config/rules.ts).
 */
import { ConfigError, Leaf, PROJECT, Struct, readLeaf, readStruct } from './fields';
import { RULES, StackValues } from './rules';
import { GROUPS, SCHEMA } from './schema';

/** The parsed config, with secrets still plain strings (config.ts wraps them). */
export type ParsedStackConfig = { project: string; stack: string } & Omit<StackValues, Grouped> & {
    -readonly [G in keyof Groups]: { -readonly [K in keyof Groups[G]]?: StackValues[Groups[G][K] & keyof StackValues] };
  };
type Groups = typeof GROUPS;
type Grouped = { [G in keyof Groups]: Groups[G][keyof Groups[G]] }[keyof Groups];

const KEYS = Object.keys(SCHEMA);
const spec = (key: string) => (SCHEMA as Record<string, Leaf | Struct>)[key];

/** Pulumi.yaml declares such a key with `default: ""`, which means unset (see config/schema.ts). */
export const emptyMeansUnset = (key: string): boolean => {
  const s = spec(key);
  return s instanceof Leaf && (s.presence === 'optional' || s.presence === 'derived');
};

/** Unknown keys and missing required ones, before any value is read. */
function checkKeys(raw: Record<string, string>): void {
  for (const k of Object.keys(raw)) {
    if (!(k in SCHEMA)) throw new ConfigError(k, `unknown key; accepted keys: ${KEYS.join(', ')}`);
  }
  for (const k of KEYS) {
    const s = spec(k);
    if (s instanceof Leaf && s.presence === 'required' && raw[k] === undefined) throw new ConfigError(k, `is required: ${s.description}`);
  }
}

/** Each rule runs right after the last key it needs. */
const RULES_AFTER = new Map(KEYS.map((k) => [k, RULES.filter((r) => KEYS[Math.max(...r.needs.map((n) => KEYS.indexOf(n)))] === k)]));

/**
 * @param rawIn config of the stack keyed without the project prefix (`platform`, not
 *   `wso2-is-pattern2:platform`); structured values as JSON strings, as the engine passes them.
 * @param stack the stack name.
 */
export function parseStackConfig(rawIn: Record<string, string>, stack: string): ParsedStackConfig {
  const raw = Object.fromEntries(Object.entries(rawIn).filter(([k, v]) => !(v === '' && emptyMeansUnset(k))));
  checkKeys(raw);
  const values: Record<string, unknown> = {};
  for (const key of KEYS) {
    const s = spec(key);
    values[key] = s instanceof Struct ? readStruct(key, s, raw[key], true, values) : readLeaf(key, s, raw[key], true, values);
    for (const rule of RULES_AFTER.get(key)!) rule.check(values as StackValues);
  }
  const grouped = new Set<string>(Object.values(GROUPS).flatMap((g) => Object.values(g)));
  const out: Record<string, unknown> = { project: PROJECT, stack };
  for (const key of KEYS) if (!grouped.has(key)) out[key] = values[key];
  for (const [group, members] of Object.entries(GROUPS)) {
    out[group] = Object.fromEntries(Object.entries(members).map(([name, key]) => [name, values[key]]));
  }
  return out as ParsedStackConfig;
}
