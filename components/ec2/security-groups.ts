/**
 * The security groups of the EC2 platform and their rules: one group per {@link GroupRole}, every
 * rule a standalone resource (no inline rules), the set given by security-rules.ts from the
 * topology model.
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import type { Topology } from '../../topology';
import { GROUP_ROLES, GroupRole, internetEgressPorts, securityRules } from './security-rules';

export interface SecurityGroupsArgs {
  /** The validated stack configuration (ingress CIDRs, SSH CIDR, pack URLs). */
  config: StackConfig;
  /** The VPC the groups belong to. */
  vpcId: pulumi.Input<string>;
  /** The address-free topology model the rules come from. */
  portModel: Topology;
  /** Tags on every group and rule. */
  tags: Record<string, string>;
}

/**
 * The groups by role. Children: `${name}-sg-<group>` and `${name}-<rule key>`.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, VPC and model.
 * @param parent The platform component.
 */
export function securityGroups(name: string, args: SecurityGroupsArgs, parent: pulumi.Resource): Record<GroupRole, aws.ec2.SecurityGroup> {
  const { config: c, tags } = args;
  const groups = {} as Record<GroupRole, aws.ec2.SecurityGroup>;
  for (const g of GROUP_ROLES) {
    groups[g] = new aws.ec2.SecurityGroup(
      `${name}-sg-${g}`,
      { vpcId: args.vpcId, description: `WSO2 pattern 2 ${g} (rules are separate resources)`, tags: { ...tags, Name: `${name}-${g}` } },
      { parent },
    );
  }
  const rules = securityRules(args.portModel, {
    ingressCidrs: c.network.ingressCidrs,
    adminCidrs: c.network.adminCidrs ?? [],
    sshCidr: c.network.sshCidr,
    internetEgressPorts: internetEgressPorts(c),
  });
  for (const r of rules) {
    const peer = 'group' in r.peer ? { referencedSecurityGroupId: groups[r.peer.group].id } : { cidrIpv4: r.peer.cidr };
    const ruleArgs = { securityGroupId: groups[r.group].id, ipProtocol: 'tcp', fromPort: r.port, toPort: r.port, description: r.description, ...peer, tags };
    if (r.direction === 'ingress') new aws.vpc.SecurityGroupIngressRule(`${name}-${r.key}`, ruleArgs, { parent });
    else new aws.vpc.SecurityGroupEgressRule(`${name}-${r.key}`, ruleArgs, { parent });
  }
  return groups;
}
