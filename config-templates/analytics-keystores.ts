/**
 * Our key material in the SP-based IS Analytics files: deployment.yaml of the worker and the
 * dashboard (HTTPS listener, databridge receivers, data agents), the JVM-wide TLS floor and the
 * start scripts, which hard-code the pack's wso2carbon.jks and its password on the java command line.
 * The full list: docs/architecture.md "Key material in the product files".
 */
import { secretPlaceholder } from '../topology';
import { ANALYTICS_JAVA_SECURITY, SP_STORES, TLS_CIPHER_LIST, TLS_PROTOCOLS } from './keystores';
import { DocOp, DocPath, TextEdit, WholeFile } from './types';

/** The JVM security override we write (relative to the analytics home) and point the start scripts at. */
export const ANALYTICS_JAVA_SECURITY_FILE = 'conf/pattern2-java.security';
/** The runtimes' start scripts (bin/worker.sh and bin/dashboard.sh run these). */
export const START_SCRIPTS = { worker: 'wso2/worker/bin/carbon.sh', dashboard: 'wso2/dashboard/bin/carbon.sh' } as const;

const tlsStore = (prefix: string) => `${prefix}/${SP_STORES.tls.file}`;
const trustStore = (prefix: string) => `${prefix}/${SP_STORES.truststore.file}`;
const TLS_PW = secretPlaceholder(SP_STORES.tls.password);
const TRUST_PW = secretPlaceholder(SP_STORES.truststore.password);

/** Sequence indexes of the 5.8.0 stock files (the renderer tests check them against the shipped files). */
const RECEIVERS = [0, 1]; // Thrift, Binary
const AGENTS = [0, 1]; // Thrift, Binary

const set = (path: DocPath, value: unknown): DocOp => ({ op: 'set', path, value });

/**
 * An msf4j HTTPS listener: our TLS key. msf4j takes the key password to be the store password
 * (certPass is dropped), and ignores any protocol or cipher setting here: the JVM floor restricts it.
 */
export function httpsListenerOps(listener: DocPath): DocOp[] {
  return [
    set([...listener, 'keyStoreFile'], tlsStore('${carbon.home}')),
    set([...listener, 'keyStorePassword'], TLS_PW),
    set([...listener, 'certPass'], TLS_PW),
  ];
}

/**
 * The databridge receivers (Thrift and Binary; both listen on the worker, the dashboard's are moved
 * off by its port offset): our TLS key (key password = store password, as both require), TLS 1.2
 * and our suites on their SSL ports; the data agents trust our truststore and offer the same.
 */
export function databridgeOps(): DocOp[] {
  const ops: DocOp[] = [
    set(['databridge.config', 'keyStoreLocation'], tlsStore('${sys:carbon.home}')),
    set(['databridge.config', 'keyStorePassword'], TLS_PW),
  ];
  for (const i of RECEIVERS) {
    const props: DocPath = ['databridge.config', 'dataReceivers', i, 'dataReceiver', 'properties'];
    ops.push(set([...props, 'sslEnabledProtocols'], TLS_PROTOCOLS), set([...props, 'ciphers'], TLS_CIPHER_LIST));
  }
  for (const i of AGENTS) {
    const agent: DocPath = ['data.agent.config', 'agents', i, 'agentConfiguration'];
    ops.push(
      set([...agent, 'trustStorePath'], trustStore('${sys:carbon.home}')),
      set([...agent, 'trustStorePassword'], TRUST_PW),
      set([...agent, 'sslEnabledProtocols'], TLS_PROTOCOLS),
      set([...agent, 'ciphers'], TLS_CIPHER_LIST),
    );
  }
  return ops;
}

/** The JVM-wide TLS floor (keystores.ts ANALYTICS_JAVA_SECURITY); holds no secret. */
export function renderJavaSecurity(): WholeFile {
  return { kind: 'file', path: ANALYTICS_JAVA_SECURITY_FILE, content: ANALYTICS_JAVA_SECURITY, mode: '0644' };
}

/**
 * The four lines the 5.8.0 start scripts pass after $JAVA_OPTS (so JAVA_OPTS cannot override them):
 * the pack's keystore as the JVM default keystore and the password of it and of the truststore.
 */
export const STOCK_SSL_PROPERTIES = [
  '    -Djavax.net.ssl.keyStore="$CARBON_HOME/resources/security/wso2carbon.jks" \\',
  '    -Djavax.net.ssl.keyStorePassword="wso2carbon" \\',
  '    -Djavax.net.ssl.trustStore="$CARBON_HOME/resources/security/client-truststore.jks" \\',
  '    -Djavax.net.ssl.trustStorePassword="wso2carbon" \\',
].join('\n');

/**
 * What they become: our truststore as the JVM default (clients such as the dashboard's calls to
 * the workers' REST API trust our CA), and our JVM TLS floor. No default keystore: nothing on these
 * nodes authenticates outbound with a client certificate. No password on the command line (`ps`
 * shows it): Java opens a JKS truststore without its password, skipping only the store's integrity
 * check (the file is ours, mode 0600, written at boot); code that needs the password reads it
 * from deployment.yaml, where we set it.
 */
export const OUR_SSL_PROPERTIES = [
  `    -Djavax.net.ssl.trustStore="$CARBON_HOME/${SP_STORES.truststore.file}" \\`,
  `    -Djava.security.properties="$CARBON_HOME/${ANALYTICS_JAVA_SECURITY_FILE}" \\`,
].join('\n');

export function renderStartScript(path: string): TextEdit {
  return { kind: 'text', path, ops: [{ op: 'replace', find: STOCK_SSL_PROPERTIES, replace: OUR_SSL_PROPERTIES }] };
}
