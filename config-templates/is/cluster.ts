/**
 * Clustering and server identity (seed 000 "Clustering Identity Server for high availability",
 * "Changing hostnames and ports"): Hazelcast WKA membership between the two IS nodes, the public
 * hostnames, local-cache invalidation, and the port offset that puts the servlet transports on
 * the model's ports.
 */
import { DEFAULT_PORTS, NodeId, Topology, node, nodesOf } from '../../topology';
import { PropertiesEdit, XmlEdit, XmlOp } from '../types';
import { byAttr, setAttr, setText, xmlFragment } from './xml';
import { carbonKeystoreOps } from './keystores';

export const AXIS2_XML = 'repository/conf/axis2/axis2.xml';
export const CARBON_XML = 'repository/conf/carbon.xml';
/** Read by Carbon's Hazelcast clustering agent only when present; the product does not ship it. */
export const HAZELCAST_PROPERTIES = 'repository/conf/hazelcast.properties';

export const HAZELCAST_CLUSTERING_AGENT = 'org.wso2.carbon.core.clustering.hazelcast.HazelcastClusteringAgent';

const CLUSTERING = '/axisconfig/clustering';
const param = (name: string) => `${CLUSTERING}/parameter${byAttr('name', name)}`;

export function renderAxis2(t: Topology, id: NodeId): XmlEdit {
  const self = node(t, id);
  if (self.role !== 'is') throw new Error(`${id} is not an IS node`);
  const members = nodesOf(t, 'is').map((n) => ({ hostName: n.address, port: String(t.ports.hazelcast) }));
  const ops: XmlOp[] = [
    setAttr(CLUSTERING, 'class', HAZELCAST_CLUSTERING_AGENT),
    setAttr(CLUSTERING, 'enable', 'true'),
    // Well-known addresses: multicast does not cross VPC subnets or pod networks.
    setText(param('membershipScheme'), 'wka'),
    setText(param('domain'), t.isClusterDomain),
    // The only node-specific value: the address this member advertises to its peer.
    setText(param('localMemberHost'), self.address),
    setText(param('localMemberPort'), String(t.ports.hazelcast)),
    // A bind address/port pins Hazelcast to one interface and port (stock samples use 127.0.0.1 and
    // 4001), which the peer cannot reach. Without them the member binds on all interfaces at
    // localMemberPort and advertises localMemberHost, which works for an EC2 IP and a pod DNS name alike.
    { op: 'remove', path: param('localMemberBindAddress'), optional: true },
    { op: 'remove', path: param('localMemberBindPort'), optional: true },
    { op: 'replace', path: `${CLUSTERING}/members`, xml: xmlFragment({ members: { member: members } }) },
  ];
  return { kind: 'xml', path: AXIS2_XML, ops };
}

/**
 * Carbon offsets every port in catalina-server.xml (and the other transports) by `Ports/Offset`.
 * The stock connectors sit at the product defaults, so the model's ports are reached by an offset
 * rather than by rewriting connector ports; both transports must move by the same amount.
 */
export function carbonPortOffset(t: Topology): number {
  const https = t.ports.isHttps - DEFAULT_PORTS.isHttps;
  const http = t.ports.isHttp - DEFAULT_PORTS.isHttp;
  if (https !== http) {
    throw new Error(
      `IS ports isHttps=${t.ports.isHttps} and isHttp=${t.ports.isHttp} must keep the product's spacing ` +
        `(${DEFAULT_PORTS.isHttps}/${DEFAULT_PORTS.isHttp} plus one common offset); their offsets are ${https} and ${http}`,
    );
  }
  if (https < 0) throw new Error(`IS ports below the product defaults need a negative offset (${https}), which Carbon rejects`);
  return https;
}

export function renderCarbon(t: Topology): XmlEdit {
  return {
    kind: 'xml',
    path: CARBON_XML,
    ops: [
      setText('/Server/HostName', t.hostname),
      setText('/Server/MgtHostName', t.mgtHostname),
      // Clustered nodes: caches stay local and are invalidated across the cluster (seed 000).
      setText('/Server/Cache/ForceLocalCache', 'true'),
      setText('/Server/Ports/Offset', String(carbonPortOffset(t))),
      // Our primary, internal and trust stores instead of the pack's wso2carbon.jks (is/keystores.ts).
      ...carbonKeystoreOps(),
    ],
  };
}

/**
 * hazelcast.properties: Hazelcast's own JVM shutdown hook off, so Carbon's graceful shutdown (its
 * own hook) leaves the cluster in order instead of finding Hazelcast already gone ("Hazelcast
 * instance is not active!"); Hazelcast logs through log4j into the Carbon log. WSO2's pattern-2
 * configuration for 5.8 sets both. Created when absent (the pack has no such file); an existing
 * one keeps its other lines.
 */
export function renderHazelcastProperties(): PropertiesEdit {
  return {
    kind: 'properties',
    path: HAZELCAST_PROPERTIES,
    separator: '=',
    create: true,
    ops: [
      { op: 'set', key: 'hazelcast.shutdownhook.enabled', value: 'false' },
      { op: 'set', key: 'hazelcast.logging.type', value: 'log4j' },
    ],
  };
}
