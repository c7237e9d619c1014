/**
 * Running behind the front end (seed 000 "Configure the Proxy Port in IS Nodes", "Setting up the
 * dashboard"): the servlet transports, the dashboard and portal apps and the gadget server must
 * build URLs with the public hostname and the front end's ports, not the node's.
 */
import { DEFAULT_PORTS, Topology } from '../../topology';
import { DocOp, ExplodeArchive, JsonEdit, XmlEdit } from '../types';
import { byAttr, setAttr } from './xml';
import { catalinaTlsOps } from './keystores';

export const CATALINA_SERVER_XML = 'repository/conf/tomcat/catalina-server.xml';
export const DASHBOARD_SITE_JSON = 'repository/deployment/server/jaggeryapps/dashboard/conf/site.json';
export const PORTAL_SITE_JSON = 'repository/deployment/server/jaggeryapps/portal/conf/site.json';
export const SHINDIG_WAR = 'repository/deployment/server/webapps/shindig.war';
export const SHINDIG_DIR = 'repository/deployment/server/webapps/shindig';
export const SHINDIG_WEB_XML = `${SHINDIG_DIR}/WEB-INF/web.xml`;
/**
 * Where unpacked archives are parked. Inside `repository/deployment` (the tree both IS nodes share,
 * so one file system with webapps/: the moves are atomic renames, and either node can resume an
 * interrupted unpack from here), but outside `repository/deployment/server`, the repository
 * Carbon's deployers scan, and `repository/deployment/client`, the Axis2 client repository.
 */
export const PARKED_ARCHIVES_DIR = 'repository/deployment/.pattern2-parked';

/** Public HTTPS origin; the port is left out when it is the scheme's default. */
export function publicOrigin(t: Topology): string {
  const port = t.frontendPorts.https === 443 ? '' : `:${t.frontendPorts.https}`;
  return `https://${t.hostname}${port}`;
}

/**
 * Connectors are found by the port written in the stock file (the model's product defaults);
 * the model's own ports are reached through carbon.xml's offset (see cluster.ts).
 */
export function renderCatalina(t: Topology): XmlEdit {
  const connector = (port: number) => `/Server/Service/Connector${byAttr('port', String(port))}`;
  return {
    kind: 'xml',
    path: CATALINA_SERVER_XML,
    ops: [
      setAttr(connector(DEFAULT_PORTS.isHttps), 'proxyPort', String(t.frontendPorts.https)),
      setAttr(connector(DEFAULT_PORTS.isHttp), 'proxyPort', String(t.frontendPorts.http)),
      // Our TLS key, TLS 1.2 and strong suites only (is/keystores.ts).
      ...catalinaTlsOps(connector(DEFAULT_PORTS.isHttps)),
    ],
  };
}

const set = (path: (string | number)[], value: unknown): DocOp => ({ op: 'set', path, value });

function siteJson(t: Topology, path: string, extra: DocOp[]): JsonEdit {
  return {
    kind: 'json',
    path,
    ops: [
      // Where the apps' server side calls the IS back end (admin services): the node itself, as
      // the stock file has it. The public hostname may not resolve inside a pod (kind, minikube),
      // goes through the front end (whose certificate IS does not trust) and may reach the other
      // node, where the back-end session of this node's login does not exist. The file is shared
      // by both IS nodes, so it names no node; IS's stock hostname verifier
      // (DefaultAndLocalhost) accepts localhost whatever certificate the node serves.
      set(['service', 'serviceOrigin'], `https://localhost:${t.ports.isHttps}`),
      set(['proxy', 'proxyHost'], t.hostname),
      // The apps compare these as strings, as the stock files write them.
      set(['proxy', 'proxyHTTPSPort'], String(t.frontendPorts.https)),
      set(['proxy', 'proxyContextPath'], ''),
      ...extra,
    ],
  };
}

export function renderDashboardSite(t: Topology): JsonEdit {
  return siteJson(t, DASHBOARD_SITE_JSON, [set(['proxy', 'servicePath'], '/services')]);
}

export function renderPortalSite(t: Topology): JsonEdit {
  return siteJson(t, PORTAL_SITE_JSON, []);
}

/** The gadget server's `system.properties` context parameter (Java properties text). */
export function shindigSystemProperties(t: Topology): string {
  const lines = [
    `shindig.host=${t.hostname}`,
    `shindig.port=${t.frontendPorts.https}`,
    // Kept from the stock value: the gadget proxy path the container uses.
    'aKey=/shindig/gadgets/proxy?container=default&url=',
  ];
  return `\n${lines.join('\n')}\n`;
}

/**
 * The pack ships the gadget server as shindig.war, unpacked by Tomcat only on first start; its
 * web.xml is edited below, so it is unpacked first (and the war parked, so Tomcat cannot unpack it
 * again over the edited tree). A no-op where the directory exists, e.g. on the second IS node.
 */
export function renderShindigExplode(): ExplodeArchive {
  return { kind: 'explode', path: SHINDIG_WAR, archive: SHINDIG_WAR, into: SHINDIG_DIR, parkAs: `${PARKED_ARCHIVES_DIR}/shindig.war` };
}

export function renderShindigWebXml(t: Topology): XmlEdit {
  return {
    kind: 'xml',
    path: SHINDIG_WEB_XML,
    ops: [
      {
        op: 'setText',
        // Several context-params exist; this one is told apart by its param-name child.
        path: "/web-app/context-param[param-name='system.properties']/param-value",
        value: shindigSystemProperties(t),
      },
    ],
  };
}
