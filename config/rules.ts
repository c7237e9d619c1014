/**
 * Rules between keys: platform restrictions and settings that only make sense together. Each is
 * a named check over the flat parsed values (`StackValues`); it runs as soon as the last key it
 * `needs` is parsed (table order), so an input with several mistakes reports the first one.
 */
import { X509Certificate, createPrivateKey } from 'crypto';
import { analyticsPortRules, isPortRules, portClashes } from '../topology';
import { ConfigError, ValuesOf } from './fields';
import { ConfigKey, Schema } from './schema';

/** Every key of the table, parsed (unset optional keys absent). */
export type StackValues = ValuesOf<Schema>;

export interface Rule {
  /** The keys it reads; it runs right after the last of them is parsed. */
  needs: readonly ConfigKey[];
  /** Throws a ConfigError naming the key to fix and what is accepted. */
  check: (c: StackValues) => void;
}

function hostnamesDiffer(c: StackValues): void {
  const names = [c.hostname, c.mgtHostname, c.dashboardHostname];
  if (new Set(names).size !== names.length) {
    throw new ConfigError(c.mgtHostname === c.hostname ? 'mgtHostname' : 'dashboardHostname', 'hostname, mgtHostname and dashboardHostname must all differ');
  }
}

function noPortUsedTwiceOnANode(c: StackValues): void {
  for (const [role, rules] of [
    ['IS', isPortRules(c.ports)],
    ['analytics', analyticsPortRules(c.ports, c.analytics.flavor)],
  ] as const) {
    const clashes = portClashes(rules);
    if (clashes.length) throw new ConfigError('ports', `a port is used twice on one ${role} node: ${clashes.join('; ')}`);
  }
}

function inClusterServicesNeedKubernetes(c: StackValues): void {
  if (c.platform !== 'ec2') return;
  if (c.database !== 'rds') throw new ConfigError('database', `"${c.database}" needs platform kubernetes; accepted on ec2: rds`);
  if (c.sharedStorage !== 'efs') throw new ConfigError('sharedStorage', `"${c.sharedStorage}" needs platform kubernetes; accepted on ec2: efs`);
}

function existingVpcIsComplete(c: StackValues): void {
  const n = c.network;
  const given = [n.vpcId, n.publicSubnetIds, n.privateSubnetIds].filter((x) => x !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new ConfigError('network.vpcId', 'an existing VPC needs all of vpcId, publicSubnetIds and privateSubnetIds');
  }
}

function podsDownloadTheDriverOverHttps(c: StackValues): void {
  if (c.platform === 'kubernetes' && !c.jdbcDriver.url.startsWith('https://')) {
    throw new ConfigError('jdbcDriver.url', `"${c.jdbcDriver.url}" is not valid on kubernetes (the pods download it without AWS credentials); accepted: an https URL`);
  }
}

function ec2NodesHaveAnAmiOrPacks(c: StackValues): void {
  if (c.platform === 'ec2' && !c.ec2.amiId && (!c.is.packUrl || !c.analytics.packUrl)) {
    throw new ConfigError(c.is.packUrl ? 'analytics.packUrl' : 'is.packUrl', 'EC2 nodes need either ec2.amiId (a pre-baked AMI) or both is.packUrl and analytics.packUrl');
  }
}

function dasOnKubernetesHasAnImage(c: StackValues): void {
  if (c.platform === 'kubernetes' && c.analytics.flavor === 'das' && !c.kubernetes.images.analyticsDas) {
    throw new ConfigError(
      'kubernetes.images.analyticsDas',
      'analytics.flavor das on kubernetes needs a DAS-based IS Analytics image: there is no official public one, so build one and set it here (pinned by tag or digest)',
    );
  }
}

function efsOnKubernetesHasAStorageClass(c: StackValues): void {
  if (c.platform === 'kubernetes' && c.sharedStorage === 'efs' && !c.kubernetes.storageClass) {
    throw new ConfigError('kubernetes.storageClass', 'sharedStorage efs needs the name of an EFS CSI StorageClass (ReadWriteMany); accepted without one: sharedStorage nfs');
  }
}

function rdsOnKubernetesHasTheClusterVpc(c: StackValues): void {
  if (c.platform === 'kubernetes' && c.database === 'rds' && !c.network.vpcId) {
    throw new ConfigError('network.vpcId', 'database rds on kubernetes needs the cluster VPC: network.vpcId, publicSubnetIds and privateSubnetIds; accepted without them: database in-cluster');
  }
}

function tlsCertificateAndKeyTogether(c: StackValues): void {
  if ((c.tlsCertificate === undefined) !== (c.tlsPrivateKey === undefined)) {
    throw new ConfigError(c.tlsCertificate ? 'tlsPrivateKey' : 'tlsCertificate', 'tlsCertificate and tlsPrivateKey go together: set both or neither');
  }
}

function frontEndCertificateOnlyOnKubernetes(c: StackValues): void {
  // The EC2 NLBs take their certificate from ACM, so a PEM front-end certificate would be
  // silently unused: say so instead.
  if (c.tlsCertificate !== undefined && c.platform === 'ec2') {
    throw new ConfigError(
      'tlsCertificate',
      'is used by the nginx front end on platform kubernetes; on ec2 the NLBs use an ACM certificate: set acmCertificateArn, or dns.hostedZoneId for a DNS-validated one, and leave tlsCertificate and tlsPrivateKey unset',
    );
  }
}

function awsEdgeOnlyOnEc2(c: StackValues): void {
  // The Kubernetes front end is nginx with tlsCertificate; nothing there would read these.
  if (c.platform !== 'ec2' && c.dns.hostedZoneId !== undefined) {
    throw new ConfigError('dns.hostedZoneId', 'is used by the EC2 NLBs only; on platform kubernetes leave it unset (create the records for the front end yourself)');
  }
  if (c.platform !== 'ec2' && c.acmCertificateArn !== undefined) {
    throw new ConfigError('acmCertificateArn', 'is used by the EC2 NLBs only; on platform kubernetes use tlsCertificate and tlsPrivateKey');
  }
}

/**
 * A user-supplied primary key pair: both or neither, PEM, RSA >= 2048 bits (IS's Secure Vault encrypts
 * with the primary certificate's key, and the cipher tool's transformation is RSA),
 * the certificate matching the key. Messages name the key, never quote it.
 */
function primaryKeyPairValid(c: StackValues): void {
  const { primaryPrivateKey: key, primaryCertificate: cert } = c.keys;
  if ((key === undefined) !== (cert === undefined)) {
    throw new ConfigError(key === undefined ? 'keys.primaryPrivateKey' : 'keys.primaryCertificate', 'keys.primaryPrivateKey and keys.primaryCertificate go together: set both or neither');
  }
  if (key === undefined || cert === undefined) return;
  const KEY = 'keys.primaryPrivateKey';
  const m = /^-----BEGIN ((?:RSA |EC )?PRIVATE KEY)-----\r?\n[A-Za-z0-9+/=\r\n]+-----END \1-----$/.exec(key.trim());
  if (!m) throw new ConfigError(KEY, 'is not one unencrypted PEM private key (BEGIN PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)');
  let k;
  try {
    k = createPrivateKey(key);
  } catch {
    throw new ConfigError(KEY, 'is not a readable private key');
  }
  const d = k.asymmetricKeyDetails ?? {};
  if (k.asymmetricKeyType !== 'rsa' || (d.modulusLength ?? 0) < 2048) {
    throw new ConfigError(KEY, `is a ${k.asymmetricKeyType} key${d.modulusLength ? ` of ${d.modulusLength} bits` : d.namedCurve ? ` on ${d.namedCurve}` : ''}; accepted: RSA >= 2048 bits (Secure Vault encrypts with it)`);
  }
  const CERT = 'keys.primaryCertificate';
  if (!/^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----$/.test(cert.trim())) {
    throw new ConfigError(CERT, 'is not one PEM certificate (BEGIN CERTIFICATE)');
  }
  let x;
  try {
    x = new X509Certificate(cert);
  } catch {
    throw new ConfigError(CERT, 'is not a readable X.509 certificate');
  }
  if (!x.checkPrivateKey(k)) throw new ConfigError(CERT, 'does not match keys.primaryPrivateKey');
}

/** In the order they are checked when they become ready together. */
export const RULES: readonly Rule[] = [
  { needs: ['hostname', 'mgtHostname', 'dashboardHostname'], check: hostnamesDiffer },
  { needs: ['analytics', 'ports'], check: noPortUsedTwiceOnANode },
  { needs: ['platform', 'database', 'sharedStorage'], check: inClusterServicesNeedKubernetes },
  { needs: ['network'], check: existingVpcIsComplete },
  { needs: ['platform', 'jdbcDriver'], check: podsDownloadTheDriverOverHttps },
  { needs: ['platform', 'is', 'analytics', 'ec2'], check: ec2NodesHaveAnAmiOrPacks },
  { needs: ['platform', 'analytics', 'kubernetes'], check: dasOnKubernetesHasAnImage },
  { needs: ['platform', 'sharedStorage', 'kubernetes'], check: efsOnKubernetesHasAStorageClass },
  { needs: ['platform', 'database', 'network', 'kubernetes'], check: rdsOnKubernetesHasTheClusterVpc },
  { needs: ['tlsCertificate', 'tlsPrivateKey'], check: tlsCertificateAndKeyTogether },
  { needs: ['platform', 'tlsCertificate', 'tlsPrivateKey'], check: frontEndCertificateOnlyOnKubernetes },
  { needs: ['platform', 'dns', 'acmCertificateArn'], check: awsEdgeOnlyOnEc2 },
  { needs: ['keys'], check: primaryKeyPairValid },
];
