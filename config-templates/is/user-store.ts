/**
 * The shared user store (seed 000 "Configuring the user store"): both IS nodes use ONE JDBC user
 * store on the shared user-management database instead of the product's default primary store,
 * the embedded LDAP each node would otherwise run privately.
 */
import { Topology } from '../../topology';
import { XmlEdit } from '../types';
import { identityDatasource, userStoreDatasource } from './datasources';
import { byAttr, namedValues, setText, xmlFragment } from './xml';
import { identityKeystoreOps } from './keystores';
import { IS_VAULT, svnsOn, vaultedText } from './vault';

export const USER_MGT_XML = 'repository/conf/user-mgt.xml';
export const EMBEDDED_LDAP_XML = 'repository/conf/identity/embedded-ldap.xml';
export const IDENTITY_XML = 'repository/conf/identity/identity.xml';
export const CONSENT_MGT_XML = 'repository/conf/consent-mgt-config.xml';

export const JDBC_USER_STORE_MANAGER = 'org.wso2.carbon.user.core.jdbc.JDBCUserStoreManager';
/** The product's default primary store, which the JDBC store replaces in place. */
export const STOCK_PRIMARY_USER_STORE_MANAGER = 'org.wso2.carbon.user.core.ldap.ReadWriteLDAPUserStoreManager';

/**
 * Properties of the JDBC user store, as the product's own (commented) JDBC block in user-mgt.xml
 * lists them (one value changed, see SCIMEnabled). No comments go inside UserStoreManager: the product tokenises those tags.
 */
const JDBC_USER_STORE_PROPERTIES: readonly (readonly [string, string])[] = [
  ['TenantManager', 'org.wso2.carbon.user.core.tenant.JDBCTenantManager'],
  ['ReadOnly', 'false'],
  ['ReadGroups', 'true'],
  ['WriteGroups', 'true'],
  ['UsernameJavaRegEx', '^[\\S]{3,30}$'],
  ['UsernameJavaScriptRegEx', '^[\\S]{3,30}$'],
  ['UsernameJavaRegExViolationErrorMsg', 'Username pattern policy violated'],
  ['PasswordJavaRegEx', '^[\\S]{5,30}$'],
  ['PasswordJavaScriptRegEx', '^[\\S]{5,30}$'],
  ['PasswordJavaRegExViolationErrorMsg', 'Password length should be within 5 to 30 characters'],
  ['RolenameJavaRegEx', '^[\\S]{3,30}$'],
  ['RolenameJavaScriptRegEx', '^[\\S]{3,30}$'],
  ['CaseInsensitiveUsername', 'false'],
  // The product's sample says false, but the default primary store it replaces has SCIM on; keeping
  // it on gives users SCIM ids as on a stock IS, so the SCIM APIs and dashboard see them.
  ['SCIMEnabled', 'true'],
  ['IsBulkImportSupported', 'false'],
  ['PasswordDigest', 'SHA-256'],
  ['StoreSaltedPassword', 'true'],
  ['MultiAttributeSeparator', ','],
  ['MaxUserNameListLength', '100'],
  ['MaxRoleNameListLength', '100'],
  ['UserRolesCacheEnabled', 'true'],
  ['UserNameUniqueAcrossTenants', 'false'],
];

export function renderUserMgt(t: Topology): XmlEdit {
  const realm = '/UserManager/Realm';
  return {
    kind: 'xml',
    path: USER_MGT_XML,
    ops: [
      // The seed says jdbc/WSO2UMDB here, which is a database name, not a JNDI name we define.
      setText(`${realm}/Configuration/Property${byAttr('name', 'dataSource')}`, userStoreDatasource(t).jndiName),
      svnsOn('/UserManager'),
      ...vaultedText(`${realm}/Configuration/AdminUser/Password`, IS_VAULT.adminPassword),
      {
        // The first UserStoreManager is the primary store; replacing it in place keeps it first.
        op: 'replace',
        path: `${realm}/UserStoreManager${byAttr('class', STOCK_PRIMARY_USER_STORE_MANAGER)}`,
        orMatch: `${realm}/UserStoreManager${byAttr('class', JDBC_USER_STORE_MANAGER)}`,
        xml: xmlFragment({
          UserStoreManager: { '@class': JDBC_USER_STORE_MANAGER, Property: namedValues(JDBC_USER_STORE_PROPERTIES) },
        }),
      },
    ],
  };
}

/**
 * Neither node needs the embedded LDAP: the primary store is the shared JDBC store, and a
 * per-node LDAP would only hold users the other node cannot see (the seed disables it on node 2;
 * with JDBC as primary it is dead weight and an open port on node 1 too).
 */
export function renderEmbeddedLdap(): XmlEdit {
  return {
    kind: 'xml',
    path: EMBEDDED_LDAP_XML,
    ops: [setText(`/EmbeddedLDAPConfig/EmbeddedLDAP/Property${byAttr('name', 'enable')}`, 'false')],
  };
}

export function renderIdentityXml(t: Topology): XmlEdit {
  return {
    kind: 'xml',
    path: IDENTITY_XML,
    // The seed's jdbc/WSO2IDENTITYDB resolves to nothing; the identity datasource's JNDI name does.
    ops: [
      setText('/Server/JDBCPersistenceManager/DataSource/Name', identityDatasource(t).jndiName),
      // The entitlement service's keystore: ours, not the pack's (is/keystores.ts).
      ...identityKeystoreOps(),
    ],
  };
}

/**
 * Consent management keeps its own datasource reference, which ships as the node-local H2
 * (jdbc/WSO2CarbonDB): consents given on one node would be unknown to the other. Pointed at the
 * shared identity database, where db-init loads the consent schema.
 */
export function renderConsentMgt(t: Topology): XmlEdit {
  return {
    kind: 'xml',
    path: CONSENT_MGT_XML,
    ops: [setText('/ConsentManager/DataSource/Name', identityDatasource(t).jndiName)],
  };
}
