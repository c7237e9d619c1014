import { NodeId, Topology } from '../topology';
import { NodeChangeSet } from './types';

// Placeholder until the analytics renderers land.
export function renderAnalyticsChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  void t;
  return { nodeId: id, product: 'analytics', changes: [] };
}
