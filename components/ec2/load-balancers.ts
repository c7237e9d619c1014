/**
 * The load balancers: a public NLB for IS (443 -> IS HTTPS, TLS passed through to the nodes,
 * which hold the certificate; 80 -> IS HTTP), a public NLB for the analytics dashboard, and an
 * internal NLB in front of the analytics receivers. Ports come from the topology model. Physical
 * names are hash-cut to 32 characters for any stack name (names.ts).
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NodeId, Topology, nodesOf, processesFor } from '../../topology';
import { awsName } from '../aws/names';
import { GroupRole, frontendPorts, internalLbPorts } from './security-rules';

export interface LoadBalancersArgs {
  /** The validated stack configuration (stack name, analytics flavor). */
  config: StackConfig;
  /** The address-free topology model the ports come from. */
  portModel: Topology;
  /** The VPC of the target groups. */
  vpcId: pulumi.Input<string>;
  /** Subnets of the public NLBs. */
  publicSubnetIds: pulumi.Input<string>[];
  /** Subnets of the internal NLB. */
  privateSubnetIds: pulumi.Input<string>[];
  /** The platform's security groups (security-groups.ts). */
  groups: Record<GroupRole, aws.ec2.SecurityGroup>;
  /** The targets. */
  instances: Record<NodeId, aws.ec2.Instance>;
  /** Tags on every resource. */
  tags: Record<string, string>;
}

export interface LoadBalancers {
  /** The public IS NLB (hostname and management hostname). */
  publicLb: aws.lb.LoadBalancer;
  /** The public dashboard NLB. */
  dashLb: aws.lb.LoadBalancer;
  /** The internal NLB in front of the receivers. */
  internalLb: aws.lb.LoadBalancer;
}

/** Everything one target group needs. */
interface Forward {
  /** Names the target group, its attachments and listener. */
  key: string;
  /** The target port on the nodes. */
  port: number;
  /** Health check beyond the shared thresholds. */
  health: aws.types.input.lb.TargetGroupHealthCheck;
  /** Source-IP stickiness. */
  sticky: boolean;
  /** The nodes behind it. */
  nodes: readonly NodeId[];
  /** Listener: its key, load balancer and port. */
  listener: { key: string; lb: aws.lb.LoadBalancer; port: number };
}

/**
 * A target group with its attachments and its listener.
 * Children: `${name}-tg-<key>`, `${name}-tg-<key>-<id>`, `${name}-listener-<listener key>`.
 * @param name Prefix of the children's logical names.
 * @param args The platform's load balancer arguments (VPC, targets, tags).
 * @param f This forward.
 * @param parent The platform component.
 */
function forward(name: string, args: LoadBalancersArgs, f: Forward, parent: pulumi.Resource): void {
  const { tags } = args;
  const tg = new aws.lb.TargetGroup(
    `${name}-tg-${f.key}`,
    {
      name: awsName(['wso2', args.config.stack, f.key, String(f.port)]),
      port: f.port,
      protocol: 'TCP',
      targetType: 'instance',
      vpcId: args.vpcId,
      deregistrationDelay: 30,
      stickiness: { type: 'source_ip', enabled: f.sticky },
      // timeout below the interval, explicitly: the NLB default (10 s for TCP and HTTPS checks)
      // is not below a 10 s interval.
      healthCheck: { healthyThreshold: 2, unhealthyThreshold: 2, interval: 10, timeout: 5, ...f.health },
      tags,
    },
    { parent, deleteBeforeReplace: true },
  );
  for (const id of f.nodes) {
    new aws.lb.TargetGroupAttachment(`${name}-tg-${f.key}-${id}`, { targetGroupArn: tg.arn, targetId: args.instances[id].id, port: f.port }, { parent });
  }
  new aws.lb.Listener(
    `${name}-listener-${f.listener.key}`,
    { loadBalancerArn: f.listener.lb.arn, port: f.listener.port, protocol: 'TCP', defaultActions: [{ type: 'forward', targetGroupArn: tg.arn }], tags },
    { parent },
  );
}

/**
 * Children: `${name}-nlb`, `${name}-dash`, `${name}-recv` and the target groups and listeners.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, model, network, groups and targets.
 * @param parent The platform component.
 */
export function loadBalancers(name: string, args: LoadBalancersArgs, parent: pulumi.Resource): LoadBalancers {
  const { config: c, portModel: t } = args;
  const nlb = (key: string, internal: boolean, sg: GroupRole) =>
    new aws.lb.LoadBalancer(
      `${name}-${key}`,
      {
        name: awsName(['wso2', c.stack, key]),
        loadBalancerType: 'network',
        internal,
        subnets: internal ? args.privateSubnetIds : args.publicSubnetIds,
        securityGroups: [args.groups[sg].id],
        enableCrossZoneLoadBalancing: true,
        tags: args.tags,
      },
      { parent, deleteBeforeReplace: true },
    );
  const publicLb = nlb('nlb', false, 'nlb');
  const dashLb = nlb('dash', false, 'nlb');
  const internalLb = nlb('recv', true, 'internal-nlb');

  const isPorts = frontendPorts(t, 'is');
  const httpsPort = t.ports.isHttps;
  const httpPort = t.ports.isHttp;
  if (!isPorts.some((p) => p.port === httpsPort) || !isPorts.some((p) => p.port === httpPort)) {
    throw new Error('the topology no longer opens isHttps/isHttp to the front end');
  }
  const tcp = { protocol: 'TCP', port: 'traffic-port' };
  // Every node of the model (`is.nodeCount` IS nodes) is a target.
  const isNodes = nodesOf(t, 'is').map((n) => n.id);
  const anNodes = nodesOf(t, 'analytics').map((n) => n.id);
  // 443 -> IS HTTPS, TLS passed through (the nodes hold the certificate), sticky by client IP.
  const healthPath = processesFor('is', c.analytics.flavor)[0].healthPath!;
  const isHealth = { protocol: 'HTTPS', path: healthPath, port: 'traffic-port', matcher: '200-399' };
  forward(name, args, { key: 'is-https', port: httpsPort, health: isHealth, sticky: true, nodes: isNodes, listener: { key: 'https', lb: publicLb, port: t.frontendPorts.https } }, parent);
  forward(name, args, { key: 'is-http', port: httpPort, health: tcp, sticky: true, nodes: isNodes, listener: { key: 'http', lb: publicLb, port: t.frontendPorts.http } }, parent);
  // Dashboard: its own NLB, so it is served on the front end's HTTPS port like the model says.
  for (const p of frontendPorts(t, 'analytics')) {
    forward(name, args, { key: `an-${p.name}`, port: p.port, health: tcp, sticky: true, nodes: anNodes, listener: { key: `dash-${p.name}`, lb: dashLb, port: t.frontendPorts.https } }, parent);
  }
  // Receivers: a TCP health check on the receiver port keeps only the ACTIVE analytics node in
  // service (seed 004: the passive node keeps these ports closed).
  for (const p of internalLbPorts(t)) {
    forward(name, args, { key: `rx-${p.name}`, port: p.port, health: tcp, sticky: false, nodes: anNodes, listener: { key: `rx-${p.name}`, lb: internalLb, port: p.port } }, parent);
  }
  return { publicLb, dashLb, internalLb };
}
