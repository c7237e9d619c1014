/**
 * The vocabulary of the stack-config table (config/schema.ts): leaf fields and structured keys,
 * the TypeScript types they imply, and how a value given for one is read and checked.
 *
 * Why a table and not hand-written code per key: the parser, the `StackConfig` type, the
 * `Pulumi.yaml` `config:` block and the README reference all come from it, so a new key is one
 * edit in one place.
 */

export const PROJECT = 'wso2-is-pattern2';

export class ConfigError extends Error {
  constructor(
    public readonly key: string,
    message: string,
  ) {
    super(`Invalid stack configuration: ${PROJECT}:${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

/** What a leaf holds; `string[]` is a non-empty list of strings. */
export type LeafType = 'string' | 'integer' | 'boolean' | 'string[]';

/**
 * How a leaf gets its value when the stack leaves it unset:
 * - `required`: it cannot (top-level keys only);
 * - `default`: a fixed default, declared in Pulumi.yaml;
 * - `derived`: computed from keys earlier in the table (not declarable in Pulumi.yaml);
 * - `optional`: it stays unset.
 */
export type Presence = 'required' | 'default' | 'derived' | 'optional';

/** The values of the keys parsed so far, in table order (what a derived default may read). */
export type Parsed = Readonly<Record<string, unknown>>;

/** What a leaf knows about its value. */
export interface LeafProps<T, P extends Presence> {
  readonly type: LeafType;
  /** What is accepted, as the error message says it. */
  readonly accepted: string;
  readonly presence: P;
  readonly check?: (v: T) => boolean;
  /** The fixed default (presence `default`). */
  readonly fixed?: T;
  /** The default computed from earlier keys (presence `derived`). */
  readonly derive?: (c: Parsed) => T;
  /** Applied to an accepted value (e.g. hex to lower case). */
  readonly normalize?: (v: T) => T;
  /** Top-level keys: what the README and `pulumi config` show. */
  readonly description?: string;
  /** Top-level keys: the value is a secret (set with `pulumi config set --secret`). */
  readonly secret?: boolean;
}

/** One value: its type, what is accepted (quoted in errors), its check and how it defaults. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Leaf<T, P extends Presence> extends LeafProps<T, P> {}
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class Leaf<T = unknown, P extends Presence = Presence> {
  constructor(props: LeafProps<T, P>) {
    Object.assign(this, props);
  }

  private with<Q extends Presence>(o: Partial<LeafProps<T, Q>>): Leaf<T, Q> {
    return new Leaf<T, Q>({ ...(this as unknown as LeafProps<T, Q>), ...o });
  }

  default(v: T): Leaf<T, 'default'> {
    return this.with<'default'>({ presence: 'default', fixed: v });
  }

  derived(f: (c: Parsed) => T): Leaf<T, 'derived'> {
    return this.with<'derived'>({ presence: 'derived', derive: f });
  }

  required(): Leaf<T, 'required'> {
    return this.with<'required'>({ presence: 'required' });
  }

  normalized(f: (v: T) => T): Leaf<T, P> {
    return this.with<P>({ normalize: f });
  }

  describe(description: string, o: { secret?: boolean } = {}): Leaf<T, P> {
    return this.with<P>({ description, secret: o.secret });
  }
}

/** A structured key: a map of named fields, each a leaf or another map. */
export class Struct<F extends Fields = Fields> {
  constructor(
    readonly fields: F,
    readonly description?: string,
  ) {}

  describe(description: string): Struct<F> {
    return new Struct(this.fields, description);
  }
}

export type Spec = Leaf<any, Presence> | Struct<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type Fields = { readonly [name: string]: Spec };

// ---- builders ---------------------------------------------------------------------------------

const optional = <T>(type: LeafType, accepted: string, check?: (v: T) => boolean) => new Leaf<T, 'optional'>({ type, accepted, presence: 'optional', check });
export const str = (accepted: string, check?: (v: string) => boolean) => optional('string', accepted, check);
export const int = (accepted: string, check?: (v: number) => boolean) => optional('integer', accepted, check);
export const bool = (accepted = 'true | false') => optional<boolean>('boolean', accepted);
export const strings = (accepted: string, check?: (v: string[]) => boolean) => optional('string[]', accepted, check);
/** One of `values`; `accepted` defaults to `a | b | c`. */
export const oneOf = <V extends string>(values: readonly V[], accepted = values.join(' | ')) =>
  optional<V>('string', accepted, (v) => (values as readonly string[]).includes(v));
export const struct = <F extends Fields>(fields: F) => new Struct(fields);

// ---- the types a table implies ----------------------------------------------------------------

type Simplify<T> = { [K in keyof T]: T[K] } & {};
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type IsOptional<S> = S extends Leaf<any, infer P> ? ([P] extends ['optional'] ? true : false) : false;

/** The parsed value of a spec: leaves their type, structs an object (unset optional leaves absent). */
export type ValueOf<S> =
  S extends Leaf<infer T, Presence> ? T : S extends Struct<infer F> ? ValuesOf<F> : never;
export type ValuesOf<F extends Fields> = Simplify<
  { -readonly [K in keyof F as IsOptional<F[K]> extends true ? never : K]: ValueOf<F[K]> } & {
    -readonly [K in keyof F as IsOptional<F[K]> extends true ? K : never]?: ValueOf<F[K]>;
  }
>;

/** The fixed defaults of a table, as Pulumi.yaml declares them (structs: their defaulted fields). */
export type DefaultsOf<F extends Fields> = Simplify<{
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  -readonly [K in keyof F as F[K] extends Leaf<any, 'default'> | Struct<Fields> ? K : never]: F[K] extends Struct<infer G>
    ? DefaultsOf<G>
    : ValueOf<F[K]>;
}>;

/** The fixed defaults of a struct's fields (nested structs included), as Pulumi.yaml declares them. */
export function defaultsOf(fields: Fields): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(fields)) {
    if (spec instanceof Struct) out[name] = defaultsOf(spec.fields);
    else if (spec.presence === 'default') out[name] = spec.fixed;
  }
  return out;
}

// ---- reading values ---------------------------------------------------------------------------

/** Checks a nested value (already parsed from JSON) against its leaf. */
function checkNested(path: string, leaf: Leaf, v: unknown): unknown {
  const bad = () => new ConfigError(path, `${JSON.stringify(v)} is not valid; accepted: ${leaf.accepted}`);
  const typed =
    leaf.type === 'string'
      ? typeof v === 'string'
      : leaf.type === 'integer'
        ? Number.isInteger(v)
        : leaf.type === 'boolean'
          ? typeof v === 'boolean'
          : Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string');
  if (!typed || (leaf.check && !leaf.check(v))) throw bad();
  return v;
}

/** Checks a top-level value, which the engine passes as a string. */
function checkTopLevel(key: string, leaf: Leaf, v: string): unknown {
  if (leaf.type !== 'string') throw new Error(`${key}: top-level keys are strings or structured (config/schema.ts)`);
  if (v.trim() === '') throw new ConfigError(key, `must not be empty; accepted: ${leaf.accepted}`);
  if (leaf.check && !leaf.check(v)) throw new ConfigError(key, `"${v}" is not valid; accepted: ${leaf.accepted}`);
  return v;
}

/** A leaf's value: the given one checked and normalized, or its default (or undefined). */
export function readLeaf(path: string, leaf: Leaf, v: unknown, topLevel: boolean, parsed: Parsed): unknown {
  if (v === undefined) return leaf.presence === 'default' ? leaf.fixed : leaf.derive?.(parsed);
  const ok = topLevel ? checkTopLevel(path, leaf, v as string) : checkNested(path, leaf, v);
  return leaf.normalize ? leaf.normalize(ok) : ok;
}

/** A JSON map with only the struct's field names, or a ConfigError naming the key. */
function asMap(path: string, st: Struct, v: unknown): Record<string, unknown> {
  const allowed = Object.keys(st.fields).join(', ');
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ConfigError(path, `must be an object; accepted keys: ${allowed}`);
  for (const k of Object.keys(v)) {
    if (!(k in st.fields)) throw new ConfigError(`${path}.${k}`, `unknown key; accepted keys of ${path}: ${allowed}`);
  }
  return v as Record<string, unknown>;
}

/**
 * A struct's value: each field read in table order, defaults filling the rest.
 * @param v the stack's value: a JSON string at the top level, an already parsed value below it.
 */
export function readStruct(path: string, st: Struct, v: unknown, topLevel: boolean, parsed: Parsed): Record<string, unknown> {
  let map: Record<string, unknown> = {};
  if (v !== undefined) {
    let value = v;
    if (topLevel) {
      try {
        value = JSON.parse(v as string);
      } catch {
        throw new ConfigError(path, `must be an object (structured config); accepted keys: ${Object.keys(st.fields).join(', ')}`);
      }
    }
    map = asMap(path, st, value);
  }
  const out: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(st.fields)) {
    const at = `${path}.${name}`;
    out[name] = spec instanceof Struct ? readStruct(at, spec, map[name], false, parsed) : readLeaf(at, spec, map[name], false, parsed);
  }
  return out;
}
