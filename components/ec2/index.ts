/**
 * Pattern 2 on AWS EC2: two IS nodes and two analytics nodes on their own instances spread over
 * two AZs, RDS MySQL, EFS for the shared trees, TLS-terminating NLBs for IS, the management
 * hostname and the analytics dashboard (certificate and DNS: edge.ts), and an internal NLB in
 * front of the analytics receivers.
 *
 * The node addresses are known before the instances exist: each node's network interface is
 * created first and its private IP feeds the topology model (wka members, event-sync hosts,
 * receiver URLs); the interface is then the instance's primary interface, so there is no cycle.
 * Every node's configuration is rendered from that model and delivered as SSE-encrypted S3
 * objects keyed per node; user-data stays constant (boot-script fetcher only), so a
 * configuration change never stops, restarts or replaces an instance (see user-data.ts).
 *
 * One file per resource family: security-groups.ts (rules from security-rules.ts), stores.ts
 * (secret, database, EFS), nodes.ts (interfaces, instances), config-delivery.ts (bucket and
 * objects, boot scripts from boot-script.ts), iam.ts (instance profile), load-balancers.ts.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import { StackConfig, topologyInput } from '../../config';
import { Credentials } from '../credentials';
import { ENVIRONMENT_TAG_KEY, NODE_IDS, NodeId, STACK_TAG_KEY, Topology, buildTopology } from '../../topology';
import { renderDbInit, renderNodeChangeSets } from '../../config-templates';
import { AwsNetwork } from '../aws/network';
import type { StackOutputs } from '../outputs';
import { addressFreeModel } from './security-rules';
import { securityGroups } from './security-groups';
import { stores } from './stores';
import { nodeInstances, nodeInterfaces } from './nodes';
import { configBucket, dbInitKey, deliveredObject } from './config-delivery';
import { nodeIdentity, nodeKeyAccess } from './iam';
import { KeyMaterial, NodeSans } from '../keys';
import { loadBalancers } from './load-balancers';
import { edgeCertificate, edgeDnsRecords } from './edge';
import { withAdminAccessFilter } from '../../config-templates/is/admin-access';

/** A value per node. */
function perNode<T>(f: (id: NodeId) => T): Record<NodeId, T> {
  return Object.fromEntries(NODE_IDS.map((id) => [id, f(id)])) as Record<NodeId, T>;
}

/**
 * Who reaches the IS nodes' admin surfaces (/carbon, /services): `network.adminCidrs`, the VPC
 * (health checks, in-VPC callers; the NLBs keep client addresses, so the internet never shows up
 * as a VPC address) and loopback, where SSM port forwarding to the node arrives.
 * @param c The validated stack configuration.
 * @param vpcCidr The VPC's CIDR.
 */
export function adminAllowCidrs(c: { network: { adminCidrs?: readonly string[] } }, vpcCidr: string): string[] {
  return [...(c.network.adminCidrs ?? []), vpcCidr, '127.0.0.0/8'];
}

/**
 * The stack's key material; the NLBs re-encrypt to the nodes, which also answer by the public
 * names (in the SANs anyway) and their private IPs. Without an ACM certificate from config, a
 * certificate for the public names too (edge.ts imports it into ACM).
 * @param name The component's name.
 * @param c The validated stack configuration.
 * @param enis The nodes' interfaces (their private IPs).
 * @param parent The platform component.
 */
function ec2KeyMaterial(name: string, c: StackConfig, enis: Record<NodeId, aws.ec2.NetworkInterface>, parent: pulumi.Resource): KeyMaterial {
  return new KeyMaterial(
    name,
    {
      generation: c.keys.generation,
      hostnames: { hostname: c.hostname, mgtHostname: c.mgtHostname, dashboardHostname: c.dashboardHostname },
      flavor: c.analytics.flavor,
      primary: c.keys.primaryPrivateKey && c.keys.primaryCertificate ? { privateKey: c.keys.primaryPrivateKey, certificate: c.keys.primaryCertificate } : undefined,
      nodeSans: perNode((id): NodeSans => ({ dnsNames: [], ipAddresses: [enis[id].privateIp] })),
      // The database is RDS: its CAs verify the server certificate for JDBC and db-init.
      trustedBundles: ['rds'],
      frontendPair: !c.acmCertificateArn && !c.dns.hostedZoneId,
    },
    { parent },
  );
}

export interface Ec2PlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

export class Ec2Platform extends pulumi.ComponentResource {
  public readonly outputs: StackOutputs;

  /**
   * @param name Prefix of every child's logical name.
   * @param args The stack configuration and credentials.
   * @param opts Options of the component (its parent).
   */
  constructor(name: string, args: Ec2PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:Ec2Platform', name, {}, opts);
    const c = args.config;
    const prod = c.environment === 'prod';
    const tags = { [STACK_TAG_KEY]: c.stack, [ENVIRONMENT_TAG_KEY]: c.environment };
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;

    const network = new AwsNetwork(
      `${name}-network`,
      { vpcId: c.network.vpcId, publicSubnetIds: c.network.publicSubnetIds, privateSubnetIds: c.network.privateSubnetIds, vpcCidr: c.network.vpcCidr, natPerAz: prod, tags },
      { parent: this },
    );
    const portModel = addressFreeModel(c);
    const groups = securityGroups(name, { config: c, vpcId: network.vpcId, portModel, tags }, this);
    // Node addresses first: the key material names them, the model and everything rendered from it follow.
    const enis = nodeInterfaces(name, { subnetIds: network.privateSubnetIds, groups, tags }, this);
    const keys = ec2KeyMaterial(`${name}-keys`, c, enis, this);
    const { secrets, db, efs, nodeKeys } = stores(
      name,
      { config: c, credentials: args.credentials, keys, subnetIds: network.privateSubnetIds, dbGroupId: groups.db.id, efsGroupId: groups.efs.id, tags },
      this,
    );
    const topology: pulumi.Output<Topology> = pulumi
      .all([pulumi.all(NODE_IDS.map((id) => enis[id].privateIp)), db.address, db.port])
      .apply(([ips, host, port]) => {
        const addresses = Object.fromEntries(NODE_IDS.map((id, i) => [id, ips[i]])) as Record<NodeId, string>;
        return buildTopology(topologyInput(c, addresses, host, port));
      });
    const dbInit = topology.apply((t) => renderDbInit(t));

    // Encrypted, private, versioned; emptied by destroy on test stacks.
    const store = configBucket(name, { forceDestroy: !prod, tags }, this);
    const dbInitObject = deliveredObject(
      `${name}-db-init`,
      { store, node: 'database', key: dbInit.apply(dbInitKey), content: dbInit.apply((d) => d.script), contentType: 'text/x-shellscript' },
      this,
    );
    const identity = nodeIdentity(name, { config: c, partition, secretArn: secrets.arn, bucketArn: store.bucket.arn, tags }, this);
    const instances = nodeInstances(
      name,
      {
        config: c,
        region,
        enis,
        profile: identity.profile,
        store,
        // EC2 only: the NLBs keep client addresses, so IS itself guards its admin surfaces.
        changeSets: pulumi.all([topology, network.vpcCidr]).apply(([t, vpcCidr]) => withAdminAccessFilter(renderNodeChangeSets(t), adminAllowCidrs(c, vpcCidr))),
        bootInputs: {
          region,
          dbInit,
          secretArn: secrets.arn,
          keysSecretArns: perNode((id) => nodeKeys[id].arn),
          keyDigests: keys.publicDigest,
          efsId: efs.id,
          accessPointIds: efs.accessPointIds,
          dbMasterUser: db.masterUsername,
          topology,
        },
        dependsOn: [dbInitObject, identity.policy, secrets, ...NODE_IDS.map((id) => nodeKeys[id]), db, efs, ...network.egressReady],
        tags,
      },
      this,
    );
    nodeKeyAccess(name, { role: identity.role, secretArns: perNode((id) => nodeKeys[id].arn), instanceArns: perNode((id) => instances[id].arn) }, this);
    const certificateArn = edgeCertificate(name, { config: c, frontend: keys.frontend, caCertificate: keys.caCertificate, tags }, this);
    const lbs = loadBalancers(
      name,
      { config: c, portModel, vpcId: network.vpcId, publicSubnetIds: network.publicSubnetIds, privateSubnetIds: network.privateSubnetIds, groups, instances, certificateArn, tags },
      this,
    );
    const { publicLb, mgtLb, dashLb, internalLb } = lbs;
    edgeDnsRecords(name, c, lbs, this);

    this.outputs = {
      url: pulumi.output(`https://${c.hostname}/`),
      consoleUrl: pulumi.output(`https://${c.hostname}/carbon/`),
      managementUrl: pulumi.output(`https://${c.mgtHostname}/carbon/`),
      dashboardUrl: pulumi.output(`https://${c.dashboardHostname}/portal/`),
      frontendAddress: publicLb.dnsName,
      dashboardFrontendAddress: dashLb.dnsName,
      internalNlbDnsName: internalLb.dnsName,
      /** CNAMEs to create in the stack's DNS zone (created by the program with dns.hostedZoneId). */
      dnsRecords: pulumi.all([publicLb.dnsName, mgtLb.dnsName, dashLb.dnsName]).apply(([isDns, mgtDns, dashDns]) => ({
        [c.hostname]: isDns,
        [c.mgtHostname]: mgtDns,
        [c.dashboardHostname]: dashDns,
      })),
      databaseEndpoint: db.endpoint,
      deploymentCaCertificate: keys.caCertificate,
      efsId: efs.id,
      secretArn: secrets.arn,
      configBucket: store.bucket.bucket,
      nodeAddresses: pulumi.output(Object.fromEntries(NODE_IDS.map((id) => [id, enis[id].privateIp]))),
      instanceIds: pulumi.output(Object.fromEntries(NODE_IDS.map((id) => [id, instances[id].id]))),
    };
    this.registerOutputs(this.outputs);
  }
}
