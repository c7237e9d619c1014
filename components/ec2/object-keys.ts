/**
 * Bucket keys of a node's delivered files (config-delivery.ts puts them, iam.ts lets only the
 * node's role read them). Pure: no Pulumi import, so the sandbox tests of the boot script name
 * the same keys without loading the AWS provider.
 */
import type { NodeId } from '../../topology';

/** Prefix of the keys of the per-node files. */
export const NODE_KEY_PREFIX = 'nodes/';
/** Bucket keys of a node's delivered files. */
export function objectKeys(id: NodeId): { boot: string; changeSet: string; applier: string } {
  const dir = `${NODE_KEY_PREFIX}${id}`;
  return { boot: `${dir}/boot.sh`, changeSet: `${dir}/change-set.json`, applier: `${dir}/applier.js` };
}
