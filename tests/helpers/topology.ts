/**
 * The one topology builder of the renderer tests: documentation addresses, product default ports,
 * the model's MySQL port. A test overrides only what it is about.
 */
import { DEFAULT_PORTS, MYSQL_PORT, Topology, TopologyInput, buildTopology } from '../../topology';

export function testInput(overrides: Partial<TopologyInput> = {}): TopologyInput {
  return {
    hostname: 'is.pattern2.test',
    mgtHostname: 'mgt.is.pattern2.test',
    dashboardHostname: 'analytics.is.pattern2.test',
    analyticsFlavor: 'sp',
    ports: { ...DEFAULT_PORTS },
    addresses: { 'is-1': '10.0.1.10', 'is-2': '10.0.2.10', 'analytics-1': '10.0.1.20', 'analytics-2': '10.0.2.20' },
    dbHost: 'mysql.internal',
    dbPort: MYSQL_PORT,
    dbCharacterSet: 'latin1',
    dbUser: 'wso2',
    ...overrides,
  };
}

export function testTopology(overrides: Partial<TopologyInput> = {}): Topology {
  return buildTopology(testInput(overrides));
}
