/**
 * The admin surfaces of an IS node behind an address-preserving load balancer (EC2): Tomcat's
 * RemoteAddrFilter in the Carbon root web app (`repository/conf/tomcat/carbon/WEB-INF/web.xml`),
 * which serves the management console (`/carbon`), the SOAP admin services (`/services`) and
 * their tenant forms (`/t/<domain>/carbon`, `/t/<domain>/services`). Everything else the root
 * app serves (commonauth, samlsso, oidc, passivests, ...) and every other web app (oauth2, scim2,
 * the authentication and recovery endpoints, the dashboard) is left alone, so applications keep
 * working from anywhere. WSO2's network-level guidelines say to block `/carbon` and `/services`
 * from the internet.
 *
 * Scope, as Tomcat 7 maps it: filter mappings are matched on the decoded, normalized path
 * (`;` path parameters and `..` removed), so `/x/..;/carbon/` is `/carbon/`; `/carbon/*` also
 * matches `/carbon` itself. `/t/*` covers the tenant forms; the tenant-qualified application
 * paths IS 5.8 supports (identity.xml `TenantContextsToRewrite`: /oauth2, /scim2, /api/identity/*,
 * /identity/*) are forwarded by the TenantContextRewriteValve, a Host valve that runs before the
 * root app's filter chain, and forwarded requests do not pass these REQUEST mappings.
 */
import { NodeChangeSet, XmlEdit, XmlOp } from '../types';
import { xmlFragment } from './xml';
import { IPV6_LOOPBACK_REGEX, addressAllowRegex } from '../cidr-regex';

export const CARBON_WEB_XML = 'repository/conf/tomcat/carbon/WEB-INF/web.xml';
/** Our filter's name in the Carbon web app. */
export const ADMIN_FILTER_NAME = 'Pattern2AdminSurfaces';
/** The root-app paths it guards. */
export const ADMIN_URL_PATTERNS = ['/carbon/*', '/services/*', '/t/*'] as const;
/** Tomcat 7's address filter (catalina.jar): `allow` is one regex matched against the whole remote address. */
export const REMOTE_ADDR_FILTER_CLASS = 'org.apache.catalina.filters.RemoteAddrFilter';

/**
 * The web.xml edit: the filter, declared before the stock filters, and one mapping per path,
 * ahead of every stock mapping (Tomcat chains filters in mapping order, so a refused request
 * never reaches the CSRF guard or the console).
 * @param allowCidrs Who may reach the admin surfaces: `network.adminCidrs`, the VPC, loopback (SSM port forwarding).
 */
export function renderAdminAccessFilter(allowCidrs: readonly string[]): XmlEdit {
  const allow = addressAllowRegex(allowCidrs, [IPV6_LOOPBACK_REGEX]);
  const filter = xmlFragment({
    filter: {
      'filter-name': ADMIN_FILTER_NAME,
      'filter-class': REMOTE_ADDR_FILTER_CLASS,
      'init-param': { 'param-name': 'allow', 'param-value': allow },
    },
  });
  const ops: XmlOp[] = [{ op: 'upsertChild', parent: '/web-app', match: `filter[filter-name='${ADMIN_FILTER_NAME}']`, xml: filter, before: 'filter' }];
  for (const pattern of ADMIN_URL_PATTERNS) {
    ops.push({
      op: 'upsertChild',
      parent: '/web-app',
      match: `filter-mapping[filter-name='${ADMIN_FILTER_NAME}'][url-pattern='${pattern}']`,
      xml: xmlFragment({ 'filter-mapping': { 'filter-name': ADMIN_FILTER_NAME, 'url-pattern': pattern } }),
      before: 'filter-mapping',
    });
  }
  return { kind: 'xml', path: CARBON_WEB_XML, ops };
}

/**
 * The node change sets with the filter added to every IS node's (analytics nodes unchanged).
 * @param sets The rendered change sets of all nodes.
 * @param allowCidrs Who may reach the admin surfaces.
 */
export function withAdminAccessFilter(sets: NodeChangeSet[], allowCidrs: readonly string[]): NodeChangeSet[] {
  const edit = renderAdminAccessFilter(allowCidrs);
  return sets.map((cs) => (cs.product === 'is' ? { ...cs, changes: [...cs.changes, edit] } : cs));
}
