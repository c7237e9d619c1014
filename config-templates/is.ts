import { NodeId, Topology } from '../topology';
import { NodeChangeSet } from './types';

// Placeholder until the IS renderers land.
export function renderIsChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  void t;
  return { nodeId: id, product: 'is', changes: [] };
}
