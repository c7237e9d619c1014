/**
 * Pattern 2 on Kubernetes (a local cluster or EKS): `is.nodeCount` IS pods (2 by default) and two
 * analytics pods with stable identities (StatefulSets + headless Services, so the topology's node addresses are pod DNS
 * names), a ReadWriteMany volume for the shared trees, MySQL in the cluster or on RDS, and an
 * nginx front end behind a LoadBalancer Service. Every pod gets its node's rendered change set,
 * applied by the shared applier in an init container; secrets reach the pods only as a Secret
 * file the applier reads (see docs/architecture.md, "Kubernetes platform").
 *
 * One file per resource family: secrets.ts, database.ts (MySQL, RDS, the db-init Job),
 * storage.ts (the shared volume, NFS), workloads.ts (node configuration, StatefulSets),
 * frontend.ts (nginx), network-policies.ts; the pure parts: names.ts, paths.ts, scripts.ts
 * (with shell/k8s-*.sh), checksums.ts, pod-specs.ts, product-pod-specs.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import { StackConfig, topologyInput } from '../../config';
import { Credentials } from '../credentials';
import { MYSQL_PORT, NodeId, Topology, buildTopology, nodeIds, roleOfNode } from '../../topology';
import { KeyMaterial, NodeSans } from '../keys';
import { renderNodeChangeSets } from '../../config-templates';
import { applierBundle } from '../../applier/bundle';
import type { StackOutputs } from '../outputs';
import { platformContext } from './context';
import { NAMES, STATEFULSET_OF, nodeAddresses, serviceDnsName } from './names';
import { platformSecrets } from './secrets';
import { dbInitJob, platformDatabase } from './database';
import { sharedVolume } from './storage';
import { nodeConfig, productStatefulSet } from './workloads';
import { frontend } from './frontend';
import { networkPolicies } from './network-policies';


/**
 * The SANs of each node's TLS certificate: its pod DNS name (the topology's node address) and its
 * headless Service's names (short, and in the namespace).
 * @param ns the namespace
 * @param isNodeCount the stack's `is.nodeCount`
 */
function keySans(ns: string, isNodeCount: number): Record<NodeId, NodeSans> {
  const addresses = nodeAddresses(ns);
  const out = {} as Record<NodeId, NodeSans>;
  for (const id of nodeIds(isNodeCount)) {
    const headless = STATEFULSET_OF[roleOfNode(id)].headless;
    out[id] = { dnsNames: [addresses[id], headless, serviceDnsName(headless, ns)], ipAddresses: [] };
  }
  return out;
}

/** The names clients reach the in-cluster MySQL Service by: its certificate's SANs (the model's host first). */
function mysqlServerNames(ns: string): string[] {
  return [serviceDnsName(NAMES.mysql, ns), NAMES.mysql, `${NAMES.mysql}.${ns}`, `${NAMES.mysql}.${ns}.svc`];
}

export interface KubernetesPlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

/** config.ts rejects these before any resource; the component only asserts it got a checked config. */
function assertValidated(cfg: StackConfig): void {
  if (
    (cfg.analytics.flavor === 'das' && !cfg.kubernetes.images.analyticsDas) ||
    (cfg.sharedStorage === 'efs' && !cfg.kubernetes.storageClass) ||
    (cfg.database === 'rds' && !(cfg.network.vpcId && cfg.network.privateSubnetIds)) ||
    !cfg.jdbcDriver.url.startsWith('https://')
  ) {
    throw new Error('KubernetesPlatform: the stack configuration was not validated by config.ts');
  }
}

export class KubernetesPlatform extends pulumi.ComponentResource {
  public readonly outputs: StackOutputs;

  /**
   * @param name the component's name; children are `${name}-<role>`
   * @param args the validated stack configuration and the stack's credentials
   * @param opts resource options of the component
   */
  constructor(name: string, args: KubernetesPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:KubernetesPlatform', name, {}, opts);
    const { config: cfg, credentials } = args;
    assertValidated(cfg);
    const { ctx, namespace } = platformContext(name, cfg, this);
    const ns = cfg.kubernetes.namespace;

    const keys = new KeyMaterial(
      `${name}-keys`,
      {
        generation: cfg.keys.generation,
        hostnames: { hostname: cfg.hostname, mgtHostname: cfg.mgtHostname, dashboardHostname: cfg.dashboardHostname },
        flavor: cfg.analytics.flavor,
        primary: cfg.keys.primaryPrivateKey && cfg.keys.primaryCertificate ? { privateKey: cfg.keys.primaryPrivateKey, certificate: cfg.keys.primaryCertificate } : undefined,
        nodeSans: keySans(ns, cfg.is.nodeCount),
        // nginx's own certificate when config brings it; otherwise the front end has one issued by
        // this CA (caSigner), trusted through the CA.
        frontendCertificate: cfg.tls.certificate,
        // On RDS its CAs verify the database server; the in-cluster MySQL's certificate is the deployment CA's.
        trustedBundles: cfg.database === 'rds' ? ['rds'] : [],
        // The in-cluster MySQL serves TLS on a certificate of the deployment CA, by its Service names.
        databaseServerNames: cfg.database === 'in-cluster' ? mysqlServerNames(ns) : undefined,
      },
      { parent: this },
    );
    const secrets = platformSecrets(ctx, credentials, keys);
    const db = platformDatabase(ctx, credentials, secrets.database, keys);

    // The model and what it renders (strings only, inside apply).
    const topology: pulumi.Output<Topology> = db.host.apply((host) => buildTopology(topologyInput(cfg, nodeAddresses(ns), host)));
    // The ports and shared directories do not depend on the database host: a host-free model
    // gives them without an Output, for container ports, Services and probes.
    const shape = buildTopology(topologyInput(cfg, nodeAddresses(ns), 'unused'));

    const sharedClaim = sharedVolume(ctx);
    const config = nodeConfig(ctx, applierBundle(), topology.apply((t) => renderNodeChangeSets(t)));
    const dbInit = dbInitJob(ctx, topology, db, secrets, namespace);

    const workload = {
      shape,
      config,
      secrets,
      dbInit,
      sharedClaim,
      keyDigests: keys.publicDigest,
      deps: [...(namespace ? [namespace] : []), config.applier, secrets.applier, sharedClaim, secrets.database, secrets.admin, secrets.keystore, secrets.keys, ...(secrets.analyticsVault ? [secrets.analyticsVault] : [])],
    };
    const isSts = productStatefulSet(ctx, 'is', workload);
    const analyticsSts = productStatefulSet(ctx, 'analytics', workload);
    const lb = frontend(ctx, topology, shape, [isSts], keys.caSigner);
    // Deny ingress by default, admit what the model allows.
    networkPolicies(ctx, shape);

    this.outputs = {
      namespace: namespace ? namespace.metadata.name : pulumi.output(ns),
      url: pulumi.output(`https://${cfg.hostname}/`),
      consoleUrl: pulumi.output(`https://${cfg.hostname}/carbon/`),
      managementUrl: pulumi.output(`https://${cfg.mgtHostname}/carbon/`),
      dashboardUrl: pulumi.output(`https://${cfg.dashboardHostname}/portal/`),
      frontendAddress: lb.status.apply((s) => s?.loadBalancer?.ingress?.[0]?.hostname ?? s?.loadBalancer?.ingress?.[0]?.ip ?? 'pending'),
      databaseEndpoint: pulumi.interpolate`${db.host}:${MYSQL_PORT}`,
      deploymentCaCertificate: keys.caCertificate,
      isStatefulSet: isSts.metadata.name,
      analyticsStatefulSet: analyticsSts.metadata.name,
    };
    this.registerOutputs(this.outputs);
  }
}
