/**
 * The databases of the Kubernetes platform: MySQL in the cluster (local stacks) or RDS (EKS,
 * through the shared `stackDatabase`), and the db-init Job that creates the schemas once per
 * version of the rendered script; the product pods wait for its record.
 */
import * as pulumi from '@pulumi/pulumi';
import * as k8s from '@pulumi/kubernetes';
import { DB_INIT_META_DATABASE, MYSQL_PORT, NODE_TAG_KEY, STACK_TAG_KEY, Topology } from '../../topology';
import { renderDbInit } from '../../config-templates';
import { Credentials } from '../credentials';
import { stackDatabase } from '../aws/rds';
import { PlatformContext, keepsData } from './context';
import { CONFIG_MAP_NAMES, NAMES, appLabels, serviceDnsName } from './names';
import { sha256 } from './checksums';
import { dbInitJobScript } from './scripts';
import { DatabaseAccess, dbInitPodSpec, mysqlPodSpec } from './pod-specs';
import { DB_CA_FILE, DbCaSource } from './db-ca';
import { caBundlePem } from '../../applier/ca-bundles';
import { PlatformSecrets } from './secrets';
import type { KeyMaterial } from '../keys';

/** The Secret holding the in-cluster MySQL's TLS key pair and the CA. */
const MYSQL_TLS_SECRET = 'wso2is-mysql-tls';

/** The ConfigMap holding the RDS CA bundle for db-init's client (EKS with RDS). */
const RDS_CA_CONFIG_MAP = 'wso2is-db-ca';

/** MySQL in the cluster: storage of its data volume. */
const MYSQL_STORAGE = '10Gi';

/** Where the stack's database is, and what must exist before it is used. */
export interface PlatformDatabase {
  /** The database host the nodes connect to. */
  host: pulumi.Output<string>;
  /** The master user (root in the cluster; the RDS master user). */
  masterUser: pulumi.Output<string>;
  /** The resources that make the database reachable (and its CA file available). */
  ready: pulumi.Resource[];
  /** The volume source holding the CA file (`DB_CA_FILE`) db-init and the pods' wait verify the server against. */
  caVolume: DbCaSource;
}

/**
 * The stack's database: in the cluster or on RDS (`database`).
 * @param ctx the platform context
 * @param credentials the stack's credentials (the RDS master password)
 * @param dbSecret the database Secret (the in-cluster root password)
 * @param keys the key material (the in-cluster server's key pair and the CA)
 */
export function platformDatabase(ctx: PlatformContext, credentials: Credentials, dbSecret: k8s.core.v1.Secret, keys: KeyMaterial): PlatformDatabase {
  if (ctx.cfg.database === 'in-cluster') {
    const { mysql, tls } = inClusterMysql(ctx, dbSecret, keys);
    // The deployment CA that signed the server's certificate, from the server's own Secret.
    const caVolume = { secret: { secretName: tls.metadata.name, items: [{ key: 'ca.crt', path: DB_CA_FILE }] } };
    return { host: pulumi.output(serviceDnsName(NAMES.mysql, ctx.ns)), masterUser: pulumi.output('root'), ready: [mysql], caVolume };
  }
  const rds = rdsDatabase(ctx, credentials);
  // The RDS CA bundle the applier embeds, checked against its pinned digest (~170 KB: a ConfigMap holds 1 MiB).
  const ca = new k8s.core.v1.ConfigMap(
    `${ctx.name}-db-ca`,
    { metadata: ctx.meta(RDS_CA_CONFIG_MAP, 'database'), data: { [DB_CA_FILE]: caBundlePem('rds') } },
    ctx.inNs(),
  );
  return { host: rds.address, masterUser: pulumi.output(rds.masterUsername), ready: [rds, ca], caVolume: { configMap: { name: ca.metadata.name } } };
}

/**
 * MySQL 8 StatefulSet with a PVC; root password from the database Secret. The data claim is the
 * StatefulSet controller's, not the stack's: in prod it is retained when the StatefulSet is
 * deleted or replaced (and the created Namespace is kept on `destroy`, context.ts), on a test
 * stack it is deleted with it, so `destroy` leaves nothing.
 * @param ctx the platform context
 * @param dbSecret the database Secret
 * @param keys the key material: the server's key pair (a Secret) and the CA that signed it
 */
function inClusterMysql(ctx: PlatformContext, dbSecret: k8s.core.v1.Secret, keys: KeyMaterial): { mysql: k8s.apps.v1.StatefulSet; tls: k8s.core.v1.Secret } {
  const { name, cfg, meta, inNs } = ctx;
  if (!keys.databaseServer) throw new Error('KubernetesPlatform: the in-cluster database needs its server key pair');
  // TLS for JDBC (the nodes verify it against the deployment CA in their truststores) and db-init.
  const tls = new k8s.core.v1.Secret(
    `${name}-mysql-tls`,
    {
      metadata: meta(MYSQL_TLS_SECRET, 'database'),
      type: 'kubernetes.io/tls',
      stringData: { 'tls.crt': keys.databaseServer.certificate, 'tls.key': keys.databaseServer.privateKey, 'ca.crt': keys.caCertificate },
    },
    inNs(),
  );
  const claims = keepsData(cfg) ? 'Retain' : 'Delete';
  const labels = appLabels(NAMES.mysql);
  const svc = new k8s.core.v1.Service(
    `${name}-mysql-service`,
    { metadata: meta(NAMES.mysql, 'database'), spec: { clusterIP: 'None', selector: labels, ports: [{ name: 'mysql', port: MYSQL_PORT, targetPort: MYSQL_PORT }] } },
    inNs(),
  );
  const mysql = new k8s.apps.v1.StatefulSet(
    `${name}-mysql`,
    {
      metadata: meta(NAMES.mysql, 'database'),
      spec: {
        serviceName: svc.metadata.name,
        replicas: 1,
        selector: { matchLabels: labels },
        template: { metadata: { labels }, spec: mysqlPodSpec(cfg.kubernetes.images.mysql, cfg.databaseCharacterSet, dbSecret.metadata.name, tls.metadata.name) },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: claims, whenScaled: claims },
        volumeClaimTemplates: [
          { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: MYSQL_STORAGE } } } },
        ],
      },
    },
    inNs({ dependsOn: [svc, dbSecret, tls] }),
  );
  return { mysql, tls };
}

/**
 * RDS MySQL (EKS): in the configured VPC's private subnets, reachable from the VPC CIDR.
 * @param ctx the platform context
 * @param credentials the stack's credentials (the master password)
 */
function rdsDatabase(ctx: PlatformContext, credentials: Credentials) {
  const { name, cfg, parent } = ctx;
  // Imported here so a stack without RDS never loads the AWS SDK's resource modules.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const aws = require('@pulumi/aws') as typeof import('@pulumi/aws');
  const { vpcId, privateSubnetIds, vpcCidr } = cfg.network;
  if (!vpcId || !privateSubnetIds) throw new Error('KubernetesPlatform: config.ts admits database rds only with network.vpcId and subnets');
  const tags = { [STACK_TAG_KEY]: cfg.stack, [NODE_TAG_KEY]: 'database' };
  // The pods reach RDS from the cluster's VPC; `network.vpcCidr` is that VPC's CIDR on this stack.
  const sg = new aws.ec2.SecurityGroup(
    `${name}-rds-sg`,
    {
      vpcId,
      description: 'WSO2 pattern 2: MySQL from the EKS cluster VPC',
      ingress: [{ protocol: 'tcp', fromPort: MYSQL_PORT, toPort: MYSQL_PORT, cidrBlocks: [vpcCidr], description: 'MySQL from the cluster VPC' }],
      egress: [],
      tags,
    },
    { parent },
  );
  return stackDatabase(
    `${name}-rds`,
    { config: cfg, masterPassword: credentials.dbMasterPassword, subnetIds: privateSubnetIds, securityGroupIds: [sg.id], tags },
    { parent },
  );
}

/** The db-init Job and what the product pods wait on. */
export interface DbInit {
  job: k8s.batch.v1.Job;
  /** SHA-256 of the rendered script: the record the pods wait for, part of their checksum. */
  scriptSha: pulumi.Output<string>;
  /** Where the database is, as the pods' containers see it. */
  access: DatabaseAccess;
}

/**
 * The db-init Job: one per version of the rendered script (its name carries the script's hash).
 * @param ctx the platform context
 * @param topology the model, with the database host
 * @param db the database
 * @param secrets the platform's Secrets
 * @param namespace the Namespace, when the stack creates it (the Job waits for it explicitly)
 */
export function dbInitJob(ctx: PlatformContext, topology: pulumi.Output<Topology>, db: PlatformDatabase, secrets: PlatformSecrets, namespace?: pulumi.Resource): DbInit {
  const { name, cfg, meta, inNs } = ctx;
  const dbInit = topology.apply((t) => renderDbInit(t));
  const scriptSha = dbInit.apply((d) => sha256(d.script));
  const cm = new k8s.core.v1.ConfigMap(`${name}-db-init`, { metadata: meta(CONFIG_MAP_NAMES.dbInit, 'database'), data: dbInit.apply((d) => ({ [d.fileName]: d.script })) }, inNs());
  const access: DatabaseAccess = { image: cfg.kubernetes.images.mysql, host: db.host, secret: secrets.database.metadata.name, ca: db.caVolume };
  const job = new k8s.batch.v1.Job(
    `${name}-db-init-job`,
    {
      metadata: { ...meta('placeholder'), name: scriptSha.apply((s) => `wso2is-db-init-${s.slice(0, 10)}`) },
      spec: {
        backoffLimit: 10,
        template: {
          metadata: { labels: appLabels(NAMES.dbInit) },
          spec: dbInitPodSpec({
            images: cfg.kubernetes.images,
            flavor: cfg.analytics.flavor,
            db: access,
            masterUser: db.masterUser,
            script: pulumi.all([dbInit, scriptSha]).apply(([d, s]) => dbInitJobScript(d.fileName, DB_INIT_META_DATABASE, s, cfg.databaseUser)),
            scriptConfigMap: cm.metadata.name,
          }),
        },
      },
    },
    inNs({ dependsOn: [...(namespace ? [namespace] : []), cm, secrets.database, ...db.ready], customTimeouts: { create: '30m', update: '30m' } }),
  );
  return { job, scriptSha, access };
}
