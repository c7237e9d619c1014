/**
 * The database's CA in a pod. Every container that logs in to the database, the db-init Job's and
 * the product pods' `wait-for-database`, verifies the server against the same CA file, mounted and
 * named the same way: a volume from `PlatformDatabase.caVolume` (the `ca.crt` item of the
 * in-cluster MySQL's TLS Secret, or the RDS CA bundle's ConfigMap), mounted read-only at
 * `MOUNTS.dbCa`, its file named by `DB_SSL_CA`. Pure (no Pulumi import).
 */
import type * as k8s from '@pulumi/kubernetes';
import { MOUNTS } from './paths';

/** The CA file's name in the CA volume. */
export const DB_CA_FILE = 'ca.pem';

/** The CA volume's name in a pod. */
const DB_CA_VOLUME = 'db-ca';

/** Where the database's CA file comes from: a volume source holding it as `DB_CA_FILE` (`PlatformDatabase.caVolume`). */
export type DbCaSource = Omit<k8s.types.input.core.v1.Volume, 'name'>;

/** What a pod and its database client container need to verify the server. */
export interface DbCaParts {
  /** The pod's volume holding the CA file. */
  volume: k8s.types.input.core.v1.Volume;
  /** The container's read-only mount of it. */
  mount: k8s.types.input.core.v1.VolumeMount;
  /** `DB_SSL_CA`: the CA file the container's scripts pass to the client. */
  env: k8s.types.input.core.v1.EnvVar;
}

/**
 * The CA volume, its mount and `DB_SSL_CA`, fresh objects for each pod.
 * @param source where the CA file comes from (`PlatformDatabase.caVolume`)
 */
export function dbCaParts(source: DbCaSource): DbCaParts {
  return {
    volume: { ...source, name: DB_CA_VOLUME },
    mount: { name: DB_CA_VOLUME, mountPath: MOUNTS.dbCa, readOnly: true },
    env: { name: 'DB_SSL_CA', value: `${MOUNTS.dbCa}/${DB_CA_FILE}` },
  };
}
