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
