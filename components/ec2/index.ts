/**
 * Pattern 2 on AWS EC2: two IS nodes and two analytics nodes on their own instances spread over
 * two AZs, RDS MySQL, EFS for the shared trees, a public NLB for IS, one for the analytics
 * dashboard, and an internal NLB in front of the analytics receivers.
 *
 * The node addresses are known before the instances exist: each node's network interface is
 * created first and its private IP feeds the topology model (wka members, event-sync hosts,
 * receiver URLs); the interface is then the instance's primary interface, so there is no cycle.
 * Every node's configuration is rendered from that model and delivered as SSE-encrypted S3
 * objects keyed per node; user-data stays constant (boot-script fetcher only), so a
 * configuration change never stops, restarts or replaces an instance (see user-data.ts).
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import { StackConfig, topologyInput } from '../../config';
import { Credentials } from '../credentials';
import {
  ANALYTICS_HOME_LINK,
  NODE_IDS,
  NodeId,
  PortName,
  Role,
  Topology,
  buildTopology,
  jdbcDriverDir,
  processesFor,
  sharedDirectoriesFor,
} from '../../topology';
import { changeSetPayload, renderDbInit, renderNodeChangeSets } from '../../config-templates';
import { applierBundle } from '../../applier/bundle';
import { AwsNetwork } from '../aws/network';
import { MYSQL_PORT, stackDatabase } from '../aws/rds';
import type { StackOutputs } from '../outputs';
import { EfsFileSystem } from '../aws/efs';
import { StackSecrets } from '../aws/secrets';
import { awsName } from '../aws/names';
import { GROUP_ROLES, GroupRole, frontendPorts, internalLbPorts, securityRules } from './security';
import { renderBootScript } from './boot-script';
import { renderUserData } from './user-data';

/** Tag (and `plan` convention) naming the node a delivered file is for. */
export const NODE_TAG = 'wso2-pattern2/node';
/** Fixed uid/gid of the `wso2` user on every node (owner of the EFS access point roots). */
export const WSO2_UID = 802;
/** Where the nodes mount their role's EFS access point. */
export const SHARED_MOUNT = '/mnt/wso2-shared';
/** Product homes on the nodes. */
export const PRODUCT_HOMES: Record<Role, string> = { is: '/opt/wso2/is', analytics: '/opt/wso2/analytics' };

/** Bucket keys of a node's delivered files. */
export function objectKeys(id: NodeId): { boot: string; changeSet: string; applier: string } {
  return { boot: `nodes/${id}/boot.sh`, changeSet: `nodes/${id}/change-set.json`, applier: `nodes/${id}/applier.js` };
}
export const DB_INIT_KEY_PREFIX = 'shared/';

/** Graviton instance families (m6g, c7gn, t4g, ...) need arm64 images. */
export function instanceArch(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

/** `s3://bucket/key` -> the object's ARN (packs the nodes may read), else undefined. */
export function s3ObjectArn(url: string | undefined, partition: string): string | undefined {
  const m = url ? /^s3:\/\/([^/]+)\/(.+)$/.exec(url) : null;
  return m ? `arn:${partition}:s3:::${m[1]}/${m[2]}` : undefined;
}

export interface Ec2PlatformArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's credentials (Pulumi secrets). */
  credentials: Credentials;
}

export class Ec2Platform extends pulumi.ComponentResource {
  public readonly outputs: StackOutputs;

  constructor(name: string, args: Ec2PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
    super('wso2:pattern2:Ec2Platform', name, {}, opts);
    const c = args.config;
    const prod = c.environment === 'prod';
    const parent = { parent: this };
    const tags = { 'wso2-pattern2/stack': c.stack, 'wso2-pattern2/environment': c.environment };
    const region = aws.getRegionOutput({}, parent).region;
    const partition = aws.getPartitionOutput({}, parent).partition;
    /** Physical names with short limits: project, stack and role, hash-cut to 32 characters. */
    const shortName = (...parts: (string | number)[]) => awsName(['wso2', c.stack, ...parts.map(String)]);

    // ---- network and security groups (rules from the topology model) ----
    const network = new AwsNetwork(
      `${name}-network`,
      {
        vpcId: c.network.vpcId,
        publicSubnetIds: c.network.publicSubnetIds,
        privateSubnetIds: c.network.privateSubnetIds,
        vpcCidr: c.network.vpcCidr,
        natPerAz: prod,
        tags,
      },
      parent,
    );
    const groups = {} as Record<GroupRole, aws.ec2.SecurityGroup>;
    for (const g of GROUP_ROLES) {
      groups[g] = new aws.ec2.SecurityGroup(
        `${name}-sg-${g}`,
        { vpcId: network.vpcId, description: `WSO2 pattern 2 ${g} (rules are separate resources)`, tags: { ...tags, Name: `${name}-${g}` } },
        parent,
      );
    }
    // Ports and peers do not depend on addresses: a model with blank addresses gives the rules.
    const blank = Object.fromEntries(NODE_IDS.map((id) => [id, ''])) as Record<NodeId, string>;
    const portModel = buildTopology(topologyInput(c, blank, '', MYSQL_PORT));
    const urls = [c.is.packUrl, c.analytics.packUrl, c.jdbcDriver.url];
    const rules = securityRules(portModel, {
      ingressCidrs: c.network.ingressCidrs,
      sshCidr: c.network.sshCidr,
      internetEgressPorts: urls.some((u) => u?.startsWith('http://')) ? [443, 80] : [443],
    });
    for (const r of rules) {
      const peer =
        'group' in r.peer ? { referencedSecurityGroupId: groups[r.peer.group].id } : { cidrIpv4: r.peer.cidr };
      const ruleArgs = { securityGroupId: groups[r.group].id, ipProtocol: 'tcp', fromPort: r.port, toPort: r.port, description: r.description, ...peer, tags };
      if (r.direction === 'ingress') new aws.vpc.SecurityGroupIngressRule(`${name}-${r.key}`, ruleArgs, parent);
      else new aws.vpc.SecurityGroupEgressRule(`${name}-${r.key}`, ruleArgs, parent);
    }

    // ---- credentials, database, shared file system (protected on prod) ----
    const secrets = new StackSecrets(
      `${name}-secrets`,
      {
        values: {
          db_password: args.credentials.dbPassword,
          db_master_password: args.credentials.dbMasterPassword,
          admin_password: args.credentials.adminPassword,
        },
        recoveryWindowInDays: prod ? 30 : 0,
        tags,
      },
      { parent: this, protect: prod },
    );
    const db = stackDatabase(
      `${name}-db`,
      { config: c, masterPassword: args.credentials.dbMasterPassword, subnetIds: network.privateSubnetIds, securityGroupIds: [groups.db.id], tags },
      parent,
    );
    const roles: Role[] = ['is', 'analytics'];
    const efs = new EfsFileSystem(
      `${name}-efs`,
      {
        subnetIds: network.privateSubnetIds,
        securityGroupIds: [groups.efs.id],
        accessPoints: Object.fromEntries(
          roles.map((r) => [r, { path: `/${r}`, ownerUid: WSO2_UID, ownerGid: WSO2_UID, permissions: '0750' }]),
        ),
        backup: prod,
        tags,
      },
      { parent: this, protect: prod },
    );

    // ---- node addresses first: one network interface per node, AZs alternate ----
    const roleOf = (id: NodeId): Role => (id.startsWith('is-') ? 'is' : 'analytics');
    const enis = {} as Record<NodeId, aws.ec2.NetworkInterface>;
    NODE_IDS.forEach((id) => {
      const az = id.endsWith('1') ? 0 : 1;
      enis[id] = new aws.ec2.NetworkInterface(
        `${name}-${id}-eni`,
        {
          subnetId: network.privateSubnetIds[az],
          securityGroups: [groups[roleOf(id)].id],
          description: `WSO2 pattern 2 ${id}`,
          tags: { ...tags, Name: `${name}-${id}` },
        },
        parent,
      );
    });

    // ---- the model and everything rendered from it (strings only inside apply) ----
    const topology: pulumi.Output<Topology> = pulumi
      .all([pulumi.all(NODE_IDS.map((id) => enis[id].privateIp)), db.address, db.port])
      .apply(([ips, host, port]) => {
        const addresses = Object.fromEntries(NODE_IDS.map((id, i) => [id, ips[i]])) as Record<NodeId, string>;
        return buildTopology(topologyInput(c, addresses, host, port));
      });
    const changeSets = topology.apply((t) => renderNodeChangeSets(t));
    const dbInit = topology.apply((t) => renderDbInit(t));

    // ---- the stack bucket: encrypted, private, versioned; emptied by destroy on test stacks ----
    const bucket = new aws.s3.Bucket(`${name}-config`, { forceDestroy: !prod, tags }, parent);
    const pab = new aws.s3.BucketPublicAccessBlock(
      `${name}-config`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      parent,
    );
    new aws.s3.BucketOwnershipControls(`${name}-config`, { bucket: bucket.id, rule: { objectOwnership: 'BucketOwnerEnforced' } }, parent);
    const sse = new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-config`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }] },
      parent,
    );
    const versioning = new aws.s3.BucketVersioning(`${name}-config`, { bucket: bucket.id, versioningConfiguration: { status: 'Enabled' } }, parent);
    const object = (res: string, node: string, key: pulumi.Input<string>, content: pulumi.Input<string>, contentType: string, dependsOn: pulumi.Resource[] = []) =>
      new aws.s3.BucketObjectv2(
        res,
        { bucket: bucket.id, key, content, contentType, serverSideEncryption: 'AES256', tags: { ...tags, [NODE_TAG]: node } },
        { parent: this, dependsOn: [pab, sse, versioning, ...dependsOn] },
      );
    const dbInitObject = object(
      `${name}-db-init`,
      'database',
      dbInit.apply((d) => `${DB_INIT_KEY_PREFIX}${d.fileName ?? 'db-init.sh'}`),
      dbInit.apply((d) => d.script),
      'text/x-shellscript',
    );
    const applierJs = applierBundle();

    // ---- the nodes' identity: SSM core + read this stack's secret and config objects only ----
    const role = new aws.iam.Role(
      `${name}-node-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
        }),
        tags,
      },
      parent,
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-node-ssm`,
      { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/AmazonSSMManagedInstanceCore` },
      parent,
    );
    const packArns = partition.apply((p) =>
      [c.is.packUrl, c.analytics.packUrl, c.jdbcDriver.url].map((u) => s3ObjectArn(u, p)).filter((a): a is string => a !== undefined),
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-node-access`,
      {
        role: role.id,
        policy: pulumi.all([secrets.arn, bucket.arn, packArns]).apply(([secretArn, bucketArn, packs]) =>
          JSON.stringify({
            Version: '2012-10-17',
            Statement: [
              { Sid: 'StackSecret', Effect: 'Allow', Action: ['secretsmanager:GetSecretValue'], Resource: [secretArn] },
              {
                Sid: 'StackConfigObjects',
                Effect: 'Allow',
                Action: ['s3:GetObject'],
                Resource: [`${bucketArn}/nodes/*`, `${bucketArn}/${DB_INIT_KEY_PREFIX}*`, ...packs],
              },
            ],
          }),
        ),
      },
      parent,
    );
    const profile = new aws.iam.InstanceProfile(`${name}-node-profile`, { role: role.name, tags }, parent);

    // ---- per node: delivered objects, then the instance on its interface ----
    const amis: Record<Role, pulumi.Input<string>> = {} as Record<Role, pulumi.Input<string>>;
    for (const r of roles) {
      amis[r] =
        c.ec2.amiId ??
        aws.ec2.getAmiOutput(
          {
            mostRecent: true,
            owners: ['amazon'],
            filters: [
              { name: 'name', values: [`al2023-ami-2023.*-${instanceArch(c[r].instanceType)}`] },
              { name: 'architecture', values: [instanceArch(c[r].instanceType)] },
              { name: 'virtualization-type', values: ['hvm'] },
            ],
          },
          parent,
        ).id;
    }
    const instances = {} as Record<NodeId, aws.ec2.Instance>;
    const firstOfRole: Partial<Record<Role, pulumi.Resource[]>> = {};
    for (const id of NODE_IDS) {
      const r = roleOf(id);
      const keys = objectKeys(id);
      // Node 2 of a role follows node 1's objects: within one update the nodes' files change in
      // order, and (below) node 2's instance waits for node 1's.
      const after = firstOfRole[r] ?? [];
      const changeSetObj = object(
        `${name}-${id}-change-set`,
        id,
        keys.changeSet,
        changeSets.apply((all) => changeSetPayload(all.find((cs) => cs.nodeId === id)!)),
        'application/json',
        after,
      );
      const applierObj = object(`${name}-${id}-applier`, id, keys.applier, applierJs, 'application/javascript', after);
      const boot = pulumi
        .all([region, bucket.bucket, dbInit, secrets.arn, efs.id, efs.accessPointIds[r]])
        .apply(([reg, b, d, secretArn, fsId, apId]) =>
          renderBootScript({
            nodeId: id,
            role: r,
            flavor: c.analytics.flavor,
            productHome: PRODUCT_HOMES[r],
            packUrl: c.ec2.amiId ? undefined : c[r].packUrl,
            javaPackage: c.ec2.javaPackage,
            jdbcDriverUrl: c.jdbcDriver.url,
            jdbcDriverSha256: c.jdbcDriver.sha256,
            jdbcDriverDir: jdbcDriverDir(r, c.analytics.flavor),
            region: reg,
            bucket: b,
            keys: { changeSet: keys.changeSet, applier: keys.applier, dbInit: `${DB_INIT_KEY_PREFIX}${d.fileName ?? 'db-init.sh'}` },
            secretArn,
            efs: { fileSystemId: fsId, accessPointId: apId },
            sharedMount: SHARED_MOUNT,
            sharedDirectories: sharedDirectoriesFor(c.analytics.flavor).filter((s) => s.role === r),
            processes: processesFor(r, c.analytics.flavor),
            uid: WSO2_UID,
            dbMasterUser: db.masterUsername,
            homeLink: r === 'analytics' && c.analytics.flavor === 'das' ? ANALYTICS_HOME_LINK : undefined,
          }),
        );
      const bootObj = object(`${name}-${id}-boot`, id, keys.boot, boot, 'text/x-shellscript', after);
      const nodeObjects = [changeSetObj, applierObj, bootObj];
      instances[id] = new aws.ec2.Instance(
        `${name}-${id}`,
        {
          ami: amis[r],
          instanceType: c[r].instanceType,
          iamInstanceProfile: profile.name,
          primaryNetworkInterface: { networkInterfaceId: enis[id].id },
          metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
          rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: 40, deleteOnTermination: true },
          // Constant per node (see user-data.ts); a change would only stop/start, never replace.
          userData: pulumi.all([region, bucket.bucket]).apply(([reg, b]) => renderUserData({ nodeId: id, region: reg, bucket: b, bootKey: keys.boot })),
          userDataReplaceOnChange: false,
          tags: { ...tags, Name: `${name}-${id}`, [NODE_TAG]: id },
        },
        {
          parent: this,
          dependsOn: [...nodeObjects, dbInitObject, policy, secrets, db, efs, ...network.egressReady, ...after],
          // The node's interface is its primary one: a replacement instance cannot take it while
          // the old one holds it, so the old instance goes first (`--replace`, AMI or subnet change).
          deleteBeforeReplace: true,
          // A newer Amazon Linux image must not replace both nodes of a role in one update:
          // roll it node by node with `pulumi up --replace <urn>` (docs/architecture.md).
          ignoreChanges: c.ec2.amiId ? [] : ['ami'],
        },
      );
      if (!firstOfRole[r]) firstOfRole[r] = [changeSetObj, instances[id]];
    }

    // ---- load balancers (names hash-cut to 32 characters for any stack name) ----
    const portOf = (t: Topology, n: PortName) => t.ports[n];
    const targetGroup = (key: string, port: number, health: aws.types.input.lb.TargetGroupHealthCheck, sticky: boolean) =>
      new aws.lb.TargetGroup(
        `${name}-tg-${key}`,
        {
          name: shortName(key, port),
          port,
          protocol: 'TCP',
          targetType: 'instance',
          vpcId: network.vpcId,
          deregistrationDelay: 30,
          stickiness: { type: 'source_ip', enabled: sticky },
          // timeout below the interval, explicitly: the NLB default (10 s for TCP and HTTPS checks)
          // is not below a 10 s interval.
          healthCheck: { healthyThreshold: 2, unhealthyThreshold: 2, interval: 10, timeout: 5, ...health },
          tags,
        },
        { parent: this, deleteBeforeReplace: true },
      );
    const attach = (key: string, tg: aws.lb.TargetGroup, ids: NodeId[], port: number) =>
      ids.forEach((id) => new aws.lb.TargetGroupAttachment(`${name}-tg-${key}-${id}`, { targetGroupArn: tg.arn, targetId: instances[id].id, port }, parent));
    const listener = (key: string, lb: aws.lb.LoadBalancer, port: number, tg: aws.lb.TargetGroup) =>
      new aws.lb.Listener(`${name}-listener-${key}`, { loadBalancerArn: lb.arn, port, protocol: 'TCP', defaultActions: [{ type: 'forward', targetGroupArn: tg.arn }], tags }, parent);
    const nlb = (key: string, internal: boolean, sg: GroupRole) =>
      new aws.lb.LoadBalancer(
        `${name}-${key}`,
        {
          name: shortName(key),
          loadBalancerType: 'network',
          internal,
          subnets: internal ? network.privateSubnetIds : network.publicSubnetIds,
          securityGroups: [groups[sg].id],
          enableCrossZoneLoadBalancing: true,
          tags,
        },
        { parent: this, deleteBeforeReplace: true },
      );

    const isNodes: NodeId[] = ['is-1', 'is-2'];
    const anNodes: NodeId[] = ['analytics-1', 'analytics-2'];
    const publicLb = nlb('nlb', false, 'nlb');
    const dashLb = nlb('dash', false, 'nlb');
    const internalLb = nlb('recv', true, 'internal-nlb');
    // 443 -> IS HTTPS, TLS passed through (the nodes hold the certificate), sticky by client IP.
    const isPorts = frontendPorts(portModel, 'is');
    const httpsPort = portOf(portModel, 'isHttps');
    const httpPort = portOf(portModel, 'isHttp');
    if (!isPorts.some((p) => p.port === httpsPort) || !isPorts.some((p) => p.port === httpPort)) {
      throw new Error('the topology no longer opens isHttps/isHttp to the front end');
    }
    const tgHttps = targetGroup('is-https', httpsPort, { protocol: 'HTTPS', path: processesFor('is', c.analytics.flavor)[0].healthPath!, port: 'traffic-port', matcher: '200-399' }, true);
    attach('is-https', tgHttps, isNodes, httpsPort);
    listener('https', publicLb, portModel.frontendPorts.https, tgHttps);
    const tgHttp = targetGroup('is-http', httpPort, { protocol: 'TCP', port: 'traffic-port' }, true);
    attach('is-http', tgHttp, isNodes, httpPort);
    listener('http', publicLb, portModel.frontendPorts.http, tgHttp);
    // Dashboard: its own NLB, so it is served on the front end's HTTPS port like the model says.
    for (const p of frontendPorts(portModel, 'analytics')) {
      const tg = targetGroup(`an-${p.name}`, p.port, { protocol: 'TCP', port: 'traffic-port' }, true);
      attach(`an-${p.name}`, tg, anNodes, p.port);
      listener(`dash-${p.name}`, dashLb, portModel.frontendPorts.https, tg);
    }
    // Receivers: a TCP health check on the receiver port keeps only the ACTIVE analytics node in
    // service (seed 004: the passive node keeps these ports closed).
    for (const p of internalLbPorts(portModel)) {
      const tg = targetGroup(`rx-${p.name}`, p.port, { protocol: 'TCP', port: 'traffic-port' }, false);
      attach(`rx-${p.name}`, tg, anNodes, p.port);
      listener(`rx-${p.name}`, internalLb, p.port, tg);
    }

    this.outputs = {
      url: pulumi.output(`https://${c.hostname}/`),
      consoleUrl: pulumi.output(`https://${c.hostname}/carbon/`),
      managementUrl: pulumi.output(`https://${c.mgtHostname}/carbon/`),
      dashboardUrl: pulumi.output(`https://${c.dashboardHostname}/portal/`),
      frontendAddress: publicLb.dnsName,
      dashboardFrontendAddress: dashLb.dnsName,
      internalNlbDnsName: internalLb.dnsName,
      /** CNAMEs to create in the stack's DNS zone. */
      dnsRecords: pulumi.all([publicLb.dnsName, dashLb.dnsName]).apply(([isDns, dashDns]) => ({
        [c.hostname]: isDns,
        [c.mgtHostname]: isDns,
        [c.dashboardHostname]: dashDns,
      })),
      databaseEndpoint: db.endpoint,
      efsId: efs.id,
      secretArn: secrets.arn,
      configBucket: bucket.bucket,
      nodeAddresses: pulumi.output(Object.fromEntries(NODE_IDS.map((id) => [id, enis[id].privateIp]))),
      instanceIds: pulumi.output(Object.fromEntries(NODE_IDS.map((id) => [id, instances[id].id]))),
    };
    this.registerOutputs(this.outputs);
  }
}
