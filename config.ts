/**
 * Stack configuration: read once, validated once, into one typed object.
 *
 * The keys are defined once, in the table of config/schema.ts; the parser (config/parse.ts), the
 * `StackConfig` type below, the `Pulumi.yaml` `config:` block and the README reference all come
 * from it (`npm run config:docs` regenerates the last two). `parseStackConfig` is pure (raw
 * key/value strings in, typed object or ConfigError out) so every rule is testable without the
 * Pulumi engine; `loadStackConfig` feeds it the running stack's config and wraps secret values as
 * Pulumi secrets. Invalid input throws before any resource is registered, naming the key and what
 * is accepted.
 */
import * as pulumi from '@pulumi/pulumi';
import { MYSQL_PORT, NodeId, TopologyInput } from './topology';
import { PROJECT } from './config/fields';
import { ParsedStackConfig, parseStackConfig } from './config/parse';

export { PROJECT, ConfigError } from './config/fields';
export { parseStackConfig } from './config/parse';
export type { ParsedStackConfig } from './config/parse';
export { SCHEMA, DEFAULTS, isValidCidr, isValidHostname } from './config/schema';
export { CONFIG_KEYS } from './config/declarations';
export type { KeySpec } from './config/declarations';

/** The typed stack config: the parsed one with secret values as Pulumi secrets. */
export type StackConfig = Omit<ParsedStackConfig, 'tls' | 'secrets' | 'keys'> & {
  tls: { certificate?: string; privateKey?: pulumi.Output<string> };
  keys: Omit<ParsedStackConfig['keys'], 'primaryPrivateKey'> & { primaryPrivateKey?: pulumi.Output<string> };
  secrets: { -readonly [K in keyof ParsedStackConfig['secrets']]?: pulumi.Output<string> };
};

export type Platform = StackConfig['platform'];
/** `test` stacks tear down with nothing left (no final snapshot, no deletion protection); `prod` protects data. */
export type Environment = StackConfig['environment'];
export type DatabaseKind = StackConfig['database'];
export type SharedStorageKind = StackConfig['sharedStorage'];
export type RoleSettings = StackConfig['is'];

/** Wraps the parser's plain secret strings as Pulumi secrets. */
export function toStackConfig(parsed: ParsedStackConfig): StackConfig {
  const s = (v?: string) => (v === undefined ? undefined : pulumi.secret(v));
  return {
    ...parsed,
    tls: { certificate: parsed.tls.certificate, privateKey: s(parsed.tls.privateKey) },
    keys: { ...parsed.keys, primaryPrivateKey: s(parsed.keys.primaryPrivateKey) },
    secrets: {
      adminPassword: s(parsed.secrets.adminPassword),
      dbPassword: s(parsed.secrets.dbPassword),
      dbMasterPassword: s(parsed.secrets.dbMasterPassword),
    },
  };
}

/** Reads the running stack's config (this project's namespace only) and validates it. */
export function loadStackConfig(): StackConfig {
  const prefix = `${PROJECT}:`;
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(pulumi.runtime.allConfig())) {
    if (k.startsWith(prefix)) raw[k.slice(prefix.length)] = v;
  }
  return toStackConfig(parseStackConfig(raw, pulumi.getStack()));
}

/**
 * The topology inputs a stack config determines; the platform adds what only it knows: each
 * node's address and the database host.
 */
export function topologyInput(
  c: Pick<ParsedStackConfig, 'hostname' | 'mgtHostname' | 'dashboardHostname' | 'is' | 'analytics' | 'ports' | 'databaseCharacterSet' | 'databaseUser'>,
  addresses: Record<NodeId, string>,
  dbHost: string,
  dbPort: number = MYSQL_PORT,
): TopologyInput {
  return {
    hostname: c.hostname,
    mgtHostname: c.mgtHostname,
    dashboardHostname: c.dashboardHostname,
    analyticsFlavor: c.analytics.flavor,
    ports: c.ports,
    isNodeCount: c.is.nodeCount,
    addresses,
    dbHost,
    dbPort,
    dbCharacterSet: c.databaseCharacterSet,
    dbUser: c.databaseUser,
  };
}
