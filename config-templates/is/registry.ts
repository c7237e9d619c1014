/**
 * registry.xml: the config and governance registry spaces of both IS nodes are JDBC-mounted from
 * the shared identity database (seed 000 "Mounting the registry"); the node-local `/_system/local`
 * space stays on the stock `wso2registry` dbConfig (local H2).
 */
import { Topology, jdbcUrl } from '../../topology';
import { XmlEdit, XmlOp } from '../types';
import { identityDatasource } from './datasources';
import { byAttr, setText, xmlFragment } from './xml';

export const REGISTRY_XML = 'repository/conf/registry.xml';

/** Names this file ties together: the dbConfig, the remote instance that uses it, the mounts that use that. */
export const SHARED_REGISTRY = 'sharedregistry';
export const MOUNTED_PATHS = ['/_system/config', '/_system/governance'] as const;

/**
 * WSO2 documents dbConfig, then remoteInstance, then mount; the stock file keeps its commented
 * samples of those just before indexingConfiguration, so new elements go there, in that order.
 */
const INSERT_BEFORE = 'indexingConfiguration';

export function renderRegistry(t: Topology): XmlEdit {
  const identity = identityDatasource(t);
  // Only used to tell JDBC-backed instances apart; the URL attribute is required but unused for them.
  const remoteUrl = `https://${t.hostname}/registry`;
  const ops: XmlOp[] = [
    {
      op: 'upsertChild',
      parent: '/wso2registry',
      match: `dbConfig${byAttr('name', SHARED_REGISTRY)}`,
      before: INSERT_BEFORE,
      xml: xmlFragment({ dbConfig: { '@name': SHARED_REGISTRY, dataSource: identity.jndiName } }),
    },
    {
      op: 'upsertChild',
      parent: '/wso2registry',
      match: `remoteInstance${byAttr('url', remoteUrl)}`,
      before: INSERT_BEFORE,
      xml: xmlFragment({
        remoteInstance: {
          '@url': remoteUrl,
          id: SHARED_REGISTRY,
          dbConfig: SHARED_REGISTRY,
          readOnly: 'false',
          registryRoot: '/',
          enableCache: 'true',
          // Nodes whose cacheId matches share registry cache entries; it names the database they share.
          cacheId: `${t.db.user}@${jdbcUrl(t, identity.database)}`,
        },
      }),
    },
    ...MOUNTED_PATHS.map(
      (path): XmlOp => ({
        op: 'upsertChild',
        parent: '/wso2registry',
        match: `mount${byAttr('path', path)}`,
        before: INSERT_BEFORE,
        xml: xmlFragment({ mount: { '@path': path, '@overwrite': 'true', instanceId: SHARED_REGISTRY, targetPath: path } }),
      }),
    ),
    // Production recommendation (seed 000): automatic versioning is expensive.
    setText('/wso2registry/versionResourcesOnChange', 'false'),
  ];
  return { kind: 'xml', path: REGISTRY_XML, ops };
}
