/**
 * The SP-based IS Analytics nodes' own Secure Vault (carbon-secvault 5.0.13, carbon-config 2.1.12)
 * for every password we set in the worker and dashboard `deployment.yaml`:
 *
 * - each value holding a secret placeholder becomes a `${sec:<alias>}` reference, resolved by the
 *   product from `conf/<runtime>/secrets.properties` (`alias=cipherText <base64>`, RSA PKCS#1 v1.5
 *   as `JKSBasedCipherProvider` decrypts), which the applier fills at boot;
 * - the vault's keystore is the node's own TLS store (JKS, key password = store password), not the
 *   pack's `securevault.jks` with the password `wso2carbon`;
 * - the master keys (`keyStorePassword`, `privateKeyPassword`) come only from environment variables
 *   of those names, which the start scripts set for the product process from the secret store; the
 *   pack's `master-keys.yaml` (base64 `wso2carbon`) is replaced by one holding no key.
 *
 * Why the values are encoded (docs/architecture.md "Analytics Secure Vault"): carbon-config parses
 * deployment.yaml, re-dumps each namespace with SnakeYAML (`dumpAsMap`, block style) and only then
 * substitutes `${sec:...}` into that raw text, literally, before parsing it again
 * (`ConfigProviderImpl.processPlaceholder`; `ConfigurationUtils.substituteVariables` then resolves
 * any `${...}` left). A whole-value reference is dumped as a plain scalar, so the vault holds the
 * password as a complete double-quoted YAML scalar (filter `VAULT_FILTERS.yaml`): quotes,
 * backslashes, `: `, `#`, `$` and non-ASCII all read back as the password. A reference inside a
 * longer value (a JDBC URL) cannot be quoted: the vault holds the raw value, which the filler
 * accepts only from a safe alphabet (`VAULT_FILTERS.inline`).
 */
import { SECRET_PLACEHOLDER_RE, SecretName } from '../topology';
import { SP_STORES } from './keystores';
import { DocOp, FileChange, WholeFile, YamlEdit } from './types';

/** The runtimes whose deployment.yaml and vault files we write. */
export type SpRuntime = 'worker' | 'dashboard';

/**
 * Filters of the applier's secret filler (applier/secrets.ts) that produce a vault ciphertext with
 * the node's TLS certificate (VAULT_STORE), as `JKSBasedCipherProvider` decrypts it:
 * - yaml: the value as a double-quoted YAML scalar, encrypted;
 * - yamlBase64: the base64 of the value (auth.configs passwords) as a double-quoted YAML scalar, encrypted;
 * - inline: the raw value (safe alphabet enforced), encrypted.
 */
export const VAULT_FILTERS = { yaml: 'vaultyaml', yamlBase64: 'vaultyamlb64', inline: 'vaultinline' } as const;
export type VaultFilter = (typeof VAULT_FILTERS)[keyof typeof VAULT_FILTERS];

/**
 * The vault's keystore: the node's TLS store (JKS, which `JKSBasedCipherProvider` hard-codes; one key,
 * key password = store password, so one secret is both master keys). Per node, already built at boot
 * by `applier keystores`, never shared with the IS nodes; the primary (token signing) key stays off
 * the analytics nodes.
 */
export const VAULT_STORE = SP_STORES.tls;

/** The environment variables `DefaultMasterKeyReader` reads the master keys from (carbon-secvault 5.0.13). */
export const MASTER_KEY_ENV = ['keyStorePassword', 'privateKeyPassword'] as const;

/** One vault entry: its alias in secrets.properties and the placeholder the applier turns into `cipherText`. */
export interface VaultEntry {
  alias: string;
  secret: SecretName;
  filter: VaultFilter;
}

export const secretsPropertiesPath = (r: SpRuntime) => `conf/${r}/secrets.properties`;
export const masterKeysPath = (r: SpRuntime) => `conf/${r}/master-keys.yaml`;

/** Simple aliases (carbon-config's placeholder regex takes `[^,]+?` up to `}`; properties keys need no escaping). */
function aliasOf(secret: SecretName, filter: string | undefined, whole: boolean): { alias: string; filter: VaultFilter } {
  if (!whole) {
    if (filter) throw new Error(`a filtered secret (${secret}|${filter}) inside a longer deployment.yaml value cannot be vaulted`);
    return { alias: `${secret}.inline`, filter: VAULT_FILTERS.inline };
  }
  if (filter === 'base64') return { alias: `${secret}.base64`, filter: VAULT_FILTERS.yamlBase64 };
  if (filter) throw new Error(`no vault encoding for the filter ${filter} (secret ${secret})`);
  return { alias: secret, filter: VAULT_FILTERS.yaml };
}

/** A string with each placeholder replaced by its `${sec:...}` reference; the entries used are added to `out`. */
function vaultString(s: string, out: Map<string, VaultEntry>): string {
  const re = new RegExp(SECRET_PLACEHOLDER_RE.source, 'g');
  const whole = new RegExp(`^${SECRET_PLACEHOLDER_RE.source}$`).test(s);
  return s.replace(re, (_m, name: string, filter: string | undefined) => {
    const { alias, filter: f } = aliasOf(name as SecretName, filter, whole);
    out.set(alias, { alias, secret: name as SecretName, filter: f });
    return `\${sec:${alias}}`;
  });
}

function vaultValue(v: unknown, out: Map<string, VaultEntry>): unknown {
  if (typeof v === 'string') return vaultString(v, out);
  if (Array.isArray(v)) return v.map((x) => vaultValue(x, out));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, vaultValue(x, out)]));
  return v;
}

/**
 * The ops with every secret placeholder in a value turned into a `${sec:...}` reference, and the
 * vault entries they need (sorted by alias). Generic over the ops, so a placeholder any renderer
 * adds to deployment.yaml (inside a longer value too) is vaulted.
 */
export function vaultOps(ops: DocOp[]): { ops: DocOp[]; entries: VaultEntry[] } {
  const out = new Map<string, VaultEntry>();
  const converted = ops.map((op): DocOp => {
    if (op.op === 'set') return { ...op, value: vaultValue(op.value, out) };
    if (op.op === 'upsertItem') return { ...op, value: vaultValue(op.value, out) as Record<string, unknown> };
    return op;
  });
  const entries = [...out.values()].sort((a, b) => (a.alias < b.alias ? -1 : a.alias > b.alias ? 1 : 0));
  return { ops: converted, entries };
}

/** `wso2.securevault`: the secret repository on our TLS store (the reader keeps its stock type and file path). */
export function secureVaultOps(): DocOp[] {
  const params = ['wso2.securevault', 'secretRepository', 'parameters'];
  return [
    { op: 'set', path: [...params, 'keystoreLocation'], value: `\${sys:carbon.home}/${VAULT_STORE.file}` },
    { op: 'set', path: [...params, 'privateKeyAlias'], value: VAULT_STORE.alias },
  ];
}

/**
 * `conf/<runtime>/secrets.properties`, whole (the pack's sample entries go): one
 * `alias=cipherText <placeholder>` line per entry, the applier writing the base64 ciphertext.
 * Mode 0600: ciphertext only, but nobody but the product needs it.
 */
export function renderSecretsProperties(runtime: SpRuntime, entries: VaultEntry[], placeholder: (e: VaultEntry) => string): WholeFile {
  const lines = [
    '# Written by wso2-is-pattern2 at boot: the Secure Vault secrets of this runtime, RSA-encrypted',
    `# with this node's TLS certificate (${VAULT_STORE.file}, alias ${VAULT_STORE.alias}).`,
    ...entries.map((e) => `${e.alias}=cipherText ${placeholder(e)}`),
  ];
  return { kind: 'file', path: secretsPropertiesPath(runtime), content: lines.join('\n') + '\n', mode: '0600' };
}

/**
 * `conf/<runtime>/master-keys.yaml`, replacing the pack's (`!!binary` base64 of `wso2carbon`): no
 * key in it. `DefaultMasterKeyReader` requires both names when the file exists, then lets the
 * environment variables of the same names override them; an empty value left un-overridden fails
 * to open the keystore at start (a clear error, never a console prompt or a pack default).
 * `permanent: true` keeps the product from deleting it (the next apply would write it again).
 */
export function renderMasterKeys(runtime: SpRuntime): WholeFile {
  const content = [
    '# Written by wso2-is-pattern2: the Secure Vault master keys come from the environment variables',
    `# ${MASTER_KEY_ENV.join(' and ')} that the start script sets for the product process; the empty`,
    '# values below are placeholders they override.',
    'permanent: true',
    'masterKeys:',
    ...MASTER_KEY_ENV.map((k) => `  ${k}: !!binary ""`),
  ];
  return { kind: 'file', path: masterKeysPath(runtime), content: content.join('\n') + '\n', mode: '0644' };
}

/** The placeholder of an entry: the secret through its vault filter (applier/secrets.ts fills it with the ciphertext). */
export function vaultPlaceholder(e: VaultEntry): string {
  return `@@SECRET:${e.secret}|${e.filter}@@`;
}

/**
 * One runtime's deployment.yaml edit on the vault, and its two vault files: the edit's secret
 * placeholders become `${sec:...}` references, `wso2.securevault` points at our store, and
 * secrets.properties / master-keys.yaml are written whole.
 */
export function vaultRuntime(runtime: SpRuntime, edit: YamlEdit): FileChange[] {
  const { ops, entries } = vaultOps(edit.ops);
  return [
    { ...edit, ops: [...ops, ...secureVaultOps()] },
    renderSecretsProperties(runtime, entries, vaultPlaceholder),
    renderMasterKeys(runtime),
  ];
}
