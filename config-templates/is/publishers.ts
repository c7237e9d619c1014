/**
 * The IS analytics event publishers: every stock `IsAnalytics-Publisher-wso2event-*` publisher
 * sends to the analytics nodes' Thrift receivers as the admin user. Only one analytics node
 * receives at a time (active-passive), so the URL lists both in the wso2event adapter's failover
 * form (`|`), never load-balanced (`,`).
 */
import { ADMIN_USERNAME, Topology, nodesOf, secretPlaceholder } from '../../topology';
import { PropertiesEdit, XmlEdit, XmlOp } from '../types';
import { byAttr, setAttr, setText, xmlFragment } from './xml';

export const IDENTITY_EVENT_PROPERTIES = 'repository/conf/identity/identity-event.properties';
export const EVENT_PUBLISHERS_DIR = 'repository/deployment/server/eventpublishers';
/** The stock publishers, one per analytics stream family. */
export const IS_ANALYTICS_PUBLISHERS = ['AuthenticationData', 'RoleData', 'SessionData', 'UserData'] as const;

export const publisherPath = (kind: (typeof IS_ANALYTICS_PUBLISHERS)[number]) =>
  `${EVENT_PUBLISHERS_DIR}/IsAnalytics-Publisher-wso2event-${kind}.xml`;

/** `tcp://a1:7612|tcp://a2:7612`: try the first receiver, fail over to the second. */
export function receiverUrl(t: Topology): string {
  return nodesOf(t, 'analytics')
    .map((n) => `tcp://${n.address}:${t.ports.thrift}`)
    .join('|');
}

/** The SSL authentication endpoints, in the same failover order as the receivers. */
export function authenticatorUrl(t: Topology): string {
  return nodesOf(t, 'analytics')
    .map((n) => `ssl://${n.address}:${t.ports.thriftSsl}`)
    .join('|');
}

/**
 * The stock publishers carry no authenticator URL: the adapter derives it as the receiver port
 * plus 100 (the products' own Thrift/Thrift-SSL spacing). Only when the model breaks that spacing
 * is the authenticator URL written explicitly.
 */
export function needsAuthenticatorUrl(t: Topology): boolean {
  return t.ports.thriftSsl !== t.ports.thrift + 100;
}

const to = '/eventPublisher/to';
const property = (name: string) => `${to}/property${byAttr('name', name)}`;

export function renderPublisher(t: Topology, kind: (typeof IS_ANALYTICS_PUBLISHERS)[number]): XmlEdit {
  const ops: XmlOp[] = [
    setText(property('receiverURL'), receiverUrl(t)),
    setText(property('username'), ADMIN_USERNAME),
    setText(property('password'), secretPlaceholder('admin_password')),
    // The placeholder is filled with the plain password at boot, not a secure-vault cipher text.
    setAttr(property('password'), 'encrypted', 'false'),
  ];
  if (needsAuthenticatorUrl(t)) {
    ops.push({
      op: 'upsertChild',
      parent: to,
      match: `property${byAttr('name', 'authenticatorURL')}`,
      xml: xmlFragment({ property: { '@name': 'authenticatorURL', '#': authenticatorUrl(t) } }),
    });
  }
  return { kind: 'xml', path: publisherPath(kind), ops };
}

export function renderPublishers(t: Topology): XmlEdit[] {
  return IS_ANALYTICS_PUBLISHERS.map((kind) => renderPublisher(t, kind));
}

/**
 * The identity event handlers that feed the publishers above: IS 5.8.0 ships the login and the
 * session data publisher handlers disabled, so without this no authentication or session event
 * ever reaches a publisher, let alone the analytics nodes. WSO2's own pattern-2 configuration for
 * 5.8 enables both.
 */
export function renderIdentityEventHandlers(): PropertiesEdit {
  return {
    kind: 'properties',
    path: IDENTITY_EVENT_PROPERTIES,
    separator: '=',
    ops: [
      { op: 'set', key: 'analyticsLoginDataPublisher.enable', value: 'true' },
      { op: 'set', key: 'analyticsSessionDataPublisher.enable', value: 'true' },
    ],
  };
}
