/**
 * The db-init runner's user-data (pure): a `#cloud-config` installing the runner script
 * (`shell/ec2-db-init-run.sh` behind a generated header of ids, never a secret) and a oneshot unit
 * that runs it at every boot of the instance and then powers the instance off, success or not.
 * Every input is part of the user-data, so a new db-init script or a rotated password (a new
 * secret version) changes it, and the runner is replaced, which runs db-init again.
 */
import { unitCloudConfig } from './user-data';
import { shellAssignments, shellFile } from '../../config-templates/shell';
import { DB_INIT_META_DATABASE } from '../../topology';

/** The table the runner fills when db-init succeeded; the nodes wait on it (their accounts may read it). */
export const EC2_DB_INIT_DONE_TABLE = `${DB_INIT_META_DATABASE}.ec2_db_init_done`;
/** The runner's unit on its instance. */
export const DB_INIT_UNIT = 'wso2-pattern2-db-init.service';
/** The runner's script on its instance. */
export const DB_INIT_RUNNER_SCRIPT = '/usr/local/sbin/wso2-pattern2-db-init';
/** Attempts of one boot, and the pause between them (db-init itself waits up to 5 min for the database). */
export const DB_INIT_ATTEMPTS = 3;
export const DB_INIT_RETRY_SECONDS = 60;

/** The databases step (shell/ec2-boot-db-wait.sh): the runner's record of the current db-init script. */
export interface DbWait {
  /** Database host. */
  host: string;
  /** Database port. */
  port: number;
  /** This node's application account (its password is `db_password` of the stack secret). */
  user: string;
  /** `<database>.<table>` the db-init runner fills (db-init-runner-script.ts). */
  recordTable: string;
  /** SHA-256 of the db-init script the node's configuration was rendered with. */
  scriptSha256: string;
  /** Longest wait (the runner's first run installs a client and unzips the pack). */
  timeoutSeconds: number;
  /** Pause between two reads. */
  intervalSeconds: number;
}
/** The databases step's bound: long enough for the runner's first run, within the config unit's hour. */
export const DB_WAIT_TIMEOUT_SECONDS = 1200;
export const DB_WAIT_INTERVAL_SECONDS = 10;

export interface DbInitRunnerParams {
  /** The stack's region. */
  region: string;
  /** The stack's bucket. */
  bucket: string;
  /** The db-init script's key in it. */
  dbInitKey: string;
  /** SHA-256 of the db-init script: the runner checks it, records it; the nodes wait for it. */
  dbInitSha256: string;
  /** ARN of the secret holding `db_master_password` and `db_password`. */
  dbSecretArn: string;
  /** That secret's current version id (rotation re-runs db-init). */
  secretVersion: string;
  /** Database host. */
  dbHost: string;
  /** Database port. */
  dbPort: number;
  /** Database master user. */
  dbMasterUser: string;
  /** Bucket key of the RDS CA bundle db-init verifies the server with, and its SHA-256 (hex). */
  rdsCaKey: string;
  rdsCaSha256: string;
  /** IS pack (s3:// or http(s)://); unset with a pre-baked image holding the home. */
  isPackUrl?: string;
  /** Analytics pack (DAS schemas); unset with a pre-baked image. */
  analyticsPackUrl?: string;
  /** The IS home on a pre-baked image (used when it holds dbscripts/). */
  isHomeOnImage: string;
  /** The analytics home on the image when the flavour loads analytics schemas (DAS); unset: none. */
  analyticsHomeOnImage?: string;
  /** The application accounts that may read the record. */
  appUsers: string[];
}

/** The runner script: `#!/bin/bash`, strict mode, the header, then the fixed body. */
export function renderRunnerScript(p: DbInitRunnerParams): string {
  if (!/^[0-9a-f]{64}$/.test(p.dbInitSha256)) throw new Error('dbInitSha256: 64 lower-case hex digits expected');
  if (!/^[0-9a-f]{64}$/.test(p.rdsCaSha256)) throw new Error('rdsCaSha256: 64 lower-case hex digits expected');
  for (const u of p.appUsers) if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(u)) throw new Error(`not a database user name: ${u}`);
  const header = shellAssignments({
    REGION: p.region,
    BUCKET: p.bucket,
    DB_INIT_KEY: p.dbInitKey,
    DB_INIT_SHA256: p.dbInitSha256,
    RDS_CA_KEY: p.rdsCaKey,
    RDS_CA_SHA256: p.rdsCaSha256,
    DB_SECRET_ARN: p.dbSecretArn,
    SECRET_VERSION: p.secretVersion,
    DB_MASTER_USER: p.dbMasterUser,
    DB_HOST: p.dbHost,
    DB_PORT: p.dbPort,
    IS_PACK_URL: p.isPackUrl ?? '',
    IS_HOME_ON_IMAGE: p.isHomeOnImage,
    ANALYTICS_PACK_URL: p.analyticsHomeOnImage ? (p.analyticsPackUrl ?? '') : '',
    ANALYTICS_HOME_ON_IMAGE: p.analyticsHomeOnImage ?? '',
    RECORD_TABLE: EC2_DB_INIT_DONE_TABLE,
    APP_USERS: p.appUsers.join(' '),
    ATTEMPTS: DB_INIT_ATTEMPTS,
    RETRY_SECONDS: DB_INIT_RETRY_SECONDS,
  });
  const text = shellFile('ec2-db-init-run.sh');
  const body = text.slice(text.indexOf('\n\n') + 2);
  return ['#!/bin/bash', '# WSO2 pattern 2: db-init runner (rendered by the Pulumi program).', 'set -euo pipefail', 'umask 022', ...header, '', body].join('\n');
}

/**
 * The unit: once per boot, then power off whatever the outcome (a failed run is retried by
 * starting the instance again, or by `pulumi up --replace` on it). No `Restart=`: the script
 * retries itself, so success and failure each end the unit exactly once.
 */
export function renderRunnerUnit(): string {
  return [
    '[Unit]',
    'Description=WSO2 pattern 2: database initialisation, then power off',
    'Wants=network-online.target',
    'After=network-online.target cloud-config.service',
    'SuccessAction=poweroff',
    'FailureAction=poweroff',
    '',
    '[Service]',
    'Type=oneshot',
    `ExecStart=${DB_INIT_RUNNER_SCRIPT}`,
    'TimeoutStartSec=3600',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The runner's `#cloud-config` user-data. */
export function renderRunnerUserData(p: DbInitRunnerParams): string {
  return unitCloudConfig(
    [
      { path: DB_INIT_RUNNER_SCRIPT, permissions: '0700', content: renderRunnerScript(p) },
      { path: `/etc/systemd/system/${DB_INIT_UNIT}`, permissions: '0644', content: renderRunnerUnit() },
    ],
    DB_INIT_UNIT,
  );
}
