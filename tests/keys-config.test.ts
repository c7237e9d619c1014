/**
 * The key material's pure parts: the `keys.*` config (the generation, a user's primary pair checked
 * with Node's crypto, never quoted in an error), the per-node stores of the model, and the per-node
 * keystore material document the program assembles (read back by the applier's own parser).
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { parseStackConfig } from '../config';
import { MIN_EC2, configRejection } from './helpers/stack-config';
import { TRUSTSTORE_ALIASES, keystoresFor } from '../topology';
import { nodeMaterialJson } from '../components/keys';
import { parseKeystoreMaterial } from '../applier/keystore-material';

const KEYS = path.join(__dirname, 'fixtures', 'keys');
const read = (f: string) => fs.readFileSync(path.join(KEYS, f), 'utf8');
const EC2 = MIN_EC2;
const withKeys = (keys: Record<string, unknown>) => ({ ...EC2, keys: JSON.stringify(keys) });

const rejection = (raw: Record<string, string>) => configRejection(raw, 'dev');

describe('keys config', () => {
  test('defaults: generation 1, no primary pair', () => {
    expect(parseStackConfig(EC2, 'dev').keys).toEqual({ generation: 1 });
  });

  test('generation must be an integer >= 1', () => {
    expect(parseStackConfig(withKeys({ generation: 3 }), 'dev').keys.generation).toBe(3);
    for (const g of [0, -1, 1.5, '2']) expect(rejection(withKeys({ generation: g })).key).toBe('keys.generation');
  });

  test('a valid primary pair is accepted', () => {
    const k = parseStackConfig(withKeys({ primaryPrivateKey: read('leaf.key.pem'), primaryCertificate: read('leaf.cert.pem') }), 'dev').keys;
    expect(k.primaryCertificate).toBe(read('leaf.cert.pem'));
  });

  const small = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const p256 = crypto.generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const p384 = crypto.generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  test.each([
    ['key without certificate', { primaryPrivateKey: read('leaf.key.pem') }, 'keys.primaryCertificate', /set both or neither/],
    ['certificate without key', { primaryCertificate: read('leaf.cert.pem') }, 'keys.primaryPrivateKey', /set both or neither/],
    ['not a PEM key', { primaryPrivateKey: 'MIIEsecretish', primaryCertificate: read('leaf.cert.pem') }, 'keys.primaryPrivateKey', /not one unencrypted PEM private key/],
    ['RSA 1024', { primaryPrivateKey: small, primaryCertificate: read('leaf.cert.pem') }, 'keys.primaryPrivateKey', /rsa key of 1024 bits; accepted: RSA >= 2048 bits/],
    ['EC P-256 (Secure Vault needs RSA)', { primaryPrivateKey: p256, primaryCertificate: read('leaf.cert.pem') }, 'keys.primaryPrivateKey', /ec key on prime256v1; accepted: RSA >= 2048 bits/],
    ['EC P-384', { primaryPrivateKey: p384, primaryCertificate: read('leaf.cert.pem') }, 'keys.primaryPrivateKey', /ec key on secp384r1/],
    ['not a certificate', { primaryPrivateKey: read('leaf.key.pem'), primaryCertificate: 'x' }, 'keys.primaryCertificate', /not one PEM certificate/],
    ['certificate of another key', { primaryPrivateKey: read('leaf.key.pem'), primaryCertificate: read('ca.cert.pem') }, 'keys.primaryCertificate', /does not match keys.primaryPrivateKey/],
  ])('%s is rejected naming the key, never quoting it', (_what, keys, key, message) => {
    const e = rejection(withKeys(keys));
    expect(e.key).toBe(key);
    expect(e.message).toMatch(message);
    for (const v of Object.values(keys)) expect(e.message).not.toContain(String(v).split('\n')[1] ?? String(v));
    expect(e.message).not.toContain('MIIE');
  });
});

describe('stores and material', () => {
  test('IS nodes keep four stores, SP analytics two, DAS analytics three (its carbon.xml KeyStore); SP analytics under resources/security', () => {
    expect(keystoresFor('is', 'sp').map((s) => [s.kind, s.file, s.alias, s.passwordSecret])).toEqual([
      ['primary', 'repository/resources/security/primary.jks', 'primary', 'keystore_password'],
      ['internal', 'repository/resources/security/internal.jks', 'internal', 'internal_keystore_password'],
      ['tls', 'repository/resources/security/tls.jks', 'tls', 'tls_keystore_password'],
      ['truststore', 'repository/resources/security/client-truststore.jks', undefined, 'truststore_password'],
    ]);
    expect(keystoresFor('analytics', 'sp').map((s) => s.file)).toEqual(['resources/security/tls.jks', 'resources/security/client-truststore.jks']);
    expect(keystoresFor('analytics', 'das').map((s) => s.file)).toEqual([
      'repository/resources/security/internal.jks',
      'repository/resources/security/tls.jks',
      'repository/resources/security/client-truststore.jks',
    ]);
  });

  const passwords = { primary: 'Primary0pw', internal: 'Internal0pw', tls: 'Tls0pw00', truststore: 'Trust0pw' };
  const pair: [string, string] = [read('leaf.key.pem'), read('leaf.cert.pem')];

  test('a node material document passes the applier\'s strict parser: chains to the CA, key password == store password', () => {
    const doc = JSON.parse(nodeMaterialJson('is', 'sp', read('ca.cert.pem'), read('leaf.cert.pem'), passwords, [pair, pair, pair]));
    const m = parseKeystoreMaterial(doc);
    expect(m.stores.map((s) => s.file)).toEqual(keystoresFor('is', 'sp').map((s) => s.file));
    for (const k of doc.keystores) {
      expect(k.entries[0].keyPassword).toBe(k.storePassword);
      expect(k.entries[0].certificateChain).toEqual([read('leaf.cert.pem'), read('ca.cert.pem')]);
    }
    expect(doc.trustedCertificates).toEqual([{ alias: TRUSTSTORE_ALIASES.frontend, pem: read('leaf.cert.pem') }]);
    expect(doc.truststore.storePassword).toBe(passwords.truststore);
  });

  test('a certificate the CA did not sign (a user\'s primary) stands alone in its chain; no front end, no trusted extra', () => {
    const doc = JSON.parse(nodeMaterialJson('analytics', 'sp', read('ca.cert.pem'), '', passwords, [[read('ca.key.pem'), read('ca.cert.pem')]]));
    expect(doc.keystores[0].entries[0].certificateChain).toEqual([read('ca.cert.pem')]);
    expect(doc.trustedCertificates).toEqual([]);
    expect(() => parseKeystoreMaterial(doc)).not.toThrow();
  });
});

describe('plan leak scan and redaction of private keys', () => {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { needlesOf, redactString, scanForSecrets } = require('../scripts/lib/secrets') as typeof import('../scripts/lib/secrets');
  const os = require('os') as typeof import('os'); // eslint-disable-line @typescript-eslint/no-var-requires

  test('a known private key is redacted whole, and a certificate sharing its public key is left intact', () => {
    const key = read('ca.key.pem');
    const cert = read('ca.cert.pem');
    const secrets = [{ label: 'ca key', value: key }];
    expect(redactString(`x${key}y`, secrets)).toBe('x[secret]y');
    expect(redactString(cert, secrets)).toBe(cert);
    expect(needlesOf(key).every((n) => n.length >= 40)).toBe(true);
  });

  test('any PEM private key under out/ is a leak, known or not; the applier\'s parser labels are not', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-leak-'));
    try {
      fs.writeFileSync(path.join(dir, 'bundle.js'), "const KEY_TYPES={'PRIVATE KEY':'pkcs8','RSA PRIVATE KEY':'pkcs1'}");
      expect(scanForSecrets(dir, [])).toEqual([]);
      fs.writeFileSync(path.join(dir, 'resources.json'), JSON.stringify({ pem: read('leaf.key.pem') }));
      expect(scanForSecrets(dir, [])).toEqual([{ file: 'resources.json', label: 'a PEM private key' }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
