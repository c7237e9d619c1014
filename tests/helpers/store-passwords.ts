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

/**
 * The public certificates the `vault` and `cryptoutil` placeholder filters encrypt with, as the
 * secret values carry them (secret-names.ts VAULT_VALUES): the mock engine's fixed leaf
 * certificate (tests/fixtures/keys), whose private key tests decrypt with.
 */
export const VAULT_CERTIFICATES = {
  primary_certificate: require('fs').readFileSync(require('path').join(__dirname, '..', 'fixtures', 'keys', 'leaf.cert.pem'), 'utf8') as string,
  internal_certificate: require('fs').readFileSync(require('path').join(__dirname, '..', 'fixtures', 'keys', 'leaf.cert.pem'), 'utf8') as string,
};
export const VAULT_KEY_FILE = require('path').join(__dirname, '..', 'fixtures', 'keys', 'leaf.key.pem') as string;

/** Database and admin passwords hostile in XML, shell, properties and JSON, with non-ASCII (the vault tests). */
export const HOSTILE_PASSWORDS = {
  db_password: `db&<>"'$\\\`=:#!pä€漢😀`,
  admin_password: `adm&<>"'$\\\`n-ü-字`,
} as const;
