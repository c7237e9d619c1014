/**
 * Entry point of the renderers: pure, deterministic functions of the topology model.
 * Platforms call these (inside an apply, producing strings only) and ship the results.
 */
import { NodeId, Topology } from '../topology';
import { NodeChangeSet, CHANGE_SET_SCHEMA } from './types';
import { renderIsChangeSet } from './is';
import { renderAnalyticsChangeSet } from './analytics';

export * from './types';
export { renderIsChangeSet } from './is';
export { renderAnalyticsChangeSet } from './analytics';
export { renderNginxConf } from './nginx';
export type { NginxOptions } from './nginx';
export { renderDbInit } from './db-init';
export type { DbInit } from './db-init';

// CHANGE_SET_SCHEMA is defined in ./types (re-exported above) so the applier bundle needs no renderer.

export function renderNodeChangeSet(t: Topology, id: NodeId): NodeChangeSet {
  return id.startsWith('is-') ? renderIsChangeSet(t, id) : renderAnalyticsChangeSet(t, id);
}

export function renderNodeChangeSets(t: Topology): NodeChangeSet[] {
  return t.nodes.map((n) => renderNodeChangeSet(t, n.id));
}

/** The JSON a node receives: stable key order, so two renders of one model are byte-identical. */
export function changeSetPayload(cs: NodeChangeSet): string {
  return JSON.stringify({ $schema: CHANGE_SET_SCHEMA, ...cs }, null, 2) + '\n';
}
