/**
 * The load balancers: three internet-facing NLBs terminating TLS on 443 with the front end's ACM
 * certificate (edge.ts) and an ELB policy of TLS 1.3 and 1.2 only, re-encrypting to the nodes'
 * HTTPS ports (their certificates: keys.ts) - the public one for IS (both nodes), one for the
 * management hostname (is-1) and one for the analytics dashboard, the last two open only to
 * `network.adminCidrs`; and an internal TCP NLB in front of the analytics receivers. No listener
 * on 80 and none to IS's HTTP connector. Target groups keep client addresses (instance targets,
 * `preserveClientIp`), so the IS nodes' address filter on /carbon and /services sees the client.
 * Ports come from the topology model. Physical names are hash-cut to 32 characters (names.ts).
 */
import * as pulumi from '@pulumi/pulumi';
import * as aws from '@pulumi/aws';
import type { StackConfig } from '../../config';
import { NodeId, ROLE_NODE_IDS, Topology, processesFor } from '../../topology';
import { awsName } from '../aws/names';
import { EdgeLb, GroupRole, edgeForwards, internalLbPorts } from './security-rules';

/** TLS 1.3 and TLS 1.2 only, forward-secret AEAD suites (AWS "Security policies for your Network Load Balancer"). */
export const TLS_LISTENER_POLICY = 'ELBSecurityPolicy-TLS13-1-2-Res-2021-06';

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
  /** The ACM certificate of the TLS listeners (edge.ts). */
  certificateArn: pulumi.Input<string>;
  /** Tags on every resource. */
  tags: Record<string, string>;
}

export interface LoadBalancers {
  /** The public IS NLB (hostname). */
  publicLb: aws.lb.LoadBalancer;
  /** The management hostname's NLB (is-1; network.adminCidrs only). */
  mgtLb: aws.lb.LoadBalancer;
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
  /** TLS: terminated at the listener with the certificate and policy, re-encrypted to the target; TCP: passed through. */
  tls?: { certificateArn: pulumi.Input<string> };
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
      protocol: f.tls ? 'TLS' : 'TCP',
      targetType: 'instance',
      // the client's address reaches the node (instance targets keep it by default; said explicitly
      // where the nodes' admin-surface filter relies on it)
      ...(f.tls ? { preserveClientIp: 'true' } : {}),
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
    {
      loadBalancerArn: f.listener.lb.arn,
      port: f.listener.port,
      protocol: f.tls ? 'TLS' : 'TCP',
      ...(f.tls ? { certificateArn: f.tls.certificateArn, sslPolicy: TLS_LISTENER_POLICY } : {}),
      defaultActions: [{ type: 'forward', targetGroupArn: tg.arn }],
      tags,
    },
    { parent },
  );
}

/**
 * Children: `${name}-nlb`, `${name}-mgt`, `${name}-dash`, `${name}-recv` and the target groups and listeners.
 * @param name Prefix of the children's logical names.
 * @param args Configuration, model, network, groups and targets.
 * @param parent The platform component.
 */
export function loadBalancers(name: string, args: LoadBalancersArgs, parent: pulumi.Resource): LoadBalancers {
  const { config: c, portModel: t } = args;
  const nlb = (key: string, internal: boolean, sg: GroupRole, subnets = internal ? args.privateSubnetIds : args.publicSubnetIds) =>
    new aws.lb.LoadBalancer(
      `${name}-${key}`,
      {
        name: awsName(['wso2', c.stack, key]),
        loadBalancerType: 'network',
        internal,
        subnets,
        securityGroups: [args.groups[sg].id],
        enableCrossZoneLoadBalancing: true,
        tags: args.tags,
      },
      { parent, deleteBeforeReplace: true },
    );
  const publicLb = nlb('nlb', false, 'nlb');
  // Admin NLBs in fewer zones (each zone's node is a public IPv4 address billed by the hour):
  // the management NLB in is-1's zone only (its one target is there: nodes.ts puts node 1 of a
  // role in the first subnet); the dashboard NLB in both on prod, in one on test stacks, where
  // cross-zone balancing still reaches both analytics nodes.
  const mgtLb = nlb('mgt', false, 'admin-nlb', args.publicSubnetIds.slice(0, 1));
  const dashLb = nlb('dash', false, 'admin-nlb', c.environment === 'prod' ? args.publicSubnetIds : args.publicSubnetIds.slice(0, 1));
  const internalLb = nlb('recv', true, 'internal-nlb');
  const edgeLbs: Record<EdgeLb, aws.lb.LoadBalancer> = { public: publicLb, mgt: mgtLb, dash: dashLb };

  const tcp = { protocol: 'TCP', port: 'traffic-port' };
  // IS: the console's login page over HTTPS; the analytics dashboard: TCP on its port.
  const healthPath = processesFor('is', c.analytics.flavor)[0].healthPath!;
  const isHealth = { protocol: 'HTTPS', path: healthPath, port: 'traffic-port', matcher: '200-399' };
  const tls = { certificateArn: args.certificateArn };
  for (const f of edgeForwards(t)) {
    const listener = { key: f.listenerKey, lb: edgeLbs[f.lb], port: t.frontendPorts.https };
    forward(name, args, { key: f.key, port: f.port.port, health: f.role === 'is' ? isHealth : tcp, sticky: true, nodes: f.nodes, listener, tls }, parent);
  }
  // Receivers: a TCP health check on the receiver port keeps only the ACTIVE analytics node in
  // service (seed 004: the passive node keeps these ports closed).
  for (const p of internalLbPorts(t)) {
    forward(name, args, { key: `rx-${p.name}`, port: p.port, health: tcp, sticky: false, nodes: ROLE_NODE_IDS.analytics, listener: { key: `rx-${p.name}`, lb: internalLb, port: p.port } }, parent);
  }
  return { publicLb, mgtLb, dashLb, internalLb };
}
