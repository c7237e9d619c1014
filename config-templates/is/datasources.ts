/**
 * master-datasources.xml and bps-datasources.xml: fully specific to this deployment, so whole
 * files. Every MySQL datasource comes from the topology model (name, JNDI name, database).
 */
import { Datasource, Role, Topology, IS_DATABASES, dbUserFor, jdbcUrl, secretPlaceholder } from '../../topology';
import { WholeFile } from '../types';
import { XmlObject, xmlDocument } from './xml';

export const MASTER_DATASOURCES = 'repository/conf/datasources/master-datasources.xml';
export const BPS_DATASOURCES = 'repository/conf/datasources/bps-datasources.xml';

/** The Carbon datasource reader, as the stock files declare it. */
export const RDBMS_READER = 'org.wso2.carbon.ndatasource.rdbms.RDBMSDataSourceReader';
export const SECUREVAULT_NS = 'http://org.wso2.securevault/configuration';
/** MySQL Connector/J 5.1 driver class, matching the `jdbc:mysql:` URLs `jdbcUrl` builds. */
export const MYSQL_DRIVER = 'com.mysql.jdbc.Driver';

/**
 * The stock local registry (H2, per node). It stays: `wso2registry` in registry.xml still points
 * at it for the node-local `/_system/local` space. Its credentials are the embedded H2 file's
 * stock ones, not a secret of this deployment.
 */
export const LOCAL_CARBON_DB: XmlObject = {
  name: 'WSO2_CARBON_DB',
  description: 'The datasource used for registry and user manager',
  jndiConfig: { name: 'jdbc/WSO2CarbonDB' },
  definition: {
    '@type': 'RDBMS',
    configuration: {
      url: 'jdbc:h2:./repository/database/WSO2CARBON_DB;DB_CLOSE_ON_EXIT=FALSE;LOCK_TIMEOUT=60000',
      username: 'wso2carbon',
      password: 'wso2carbon',
      driverClassName: 'org.h2.Driver',
      maxActive: '50',
      maxWait: '60000',
      testOnBorrow: 'true',
      validationQuery: 'SELECT 1',
      validationInterval: '30000',
      defaultAutoCommit: 'false',
    },
  },
};

/** Pool settings of the user-store and identity datasources (seed 000). */
const MASTER_POOL = {
  maxActive: '80',
  maxWait: '60000',
  minIdle: '5',
  testOnBorrow: 'true',
  validationQuery: 'SELECT 1',
  validationInterval: '30000',
  defaultAutoCommit: 'false',
};

/**
 * Pool settings of the BPS datasource (seed 000). `defaultAutoCommit` stays `true` as the product
 * ships it: the seed's `false` disagrees with the stock file, and the stock file wins.
 */
const BPS_POOL = {
  maxActive: '100',
  maxWait: '10000',
  maxIdle: '20',
  testOnBorrow: 'true',
  validationQuery: 'SELECT 1',
  validationInterval: '30000',
  useDataSourceFactory: 'false',
  defaultAutoCommit: 'true',
};

function mysqlDatasource(t: Topology, d: Datasource, pool: Record<string, string>): XmlObject {
  if (!d.jndiName) throw new Error(`datasource ${d.name} needs a JNDI name to be referenced by IS`);
  return carbonDatasource(t, d, pool, 'is', datasourceAlias(d.name));
}

/** The Secure Vault alias of a Carbon datasource's password (the cipher tool's naming; is/vault.ts). */
export const datasourceAlias = (name: string) => `Datasources.${name}.Configuration.Password`;

/**
 * A Carbon 4 `<datasource>` on the shared MySQL, as IS and the DAS-based analytics both declare
 * them; `jndiConfig` only when the model gives the datasource a JNDI name; `role` picks how the
 * URL names the database server's trust (topology `jdbcTrustParams`).
 */
export function carbonDatasource(t: Topology, d: Datasource, pool: Record<string, string>, role: Role = 'is', vaultAlias?: string): XmlObject {
  return {
    name: d.name,
    description: d.description,
    ...(d.jndiName ? { jndiConfig: { name: d.jndiName } } : {}),
    definition: {
      '@type': 'RDBMS',
      configuration: {
        url: jdbcUrl(t, d.database, role),
        username: dbUserFor(t, d.database),
        // Through Secure Vault where the node has it (IS: is/vault.ts), else filled in at boot.
        password: vaultAlias ? { '@svns:secretAlias': vaultAlias, '#': 'password' } : secretPlaceholder('db_password'),
        driverClassName: MYSQL_DRIVER,
        ...pool,
      },
    },
  };
}

/** A whole Carbon datasources file (master-, bps-, analytics-datasources.xml). */
export function datasourcesFile(comment: string, datasources: XmlObject[]): string {
  return xmlDocument({
    'datasources-configuration': {
      '@xmlns:svns': SECUREVAULT_NS,
      '!': comment,
      providers: { provider: RDBMS_READER },
      datasources: { datasource: datasources },
    },
  });
}

/** IS datasources the model places in a given file, in model order. */
export function isDatasourcesIn(t: Topology, file: string): Datasource[] {
  return Object.values(t.db.datasources).filter((d) => d.definedIn === file);
}

export function renderMasterDatasources(t: Topology): WholeFile {
  const shared = isDatasourcesIn(t, MASTER_DATASOURCES);
  if (shared.length === 0) throw new Error(`the model defines no datasource in ${MASTER_DATASOURCES}`);
  const content = datasourcesFile(
    ' Written whole by wso2-is-pattern2. WSO2_CARBON_DB is the node-local H2 registry; the MySQL ' +
      'datasources are shared by both IS nodes (user store, identity data, mounted registry). ',
    [LOCAL_CARBON_DB, ...shared.map((d) => mysqlDatasource(t, d, MASTER_POOL))],
  );
  return { kind: 'file', path: MASTER_DATASOURCES, content, mode: '0644' };
}

export function renderBpsDatasources(t: Topology): WholeFile {
  const bps = isDatasourcesIn(t, BPS_DATASOURCES);
  if (bps.length !== 1) throw new Error(`expected exactly one datasource in ${BPS_DATASOURCES}, the model has ${bps.length}`);
  const content = datasourcesFile(
    ' Written whole by wso2-is-pattern2. The workflow (BPS) engine keeps its data in the shared identity database. ',
    [mysqlDatasource(t, bps[0], BPS_POOL)],
  );
  return { kind: 'file', path: BPS_DATASOURCES, content, mode: '0644' };
}

/** The master-datasources.xml datasource on a given IS database (user store or identity). */
export function masterDatasourceOn(t: Topology, database: string): Datasource & { jndiName: string } {
  const found = isDatasourcesIn(t, MASTER_DATASOURCES).filter((d) => d.database === database);
  if (found.length !== 1 || !found[0].jndiName) {
    throw new Error(`expected one JNDI datasource on ${database} in ${MASTER_DATASOURCES}, found ${found.length}`);
  }
  return found[0] as Datasource & { jndiName: string };
}

/** The shared JDBC user store's datasource (user-mgt.xml realm `dataSource`). */
export const userStoreDatasource = (t: Topology) => masterDatasourceOn(t, IS_DATABASES.userStore);
/** The identity datasource: identity.xml persistence manager and the mounted config/governance registry. */
export const identityDatasource = (t: Topology) => masterDatasourceOn(t, IS_DATABASES.identity);
