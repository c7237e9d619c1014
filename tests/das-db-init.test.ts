/**
 * Database initialisation for the DAS flavour, in the text of the rendered script: it creates the
 * four DAS databases and loads the analytics pack's Carbon script into its user-store and registry
 * databases. The run against a real MariaDB is in db-init.test.ts ("DAS flavour, from a clean
 * slate"), on the server that file starts anyway.
 */
import { renderDbInit } from '../config-templates/db-init';
import { DAS_DATABASES, Topology } from '../topology';
import { testTopology } from './helpers/topology';

function topology(dbHost = 'mysql.internal', dbPort = 3306): Topology {
  return testTopology({ analyticsFlavor: 'das', dbHost, dbPort });
}

describe('DAS db-init script (text)', () => {
  const init = renderDbInit(topology());

  it('creates the four DAS databases and grants them to the analytics account only, which manages its own tables there', () => {
    for (const db of Object.values(DAS_DATABASES)) {
      expect(init.script).toContain(`CREATE DATABASE IF NOT EXISTS \`${db}\` CHARACTER SET latin1`);
      const grants = init.script.split('\n').filter((l) => l.startsWith('GRANT ') && l.includes(`\`${db.replace(/_/g, '\\_')}\``));
      expect(grants).toEqual([`GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, ALTER, INDEX, DROP ON \`${db.replace(/_/g, '\\_')}\`.* TO 'wso2_analytics'@'%';`]);
    }
  });

  it('loads the analytics dbscripts/mysql.sql into the UM and registry databases only', () => {
    const analytics = init.schemaLoads.filter((l) => l.product === 'analytics');
    expect(analytics.map((l) => `${l.script}>${l.database}`)).toEqual([
      `dbscripts/mysql.sql>${DAS_DATABASES.userStore}`,
      `dbscripts/mysql.sql>${DAS_DATABASES.registry}`,
    ]);
    for (const l of analytics) expect(init.script).toContain(`load_schema 'analytics' 'dbscripts/mysql.sql' '${l.database}'`);
  });
});
