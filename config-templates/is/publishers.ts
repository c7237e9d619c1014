/**
 * The IS analytics event publishers: every stock `IsAnalytics-Publisher-wso2event-*` publisher
 * sends to the analytics nodes' Thrift receivers as the admin user. Only one analytics node
 * receives at a time (active-passive), so the URL lists both in the wso2event adapter's failover
 * form (`|`), never load-balanced (`,`).
 *
 * Events travel over TLS: the receiver URL names the receivers' SSL port with `ssl://`, which the
 * data-bridge agent opens with its secure (TLS) Thrift client, trusting our truststore
 * (data-agent-config.xml, is/keystores.ts). The authenticator URL is then always explicit and the
 * same list: left out, the agent would derive it as `ssl://` on the receiver port plus 100
 * (carbon-analytics-common DataPublisherUtil.getDefaultAuthUrl), a port nothing listens on.
 */
import { ADMIN_USERNAME, Topology, secretPlaceholder } from '../../topology';
import { PropertiesEdit, XmlEdit, XmlOp } from '../types';
import { byAttr, setAttr, setText, xmlFragment } from './xml';
import { sslReceiverUrls } from './keystores';

export const IDENTITY_EVENT_PROPERTIES = 'repository/conf/identity/identity-event.properties';
export const EVENT_PUBLISHERS_DIR = 'repository/deployment/server/eventpublishers';
/** The stock publishers, one per analytics stream family. */
export const IS_ANALYTICS_PUBLISHERS = ['AuthenticationData', 'RoleData', 'SessionData', 'UserData'] as const;

export const publisherPath = (kind: (typeof IS_ANALYTICS_PUBLISHERS)[number]) =>
  `${EVENT_PUBLISHERS_DIR}/IsAnalytics-Publisher-wso2event-${kind}.xml`;

/** `ssl://a1:7712|ssl://a2:7712`: try the first receiver, fail over to the second, over TLS. */
export function receiverUrl(t: Topology): string {
  return sslReceiverUrls(t);
}

/** The SSL authentication endpoints: the receivers themselves, in the same failover order. */
export function authenticatorUrl(t: Topology): string {
  return sslReceiverUrls(t);
}

const to = '/eventPublisher/to';
const property = (name: string) => `${to}/property${byAttr('name', name)}`;

export function renderPublisher(t: Topology, kind: (typeof IS_ANALYTICS_PUBLISHERS)[number]): XmlEdit {
  const ops: XmlOp[] = [
    setText(property('receiverURL'), receiverUrl(t)),
    setText(property('username'), ADMIN_USERNAME),
    // Encrypted at boot as IS's CryptoUtil would (internal key, RSA-OAEP, self-contained JSON), with
    // deterministic padding: IS's deployer rewrites a publisher only when `encrypted` is not
    // "true", and an unchanged node's re-apply writes the same bytes, so neither side rewrites
    // the shared file (carbon-analytics-common 5.1.57 EventPublisherDeployer).
    setText(property('password'), secretPlaceholder('admin_password', 'cryptoutil')),
    setAttr(property('password'), 'encrypted', 'true'),
    {
      op: 'upsertChild',
      parent: to,
      match: `property${byAttr('name', 'authenticatorURL')}`,
      xml: xmlFragment({ property: { '@name': 'authenticatorURL', '#': authenticatorUrl(t) } }),
    },
  ];
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
