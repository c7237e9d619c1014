/**
 * Our key material as the product files name it: the stores each node builds at boot (applier
 * `keystores`), their aliases and password secrets, and the TLS policy every listener we configure
 * gets. One place, so the IS and analytics renderers and the docs table cannot disagree.
 * Key password == store password for every store: msf4j and both databridge receivers require it
 * (docs/architecture.md, "Key material in the product files").
 */
import { SecretName } from '../topology';

/** One store: file relative to the product home, key alias (none for the truststore), password secret. */
export interface StoreRef {
  file: string;
  alias?: string;
  password: SecretName;
}

const IS_SECURITY = 'repository/resources/security';
const SP_SECURITY = 'resources/security';

/** The IS nodes' stores (Carbon 4 layout). */
export const IS_STORES = {
  /** Signs ID tokens and SAML assertions (carbon.xml Security/KeyStore). */
  primary: { file: `${IS_SECURITY}/primary.jks`, alias: 'primary', password: 'keystore_password' },
  /** The product's internal encryption (carbon.xml Security/InternalKeyStore, CryptoUtil). */
  internal: { file: `${IS_SECURITY}/internal.jks`, alias: 'internal', password: 'internal_keystore_password' },
  /** The node's TLS certificate (the 9443 connector). */
  tls: { file: `${IS_SECURITY}/tls.jks`, alias: 'tls', password: 'tls_keystore_password' },
  /** The deployment CA and the front end's certificate, nothing of WSO2's. */
  truststore: { file: `${IS_SECURITY}/client-truststore.jks`, password: 'truststore_password' },
} as const satisfies Record<string, StoreRef>;

/**
 * The DAS-based analytics nodes' stores (Carbon 4 layout, kernel 4.4.20-4.4.32: one carbon.xml
 * KeyStore for encryption and signing, no InternalKeyStore). Their KeyStore is an internal store of
 * the analytics nodes' own (both nodes decrypt what either encrypted in the shared registry and
 * databases; never the IS internal key); TLS (9443 connector, data bridge receivers) uses the
 * node's TLS key.
 */
export const DAS_STORES = {
  internal: { file: `${IS_SECURITY}/internal.jks`, alias: 'internal', password: 'internal_keystore_password' },
  tls: IS_STORES.tls,
  truststore: IS_STORES.truststore,
} as const satisfies Record<string, StoreRef>;

/** The SP-based analytics nodes' stores (Carbon 5 layout): their TLS key and the truststore. */
export const SP_STORES = {
  tls: { file: `${SP_SECURITY}/tls.jks`, alias: 'tls', password: 'tls_keystore_password' },
  truststore: { file: `${SP_SECURITY}/client-truststore.jks`, password: 'truststore_password' },
} as const satisfies Record<string, StoreRef>;

/** Keystore type of every store (Java 8's default; Carbon's crypto provider and secure vault expect it). */
export const STORE_TYPE = 'JKS';

/** Stock key material every WSO2 pack ships; no file we render may name it. */
export const WSO2_DEFAULT_KEYSTORE = 'wso2carbon.jks';
export const WSO2_DEFAULT_PASSWORD = 'wso2carbon';

/**
 * The only protocol the listeners and clients we configure offer. TLS 1.3 is not listed: IS 5.8's
 * Tomcat 7.0.93 predates it and its NIO connector with JSSE TLS 1.3 is untested; listeners we cannot
 * restrict per listener (msf4j) take the JVM's floor instead (ANALYTICS_JAVA_SECURITY), which keeps
 * TLS 1.3 where the JVM has it.
 */
export const TLS_PROTOCOLS = 'TLSv1.2';

/**
 * Forward-secret AEAD suites only (no RC4, 3DES, CBC, SHA-1 MAC, static RSA/ECDH key exchange).
 * ECDSA suites are listed for a user-supplied EC key; our generated keys are RSA.
 */
export const TLS_CIPHERS = [
  'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
  'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
  'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
  'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
] as const;
export const TLS_CIPHER_LIST = TLS_CIPHERS.join(',');

/**
 * A `java.security` override (read through `-Djava.security.properties=<file>`, which adds to and
 * overrides the JDK's own file while `security.overridePropertiesFile=true`, the JDK default). It
 * sets the JVM-wide TLS floor for the analytics listeners whose protocols and ciphers
 * deployment.yaml cannot restrict (msf4j drops those settings). A property set here replaces the
 * JDK's value, so the list repeats the JDK 8u defaults before adding ours: old protocols, weak
 * ciphers (RC4, DES, 3DES), CBC-mode AES and SHA-1 MACs (leaving the GCM suites), anonymous and
 * null suites, short DH/EC keys. (Static ECDH suites need an EC server key; our keys are RSA.)
 */
export const ANALYTICS_JAVA_SECURITY =
  [
    '# Written by wso2-is-pattern2: the JVM-wide TLS floor of this node (see the start script).',
    'jdk.tls.disabledAlgorithms=SSLv2Hello, SSLv3, TLSv1, TLSv1.1, DTLSv1.0, RC4, DES, 3DES_EDE_CBC, \\',
    '    AES_128_CBC, AES_256_CBC, HmacSHA1, MD5withRSA, DH keySize < 2048, EC keySize < 224, anon, NULL',
  ].join('\n') + '\n';
