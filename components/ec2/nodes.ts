/**
 * The nodes: one network interface per node first (its private IP feeds the topology model), then
 * per node its delivered files and the instance on that interface, with a constant user-data.
 * AZs alternate: node 1 of each role in the first private subnet, node 2 in the second, node 3 in
 * the first again (with more subnets, round robin).
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NODE_TAG_KEY, NodeId, ROLES, Role, nodeIds, roleOfNode } from '../../topology';
import type { NodeChangeSet } from '../../config-templates';
import { applierBundleFile } from '../../applier/bundle';
import { BootScriptInputs, ConfigBucket, bootScript, checkoutFileAsset, nodeFiles } from './config-delivery';
import { objectKeys } from './object-keys';
import { renderUserData } from './user-data';
import type { GroupRole } from './security-rules';

/** Graviton instance families (m6g, c7gn, t4g, ...) need arm64 images. */
export function instanceArch(instanceType: string): 'arm64' | 'x86_64' {
  return /^[a-z]+\d+[a-z]*g[a-z]*\./.test(instanceType) ? 'arm64' : 'x86_64';
}

export interface NodeInterfacesArgs {
  /** The stack's nodes (`nodeIds` of `is.nodeCount`), each role in order. */
  nodeIds: readonly NodeId[];
  /** Private subnets, AZ a then AZ b. */
  subnetIds: pulumi.Output<string>[];
  /** The platform's security groups (security-groups.ts): each node is in its role's. */
  groups: Record<GroupRole, aws.ec2.SecurityGroup>;
  /** Tags on every interface. */
  tags: Record<string, string>;
}

/**
 * One interface per node. Children: `${name}-<id>-eni`.
 * @param name Prefix of the children's logical names.
 * @param args Subnets and groups.
 * @param parent The platform component.
 */
export function nodeInterfaces(name: string, args: NodeInterfacesArgs, parent: pulumi.Resource): Record<NodeId, aws.ec2.NetworkInterface> {
  const enis = {} as Record<NodeId, aws.ec2.NetworkInterface>;
  for (const id of args.nodeIds) {
    const r = roleOfNode(id);
    const az = args.nodeIds.filter((x) => roleOfNode(x) === r).indexOf(id) % args.subnetIds.length;
    enis[id] = new aws.ec2.NetworkInterface(
      `${name}-${id}-eni`,
      { subnetId: args.subnetIds[az], securityGroups: [args.groups[r].id], description: `WSO2 pattern 2 ${id}`, tags: { ...args.tags, Name: `${name}-${id}` } },
      { parent },
    );
  }
  return enis;
}

/**
 * Each role's image: `ec2.amiId`, else the newest Amazon Linux 2023 for its instance type's architecture.
 * @param c The validated stack configuration.
 * @param parent The platform component (parent of the look-ups).
 */
function nodeImages(c: StackConfig, parent: pulumi.Resource): Record<Role, pulumi.Input<string>> {
  const amis = {} as Record<Role, pulumi.Input<string>>;
  for (const r of ROLES) {
    const arch = instanceArch(c[r].instanceType);
    amis[r] =
      c.ec2.amiId ??
      aws.ec2.getAmiOutput(
        {
          mostRecent: true,
          owners: ['amazon'],
          filters: [
            { name: 'name', values: [`al2023-ami-2023.*-${arch}`] },
            { name: 'architecture', values: [arch] },
            { name: 'virtualization-type', values: ['hvm'] },
          ],
        },
        { parent },
      ).id;
  }
  return amis;
}

export interface NodeInstancesArgs {
  /** The validated stack configuration. */
  config: StackConfig;
  /** The stack's region (user-data and boot script). */
  region: pulumi.Output<string>;
  /** Each node's interface (from {@link nodeInterfaces}): the instance's primary interface. */
  enis: Record<NodeId, aws.ec2.NetworkInterface>;
  /** Each node's instance profile (iam.ts; it waits for the node's policy). */
  profiles: Record<NodeId, aws.iam.InstanceProfile>;
  /** The bucket the node files go into. */
  store: ConfigBucket;
  /** Every node's change set, rendered from the model. */
  changeSets: pulumi.Output<NodeChangeSet[]>;
  /** The ids the boot scripts name (secret, EFS, db-init). */
  bootInputs: BootScriptInputs;
  /** What every instance waits for besides its own files (db-init, IAM policy, stores, NAT routes). */
  dependsOn: pulumi.Resource[];
  /** Tags on every instance. */
  tags: Record<string, string>;
}

/**
 * Per node: its files, then its instance. Children: `${name}-<id>` and those of `nodeFiles`.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, interfaces, profile, bucket and what the instances wait for.
 * @param parent The platform component.
 */
export function nodeInstances(name: string, args: NodeInstancesArgs, parent: pulumi.Resource): Record<NodeId, aws.ec2.Instance> {
  const { config: c, region, store } = args;
  const amis = nodeImages(c, parent);
  const applierJs = checkoutFileAsset(applierBundleFile());
  const instances = {} as Record<NodeId, aws.ec2.Instance>;
  const firstOfRole: Partial<Record<Role, pulumi.Resource[]>> = {};
  for (const id of nodeIds(c.is.nodeCount)) {
    const r = roleOfNode(id);
    // Nodes 2..N of a role follow node 1's objects: within one update node 1's files change
    // first, and (below) the other nodes' instances wait for node 1's.
    const after = firstOfRole[r] ?? [];
    const boot = bootScript(c, id, store, args.bootInputs);
    const files = nodeFiles(name, id, { store, changeSets: args.changeSets, applierJs, boot, after }, parent);
    const bootKey = objectKeys(id).boot;
    instances[id] = new aws.ec2.Instance(
      `${name}-${id}`,
      {
        ami: amis[r],
        instanceType: c[r].instanceType,
        iamInstanceProfile: args.profiles[id].name,
        primaryNetworkInterface: { networkInterfaceId: args.enis[id].id },
        metadataOptions: { httpTokens: 'required', httpEndpoint: 'enabled', httpPutResponseHopLimit: 1 },
        rootBlockDevice: { encrypted: true, volumeType: 'gp3', volumeSize: 40, deleteOnTermination: true },
        // Constant per node (see user-data.ts); a change would only stop/start, never replace.
        userData: pulumi.all([region, store.bucket.bucket]).apply(([reg, b]) => renderUserData({ nodeId: id, region: reg, bucket: b, bootKey })),
        userDataReplaceOnChange: false,
        tags: { ...args.tags, Name: `${name}-${id}`, [NODE_TAG_KEY]: id },
      },
      {
        parent,
        dependsOn: [...files, ...args.dependsOn, ...after],
        // The node's interface is its primary one: a replacement instance cannot take it while
        // the old one holds it, so the old instance goes first (`--replace`, AMI or subnet change).
        deleteBeforeReplace: true,
        // A newer Amazon Linux image must not replace both nodes of a role in one update:
        // roll it node by node with `pulumi up --replace <urn>` (docs/architecture.md).
        ignoreChanges: c.ec2.amiId ? [] : ['ami'],
      },
    );
    if (!firstOfRole[r]) firstOfRole[r] = [files[0], instances[id]];
  }
  return instances;
}
