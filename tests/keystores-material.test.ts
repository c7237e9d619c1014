/**
 * The key material document (applier/keystore-material.ts): strict validation with messages that
 * name the field and never a value, and a digest that depends on the material, not its layout.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CA_ALIAS, KeystoreMaterial, KEYSTORE_MATERIAL_SCHEMA, materialDigest, parseKeystoreMaterial } from '../applier/keystore-material';
import { makeCa, makeLeaf, makeSelfSigned } from './helpers/keymaterial';

jest.setTimeout(120_000);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'material-test-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ca = makeCa(tmp, 'ca', 'Material CA');
const leaf = makeLeaf(tmp, ca, 'leaf', { cn: 'is-1', type: 'rsa', form: 'traditional', sans: ['DNS:localhost'], serial: 2 });
const ecLeaf = makeLeaf(tmp, ca, 'ec', { cn: 'an-1', type: 'ec', form: 'traditional', sans: ['DNS:localhost'], serial: 3 });
const selfSigned = makeSelfSigned(tmp, 'fe', 'fe.example.test');
const SECRET = 'Very-Secret-1';

function good(): KeystoreMaterial {
  return {
    $schema: KEYSTORE_MATERIAL_SCHEMA,
    caCertificate: ca.certPem,
    trustedCertificates: [{ alias: 'frontend', pem: selfSigned }],
    keystores: [
      {
        file: 'repository/resources/security/primary.jks',
        storePassword: SECRET,
        entries: [{ alias: 'primary', keyPassword: SECRET, privateKey: leaf.keyPem, certificateChain: [leaf.certPem, ca.certPem] }],
      },
    ],
    truststore: { file: 'repository/resources/security/client-truststore.jks', storePassword: SECRET },
  };
}

/** The message of parsing `mutate(good())`. */
function error(mutate: (m: Record<string, any>) => void): string {
  const m = good() as unknown as Record<string, any>;
  mutate(m);
  try {
    parseKeystoreMaterial(m);
  } catch (e) {
    const msg = (e as Error).message;
    expect(msg).not.toContain(SECRET);
    expect(msg).not.toContain('MII');
    return msg;
  }
  throw new Error('accepted');
}

describe('parseKeystoreMaterial', () => {
  it('decodes good material: the stores in order, the truststore last with the CA first', () => {
    const p = parseKeystoreMaterial(good());
    expect(p.stores.map((s) => [s.kind, s.file, s.keys.map((k) => k.alias), s.trusted.map((t) => t.alias)])).toEqual([
      ['keystore', 'repository/resources/security/primary.jks', ['primary'], []],
      ['truststore', 'repository/resources/security/client-truststore.jks', [], [CA_ALIAS, 'frontend']],
    ]);
    expect(p.stores[0].keys[0].chain).toHaveLength(2);
  });

  it('accepts an EC P-256 key in SEC1 form', () => {
    const m = good();
    m.keystores[0].entries[0] = { alias: 'tls', keyPassword: SECRET, privateKey: ecLeaf.keyPem, certificateChain: [ecLeaf.certPem] };
    expect(parseKeystoreMaterial(m).stores[0].keys[0].alias).toBe('tls');
  });

  it.each<[string, (m: Record<string, any>) => void, string]>([
    ['not an object', (m) => (m.keystores = 'x'), 'keystores: must be an array'],
    ['unknown field', (m) => (m.extra = 1), 'document: unknown field "extra"'],
    ['other schema', (m) => (m.$schema = 'x/v2'), `$schema: expected ${KEYSTORE_MATERIAL_SCHEMA}`],
    ['missing field', (m) => delete m.keystores[0].entries[0].keyPassword, 'keystores[0].entries[0]: missing field "keyPassword"'],
    ['no keystore', (m) => (m.keystores = []), 'keystores: needs at least 1 item'],
    ['CA not a CA', (m) => (m.caCertificate = selfSigned), 'caCertificate: not a CA certificate (basicConstraints CA:TRUE)'],
    ['non-PEM certificate', (m) => (m.trustedCertificates[0].pem = SECRET), 'trustedCertificates[0].pem: not one PEM certificate (CERTIFICATE)'],
    ['two PEM blocks', (m) => (m.caCertificate = ca.certPem + ca.certPem), 'caCertificate: not one PEM certificate (CERTIFICATE)'],
    ['garbage in a PEM', (m) => (m.caCertificate = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), 'caCertificate: not a readable X.509 certificate'],
    ['key not matching', (m) => (m.keystores[0].entries[0].privateKey = ecLeaf.keyPem), 'keystores[0].entries[0]: the private key does not match certificateChain[0]'],
    ['certificate as key', (m) => (m.keystores[0].entries[0].privateKey = leaf.certPem), 'keystores[0].entries[0].privateKey: not one PEM private key'],
    ['encrypted key', (m) => (m.keystores[0].entries[0].privateKey = '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----'), 'keystores[0].entries[0].privateKey: an encrypted private key is not accepted'],
    ['broken chain', (m) => (m.keystores[0].entries[0].certificateChain = [leaf.certPem, selfSigned]), 'keystores[0].entries[0].certificateChain: certificate 0 is not issued (and signed) by certificate 1'],
    ['short password', (m) => (m.truststore.storePassword = 'abc'), 'truststore.storePassword: must be 6 to 128 printable ASCII characters'],
    ['non-ASCII password', (m) => (m.keystores[0].storePassword = 'pässwörd'), 'keystores[0].storePassword: must be 6 to 128 printable ASCII characters'],
    ['upper-case alias', (m) => (m.keystores[0].entries[0].alias = 'Primary'), 'keystores[0].entries[0].alias: alias "Primary" must match'],
    ['alias of the CA', (m) => (m.trustedCertificates[0].alias = CA_ALIAS), `trustedCertificates: alias "${CA_ALIAS}" appears twice`],
    ['absolute file', (m) => (m.keystores[0].file = '/etc/x.jks'), 'keystores[0].file: "/etc/x.jks" must be a normalized relative path ending in .jks'],
    ['not .jks', (m) => (m.keystores[0].file = 'a/b.p12'), 'keystores[0].file: "a/b.p12" must be a normalized relative path ending in .jks'],
    ['same file twice', (m) => (m.truststore.file = m.keystores[0].file), 'keystores/truststore: file "repository/resources/security/primary.jks" appears twice'],
  ])('%s', (_name, mutate, message) => {
    expect(error(mutate)).toContain(`keystore material: ${message}`);
  });
});

describe('materialDigest', () => {
  const base = materialDigest(parseKeystoreMaterial(good()));
  it('is the same for the same key in another form and PEMs with other line endings', () => {
    const m = good();
    m.keystores[0].entries[0].privateKey = fs.readFileSync(path.join(tmp, 'leaf.key'), 'utf8'); // PKCS#8 of the same key
    m.caCertificate = ca.certPem.replace(/\n/g, '\r\n');
    expect(m.keystores[0].entries[0].privateKey).toContain('BEGIN PRIVATE KEY');
    expect(materialDigest(parseKeystoreMaterial(m))).toBe(base);
  });
  it('changes with a password, an alias, a file, a trusted certificate', () => {
    const variants: ((m: KeystoreMaterial) => void)[] = [
      (m) => (m.keystores[0].entries[0].keyPassword = 'Other-Secret-2'),
      (m) => (m.keystores[0].entries[0].alias = 'primary2'),
      (m) => (m.truststore.file = 'repository/resources/security/trust2.jks'),
      (m) => (m.trustedCertificates = []),
    ];
    const digests = variants.map((v) => {
      const m = good();
      v(m);
      return materialDigest(parseKeystoreMaterial(m));
    });
    expect(new Set([base, ...digests]).size).toBe(variants.length + 1);
  });
});
