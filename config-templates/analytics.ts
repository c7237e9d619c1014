/**
 * Analytics node change sets, per flavour of IS Analytics the stack runs.
 * - 'sp': IS Analytics 5.8.0 (Stream Processor based) active-passive workers, `./analytics-sp`.
 * - 'das': the DAS-based analytics (seeds 000-002), rendered by `./analytics-das`.
 */
import { NodeId, Topology, node } from '../topology';
import { NodeChangeSet } from './types';
import { renderSpChangeSet } from './analytics-sp';
import { renderDasChangeSet } from './analytics-das';

export function renderAnalyticsChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  if (node(t, id).role !== 'analytics') throw new Error(`${id} is not an analytics node`);
  switch (t.analyticsFlavor) {
    case 'sp':
      return renderSpChangeSet(t, id);
    case 'das':
      return renderDasChangeSet(t, id);
    default: {
      const never: never = t.analyticsFlavor;
      throw new Error(`unknown analyticsFlavor ${String(never)}`);
    }
  }
}
