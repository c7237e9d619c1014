/**
 * The analytics Secure Vault renderer (config-templates/analytics-vault.ts), pure: every password
 * placeholder of the worker and dashboard deployment.yaml becomes a `${sec:...}` reference with a
 * matching secrets.properties entry, the vault sits on our TLS store, and no master key is written.
 */
import { parse } from 'yaml';
import { renderSpChangeSet } from '../config-templates/analytics-sp';
import { masterKeysPath, secretsPropertiesPath, VAULT_FILTERS, vaultOps } from '../config-templates/analytics-vault';
import { DocOp, FileChange, WholeFile, YamlEdit } from '../config-templates/types';
import { SECRET_PLACEHOLDER_RE, secretPlaceholder } from '../topology';
import { testTopology } from './helpers/topology';

const t = testTopology({ analyticsFlavor: 'sp' });
const changes = renderSpChangeSet(t, 'analytics-1').changes;
const byPath = (p: string): FileChange => {
  const c = changes.find((x) => x.path === p);
  if (!c) throw new Error(`no change of ${p}`);
  return c;
};
const refsIn = (v: unknown): string[] => [...JSON.stringify(v).matchAll(/\$\{sec:([^,}]+)\}/g)].map((m) => m[1]);

describe.each(['worker', 'dashboard'] as const)('the %s runtime', (runtime) => {
  const edit = byPath(`conf/${runtime}/deployment.yaml`) as YamlEdit;
  const props = byPath(secretsPropertiesPath(runtime)) as WholeFile;

  it('keeps no secret placeholder in deployment.yaml, only vault references', () => {
    expect(JSON.stringify(edit.ops)).not.toMatch(new RegExp(SECRET_PLACEHOLDER_RE.source));
    expect(refsIn(edit.ops).length).toBeGreaterThanOrEqual(5);
  });

  it('has one secrets.properties entry per alias referenced, each a cipherText of a vault filter', () => {
    const lines = props.content.split('\n').filter((l) => l && !l.startsWith('#'));
    const aliases = lines.map((l) => l.slice(0, l.indexOf('=')));
    expect(aliases).toEqual([...new Set(refsIn(edit.ops))].sort());
    for (const l of lines) expect(l).toMatch(/^[a-z_.0-9]+=cipherText @@SECRET:[a-z_]+\|vault[a-z0-9]+@@$/);
    expect(props.content).toContain(`admin_password.base64=cipherText ${secretPlaceholder('admin_password', VAULT_FILTERS.yamlBase64 as never)}`);
    expect(props.mode).toBe('0600');
  });

  it('points the secret repository at our TLS store and replaces the stock master keys by none', () => {
    const sets = Object.fromEntries(edit.ops.filter((o): o is Extract<DocOp, { op: 'set' }> => o.op === 'set').map((o) => [o.path.join('/'), o.value]));
    expect(sets['wso2.securevault/secretRepository/parameters/keystoreLocation']).toBe('${sys:carbon.home}/resources/security/tls.jks');
    expect(sets['wso2.securevault/secretRepository/parameters/privateKeyAlias']).toBe('tls');
    const mk = byPath(masterKeysPath(runtime)) as WholeFile;
    expect(parse(mk.content, { customTags: ['binary'] })).toMatchObject({ permanent: true });
    expect(mk.content).not.toMatch(/d3NvMmNhcmJvbg|wso2carbon/);
    expect(mk.content).toMatch(/keyStorePassword: !!binary ""\n\s+privateKeyPassword: !!binary ""\n$/);
  });
});

describe('vaultOps', () => {
  it('vaults a placeholder inside a longer value as an inline alias and leaves other ops alone', () => {
    const ops: DocOp[] = [
      { op: 'set', path: ['a'], value: `jdbc:x?p=${secretPlaceholder('truststore_password')}&q=1` },
      { op: 'upsertItem', path: ['l'], key: 'n', value: { n: 'x', pw: secretPlaceholder('db_password'), k: 3 } },
      { op: 'delete', path: ['b'] },
    ];
    const r = vaultOps(ops);
    expect(r.ops).toEqual([
      { op: 'set', path: ['a'], value: 'jdbc:x?p=${sec:truststore_password.inline}&q=1' },
      { op: 'upsertItem', path: ['l'], key: 'n', value: { n: 'x', pw: '${sec:db_password}', k: 3 } },
      { op: 'delete', path: ['b'] },
    ]);
    expect(r.entries).toEqual([
      { alias: 'db_password', secret: 'db_password', filter: VAULT_FILTERS.yaml },
      { alias: 'truststore_password.inline', secret: 'truststore_password', filter: VAULT_FILTERS.inline },
    ]);
  });

  it('refuses a filtered placeholder inside a longer value', () => {
    expect(() => vaultOps([{ op: 'set', path: ['a'], value: `x${secretPlaceholder('admin_password', 'base64')}` }])).toThrow(/inside a longer/);
  });
});
