/**
 * EC2 user-data: a small `#cloud-config` that never changes with the product configuration.
 *
 * It installs (write_files) a node env file with ids only (no secret), a refresh script, and the
 * `wso2-pattern2-config` oneshot unit, then enables and starts the unit (runcmd, first boot).
 * The unit runs at EVERY boot: it fetches this node's boot script from the stack's bucket (the
 * instance profile may read it) and runs it, so a reboot re-applies the current configuration.
 * Configuration travels in S3 objects, so changing it never changes user-data and never stops
 * or replaces an instance; nodes pick it up one at a time (docs/architecture.md).
 *
 * Pure; YAML rendered with `yaml`.
 */
import { stringify } from 'yaml';
import { shellAssignments, shellFile } from '../../config-templates/shell';
import { STATE_DIR } from './boot-script';

/** The oneshot unit that fetches and runs the boot script at every boot. */
export const CONFIG_UNIT = 'wso2-pattern2-config.service';
/** Where user-data installs the refresh script (`shell/ec2-refresh.sh`). */
export const REFRESH_SCRIPT = '/usr/local/sbin/wso2-pattern2-refresh';
/** The node's ids (no secret), sourced by the refresh script. */
export const NODE_ENV_FILE = '/etc/wso2-pattern2/node.env';
/** EC2's limit on user-data (before base64). */
export const USER_DATA_LIMIT = 16 * 1024;

export interface UserDataParams {
  /** The node the instance runs. */
  nodeId: string;
  /** AWS region of the stack's bucket. */
  region: string;
  /** The stack's bucket, holding the node's boot script. */
  bucket: string;
  /** Key of this node's boot script in the bucket. */
  bootKey: string;
}

/**
 * The refresh script, `shell/ec2-refresh.sh`: fetch the current boot script, then run it. Its
 * paths are this module's NODE_ENV_FILE and the boot script's STATE_DIR, written out (the file
 * runs on its own, with no header); checked here so the two cannot drift apart.
 */
export function renderRefreshScript(): string {
  const text = shellFile('ec2-refresh.sh');
  for (const needle of [`\n. ${NODE_ENV_FILE}\n`, `\nexec bash ${STATE_DIR}/boot.sh\n`]) {
    if (!text.includes(needle)) throw new Error(`shell/ec2-refresh.sh no longer holds ${JSON.stringify(needle.trim())}`);
  }
  return text;
}

/** Seconds between attempts of the config unit, and how many attempts an hour at most. */
export const CONFIG_RETRY_SECONDS = 30;
export const CONFIG_ATTEMPTS_PER_HOUR = 10;

/**
 * The config unit. Not ordered after cloud-final.service: newer cloud-init orders cloud-final
 * after multi-user.target, which wants this unit (and the product units ordered after it), so
 * that ordering would be a cycle systemd breaks by dropping a job. On the first boot runcmd starts
 * it without waiting, so it simply runs beside the end of cloud-final.
 *
 * Retried on failure: on a fresh stack the first attempt can meet conditions that clear up by
 * themselves (the new instance role's policy not yet visible to S3 or Secrets Manager, an EFS
 * mount target's DNS name not yet resolvable, a package mirror hiccup); the boot script is
 * idempotent, so running it again is safe. Bounded, so a real error ends in `failed`.
 */
export function renderConfigUnit(): string {
  return [
    '[Unit]',
    'Description=WSO2 pattern 2: fetch and apply this node\'s configuration',
    'Wants=network-online.target',
    'After=network-online.target cloud-config.service',
    'StartLimitIntervalSec=3600',
    `StartLimitBurst=${CONFIG_ATTEMPTS_PER_HOUR}`,
    '',
    '[Service]',
    'Type=oneshot',
    'RemainAfterExit=yes',
    `ExecStart=${REFRESH_SCRIPT}`,
    'Restart=on-failure',
    `RestartSec=${CONFIG_RETRY_SECONDS}`,
    'TimeoutStartSec=3600',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}

/** The `#cloud-config` user-data of one node (constant for the node's lifetime). */
export function renderUserData(p: UserDataParams): string {
  // Ids only, never a secret: user-data is readable by anyone who may describe the instance.
  const env = [
    ...shellAssignments({ PATTERN2_NODE_ID: p.nodeId, PATTERN2_REGION: p.region, PATTERN2_BUCKET: p.bucket, PATTERN2_BOOT_KEY: p.bootKey }),
    '',
  ].join('\n');
  return unitCloudConfig(
    [
      { path: NODE_ENV_FILE, permissions: '0644', content: env },
      { path: REFRESH_SCRIPT, permissions: '0755', content: renderRefreshScript() },
      { path: `/etc/systemd/system/${CONFIG_UNIT}`, permissions: '0644', content: renderConfigUnit() },
    ],
    CONFIG_UNIT,
  );
}

/**
 * A `#cloud-config` that writes root-owned files and enables and starts one systemd unit.
 * runcmd runs once per instance; the unit then runs at every boot. --no-block: cloud-final must
 * not wait for the unit's work (it logs to the journal).
 * @param files the files (path, mode, content)
 * @param unit the unit to enable and start
 */
export function unitCloudConfig(files: { path: string; permissions: string; content: string }[], unit: string): string {
  const doc = {
    write_files: files.map((f) => ({ path: f.path, permissions: f.permissions, owner: 'root:root', content: f.content })),
    runcmd: [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', unit],
      ['systemctl', '--no-block', 'start', unit],
    ],
  };
  return `#cloud-config\n${stringify(doc, { lineWidth: 0 })}`;
}
