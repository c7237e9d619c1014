/**
 * Test values of the four store-password secrets (keystore, internal keystore, TLS keystore,
 * truststore) the change sets now carry placeholders for: alphanumeric, as the program generates them.
 */
export const STORE_PASSWORDS = {
  keystore_password: 'PrimaryStorePw1',
  internal_keystore_password: 'InternalStorePw2',
  tls_keystore_password: 'TlsStorePw3',
  truststore_password: 'TrustStorePw4',
} as const;

const fixture = (...p: string[]): string => require('path').join(__dirname, '..', 'fixtures', ...p) as string;

/**
 * The private keys of the two certificates below, for the tests that decrypt with the JDK: two
 * different fixture keys, so a filter encrypting under the wrong certificate fails its test.
 */
export const VAULT_KEY_FILES = {
  /** The mock engine's fixed leaf key (tests/fixtures/keys): Secure Vault, cipher-text.properties. */
  primary: fixture('keys', 'leaf.key.pem'),
  /** A fixed 2048-bit key of tests/fixtures/vault-keys: the publishers' CryptoUtil ciphertexts. */
  internal: fixture('vault-keys', 'k2048.key.pem'),
};

/**
 * The public certificates the `vault` and `cryptoutil` placeholder filters encrypt with, as the
 * secret values carry them (secret-names.ts VAULT_VALUES); their keys are VAULT_KEY_FILES.
 */
export const VAULT_CERTIFICATES = {
  primary_certificate: require('fs').readFileSync(fixture('keys', 'leaf.cert.pem'), 'utf8') as string,
  internal_certificate: require('fs').readFileSync(fixture('vault-keys', 'k2048.cert.pem'), 'utf8') as string,
};

/** Database and admin passwords hostile in XML, shell, properties and JSON, with non-ASCII (the vault tests). */
export const HOSTILE_PASSWORDS = {
  db_password: `db&<>"'$\\\`=:#!pä€漢😀`,
  admin_password: `adm&<>"'$\\\`n-ü-字`,
} as const;
