/**
 * The deployment's own key material (no WSO2 default key survives): a deployment CA, the primary
 * key pair (signs ID tokens and SAML assertions; its certificate names the public hostname), the
 * internal key pair (the product's internal encryption), one TLS key pair per node, and the four
 * store passwords. Private keys and passwords exist only as Pulumi secrets here and in the
 * platform's secret store; per node, everything is assembled into the keystore material document
 * the applier's `keystores` command builds the JKS stores from (applier/keystore-material.ts).
 *
 * Rotation: `keys.generation` is part of the logical names of the primary, internal and node TLS
 * keys and certificates (`-g<N>`), so raising it creates new ones; the CA is not rotated by it, so
 * old and new certificates chain to the same CA and trust holds while the nodes roll one by one.
 */
import * as crypto from 'crypto';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import * as tls from '@pulumi/tls';
import { AnalyticsFlavor, KeystoreKind, NODE_IDS, NodeId, Role, TRUSTSTORE_ALIASES, keystoresFor, roleOfNode } from '../topology';
import { KEYSTORE_MATERIAL_SCHEMA, KeystoreMaterial } from '../applier/keystore-material';
import { CA_BUNDLES, CaBundleName } from '../applier/ca-bundles';

/** The addresses a node's clients reach it by: its certificate's SANs (besides localhost and the hostnames). */
export interface NodeSans {
  /** DNS names (Kubernetes: pod DNS name, headless Service name). */
  dnsNames: pulumi.Input<pulumi.Input<string>[]>;
  /** IP addresses (EC2: the node's private IP). */
  ipAddresses: pulumi.Input<pulumi.Input<string>[]>;
}

export interface KeyMaterialArgs {
  /** `keys.generation`: part of the logical names of every rotated key (not the CA's). */
  generation: number;
  /** The public, management and dashboard hostnames (SANs; the primary certificate's CN). */
  hostnames: { hostname: string; mgtHostname: string; dashboardHostname: string };
  /** The analytics flavour (where its stores live). */
  flavor: AnalyticsFlavor;
  /** A primary key pair from config (`keys.primaryPrivateKey` secret + `keys.primaryCertificate`); generated when unset. */
  primary?: { privateKey: pulumi.Input<string>; certificate: string };
  /** Per node, the addresses its certificate names. */
  nodeSans: Record<NodeId, NodeSans>;
  /** The front end's certificate, trusted by every node when there is one (seed 000). */
  frontendCertificate?: pulumi.Input<string>;
  /** Shipped CA bundles every truststore also holds: `rds` where the database is RDS (its server certificate's CAs). */
  trustedBundles?: CaBundleName[];
  /** The in-cluster database's DNS names: when given, a server key pair for it signed by the CA (every truststore already trusts it). */
  databaseServerNames?: string[];
  /**
   * Issue a certificate for the public names (hostname, management and dashboard hostnames),
   * signed by the deployment CA, for a front end that has no other (EC2 without an ACM one).
   */
  frontendPair?: boolean;
}

/** Ten years: the CA outlives many generations of node keys. */
const CA_VALIDITY_HOURS = 10 * 365 * 24;
/** Three years: leaf certificates are rotated by raising `keys.generation` before they expire. */
const LEAF_VALIDITY_HOURS = 3 * 365 * 24;
const ORGANIZATION = 'WSO2 IS pattern 2';

/** The four store passwords: alphanumeric only (safe in XML, YAML, properties and shell), 32 characters. */
const PASSWORD_ARGS: random.RandomPasswordArgs = { length: 32, special: false, minLower: 2, minUpper: 2, minNumeric: 2 };

/** A key pair: the private key a Pulumi secret, the certificate public PEM. */
export interface KeyPair {
  privateKey: pulumi.Output<string>;
  certificate: pulumi.Output<string>;
}

/**
 * Children: `${name}-ca-key`, `${name}-ca-cert`; `${name}-primary-g<N>-{key,csr,cert}` (unless
 * config brings the primary pair), `${name}-internal-g<N>-{key,csr,cert}`,
 * `${name}-analytics-internal-g<N>-{key,csr,cert}` (DAS flavour only),
 * `${name}-<node>-tls-g<N>-{key,csr,cert}`, `${name}-frontend-g<N>-{key,csr,cert}` (with `frontendPair`);
 * `${name}-<kind>-password` for the four stores;
 * `${name}-database-tls-g<N>-{key,csr,cert}` for an in-cluster database.
 */
export class KeyMaterial extends pulumi.ComponentResource {
  /** The deployment CA certificate (public PEM): a stack output. */
  public readonly caCertificate: pulumi.Output<string>;
  /** The front end's pair for the public names, when `frontendPair` asked for it (`${name}-frontend-g<N>-*`). */
  public readonly frontend?: KeyPair;
  /**
   * The primary and internal certificates (public PEMs): the applier encrypts Secure Vault and
   * CryptoUtil values with them at boot, so they travel with the secret values.
   */
  public readonly certificates: { primary: pulumi.Output<string>; internal: pulumi.Output<string> };
  /** Store (and key) passwords by store kind (Pulumi secrets). */
  public readonly passwords: Record<KeystoreKind, pulumi.Output<string>>;
  /** Per node, its keystore material document (JSON, a Pulumi secret). */
  public readonly material: Record<NodeId, pulumi.Output<string>>;
  /**
   * Per node, a SHA-256 over its PUBLIC certificates only (never a key or password): changes
   * exactly when the node's material is renewed, so it can roll the node.
   */
  public readonly publicDigest: Record<NodeId, pulumi.Output<string>>;
  /** The in-cluster database's server key pair (private key a Pulumi secret), when asked for. */
  public readonly databaseServer?: { privateKey: pulumi.Output<string>; certificate: pulumi.Output<string> };
  /**
   * The deployment CA's key and certificate, for a certificate another component has it issue
   * (the Kubernetes front end's, so every node trusts it through the CA). The key is a secret.
   */
  public readonly caSigner: { privateKeyPem: pulumi.Output<string>; certPem: pulumi.Output<string> };

  /**
   * @param name Prefix of the children's logical names.
   * @param args Generation, hostnames, node addresses and the optional primary pair / front-end certificate.
   * @param opts Options of the component (its parent).
   */
  constructor(name: string, args: KeyMaterialArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:KeyMaterial', name, {}, opts);
    const g = `g${args.generation}`;
    const child = { parent: this };
    const caKey = new tls.PrivateKey(`${name}-ca-key`, { algorithm: 'RSA', rsaBits: 3072 }, child);
    const caCert = new tls.SelfSignedCert(
      `${name}-ca-cert`,
      {
        privateKeyPem: caKey.privateKeyPem,
        subject: { commonName: `${args.hostnames.hostname} deployment CA`, organization: ORGANIZATION },
        isCaCertificate: true,
        validityPeriodHours: CA_VALIDITY_HOURS,
        allowedUses: ['cert_signing', 'crl_signing', 'digital_signature'],
      },
      child,
    );
    this.caCertificate = caCert.certPem;
    this.caSigner = { privateKeyPem: caKey.privateKeyPem, certPem: caCert.certPem };
    const issue = (res: string, commonName: string, sans: NodeSans, uses: string[]): KeyPair => {
      const key = new tls.PrivateKey(`${res}-key`, { algorithm: 'RSA', rsaBits: 2048 }, child);
      const csr = new tls.CertRequest(
        `${res}-csr`,
        { privateKeyPem: key.privateKeyPem, subject: { commonName, organization: ORGANIZATION }, dnsNames: sans.dnsNames, ipAddresses: sans.ipAddresses },
        child,
      );
      const cert = new tls.LocallySignedCert(
        `${res}-cert`,
        { certRequestPem: csr.certRequestPem, caPrivateKeyPem: caKey.privateKeyPem, caCertPem: caCert.certPem, validityPeriodHours: LEAF_VALIDITY_HOURS, allowedUses: uses },
        child,
      );
      return { privateKey: key.privateKeyPem, certificate: cert.certPem };
    };
    const { hostname, mgtHostname, dashboardHostname } = args.hostnames;
    const signing = ['digital_signature', 'key_encipherment', 'data_encipherment'];
    const primary: KeyPair = args.primary
      ? { privateKey: pulumi.secret(args.primary.privateKey), certificate: pulumi.output(args.primary.certificate) }
      : issue(`${name}-primary-${g}`, hostname, { dnsNames: [hostname], ipAddresses: [] }, signing);
    const internal = issue(`${name}-internal-${g}`, `${hostname} internal`, { dnsNames: [], ipAddresses: [] }, signing);
    if (args.databaseServerNames) {
      const names = args.databaseServerNames;
      const db = issue(`${name}-database-tls-${g}`, names[0], { dnsNames: names, ipAddresses: [] }, ['digital_signature', 'key_encipherment', 'server_auth']);
      this.databaseServer = { privateKey: pulumi.secret(db.privateKey), certificate: db.certificate };
    }
    // DAS nodes' carbon.xml KeyStore (shared by both analytics nodes; never IS's internal key).
    const analyticsInternal = args.flavor === 'das' ? issue(`${name}-analytics-internal-${g}`, `${hostname} analytics internal`, { dnsNames: [], ipAddresses: [] }, signing) : undefined;
    if (args.frontendPair) {
      const pair = issue(`${name}-frontend-${g}`, hostname, { dnsNames: [hostname, mgtHostname, dashboardHostname], ipAddresses: [] }, ['digital_signature', 'key_encipherment', 'server_auth']);
      this.frontend = { privateKey: pulumi.secret(pair.privateKey), certificate: pair.certificate };
    }
    this.certificates = { primary: pulumi.output(primary.certificate), internal: pulumi.output(internal.certificate) };

    this.passwords = {} as Record<KeystoreKind, pulumi.Output<string>>;
    for (const kind of ['primary', 'internal', 'tls', 'truststore'] as KeystoreKind[]) {
      this.passwords[kind] = new random.RandomPassword(`${name}-${kind}-password`, PASSWORD_ARGS, child).result;
    }

    this.material = {} as Record<NodeId, pulumi.Output<string>>;
    this.publicDigest = {} as Record<NodeId, pulumi.Output<string>>;
    for (const id of NODE_IDS) {
      const role = roleOfNode(id);
      const served = role === 'is' ? [hostname, mgtHostname] : [dashboardHostname];
      const sans = args.nodeSans[id];
      const nodeTls = issue(
        `${name}-${id}-tls-${g}`,
        id,
        {
          dnsNames: pulumi.output(sans.dnsNames).apply((d) => [...d, ...served, 'localhost']),
          ipAddresses: pulumi.output(sans.ipAddresses).apply((ips) => [...ips, '127.0.0.1']),
        },
        ['digital_signature', 'key_encipherment', 'server_auth', 'client_auth'],
      );
      const pairs: Partial<Record<KeystoreKind, KeyPair>> = { primary, internal: role === 'is' ? internal : analyticsInternal, tls: nodeTls };
      const parts = { ca: this.caCertificate, frontend: pulumi.output(args.frontendCertificate ?? ''), passwords: pulumi.all(this.passwords) };
      const bundles = args.trustedBundles ?? [];
      // A bundle counts by its pinned digest: a new bundle rolls the nodes like new certificates.
      const bundleIds = bundles.map((b) => `bundle:${b}:${CA_BUNDLES[b].sha256}`);
      const certs = pulumi.all(keystoresFor(role, args.flavor).flatMap((s) => (pairs[s.kind] ? [pairs[s.kind]!.certificate] : [])));
      this.publicDigest[id] = pulumi
        .all([parts.ca, parts.frontend, certs])
        .apply(([ca, fe, leaf]) => crypto.createHash('sha256').update([ca, fe, ...leaf, ...bundleIds].join('\u0000')).digest('hex'));
      const keys = pulumi.all(
        keystoresFor(role, args.flavor).flatMap((s) => (pairs[s.kind] ? [pulumi.all([pairs[s.kind]!.privateKey, pairs[s.kind]!.certificate])] : [])),
      );
      this.material[id] = pulumi.secret(
        pulumi.all([parts.ca, parts.frontend, parts.passwords, keys]).apply(([ca, fe, pw, kp]) => nodeMaterialJson(role, args.flavor, ca, fe, pw as Record<KeystoreKind, string>, kp, bundles)),
      );
    }
    this.registerOutputs({ caCertificate: this.caCertificate });
  }
}

/**
 * One node's keystore material document (applier/keystore-material.ts), as JSON.
 * @param role The node's role.
 * @param flavor The analytics flavour.
 * @param ca The deployment CA certificate.
 * @param frontend The front end's certificate, or '' for none.
 * @param passwords Store passwords by kind.
 * @param pairs [private key, certificate] of each key store of the role, in {@link keystoresFor} order.
 * @param trustedBundles Shipped CA bundles the truststore also holds (named, not copied: applier/ca-bundles.ts).
 */
export function nodeMaterialJson(
  role: Role,
  flavor: AnalyticsFlavor,
  ca: string,
  frontend: string,
  passwords: Record<KeystoreKind, string>,
  pairs: [string, string][],
  trustedBundles: CaBundleName[] = [],
): string {
  const specs = keystoresFor(role, flavor);
  const keyStores = specs.filter((s) => s.kind !== 'truststore');
  const trust = specs.find((s) => s.kind === 'truststore')!;
  const doc: KeystoreMaterial = {
    $schema: KEYSTORE_MATERIAL_SCHEMA,
    caCertificate: ca,
    trustedCertificates: frontend ? [{ alias: TRUSTSTORE_ALIASES.frontend, pem: frontend }] : [],
    keystores: keyStores.map((s, i) => {
      const [privateKey, certificate] = pairs[i];
      // A certificate the CA signed carries the CA in its chain; a supplied one stands alone.
      const chain = certificate.trim() === ca.trim() ? [certificate] : [certificate, ...(issuedBy(certificate, ca) ? [ca] : [])];
      return {
        file: s.file,
        storePassword: passwords[s.kind],
        entries: [{ alias: s.alias!, keyPassword: passwords[s.kind], privateKey, certificateChain: chain }],
      };
    }),
    truststore: { file: trust.file, storePassword: passwords.truststore },
    ...(trustedBundles.length > 0 ? { trustedBundles } : {}),
  };
  return JSON.stringify(doc);
}

/** Whether `leaf` is signed by `ca` (false when either does not parse: the applier says why). */
function issuedBy(leaf: string, ca: string): boolean {
  try {
    const l = new crypto.X509Certificate(leaf);
    const c = new crypto.X509Certificate(ca);
    return l.checkIssued(c) && l.verify(c.publicKey);
  } catch {
    return false;
  }
}
