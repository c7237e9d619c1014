/**
 * The stack outputs, one interface both platforms fill: the same name for the same fact on every
 * platform. Values are never secret (URLs, addresses, ids, ARNs, public certificates).
 */
import * as pulumi from '@pulumi/pulumi';

type Out<T> = pulumi.Output<T>;

export interface StackOutputs {
  /** The public IS URL: `https://<hostname>/`. */
  url: Out<string>;
  /** The management console on the public hostname: `https://<hostname>/carbon/`. */
  consoleUrl: Out<string>;
  /** The management console on the management hostname (is-1 behind nginx): `https://<mgtHostname>/carbon/`. */
  managementUrl: Out<string>;
  /** The analytics dashboard portal: `https://<dashboardHostname>/portal/`. */
  dashboardUrl: Out<string>;
  /** The front end's DNS name or address: the public NLB (EC2), the nginx LoadBalancer Service (Kubernetes; `pending` until it has one). */
  frontendAddress: Out<string>;
  /** The MySQL server as `host:port` (RDS, or the in-cluster Service). */
  databaseEndpoint: Out<string>;
  /** The deployment CA certificate (public PEM): every node certificate chains to it; clients trust it when no public certificate is supplied. */
  deploymentCaCertificate: Out<string>;

  // ---- EC2 only ----
  /** EC2: the dashboard NLB's DNS name. */
  dashboardFrontendAddress?: Out<string>;
  /** EC2: the internal NLB in front of the active analytics receivers. */
  internalNlbDnsName?: Out<string>;
  /** EC2: the CNAMEs to create in the stack's DNS zone (hostname -> NLB DNS name). */
  dnsRecords?: Out<Record<string, string>>;
  /** EC2: the EFS file system id. */
  efsId?: Out<string>;
  /** EC2: the ARN of the Secrets Manager secret holding the stack's passwords. */
  secretArn?: Out<string>;
  /** EC2: the S3 bucket delivering the nodes' configuration. */
  configBucket?: Out<string>;
  /** EC2: node id -> private address. */
  nodeAddresses?: Out<Record<string, string>>;
  /** EC2: node id -> instance id. */
  instanceIds?: Out<Record<string, string>>;

  // ---- Kubernetes only ----
  /** Kubernetes: the namespace everything is in. */
  namespace?: Out<string>;
  /** Kubernetes: the IS StatefulSet's name. */
  isStatefulSet?: Out<string>;
  /** Kubernetes: the analytics StatefulSet's name. */
  analyticsStatefulSet?: Out<string>;
}
