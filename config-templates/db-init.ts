import { Topology } from '../topology';

export interface DbInit {
  /** Bash script run on a node (or in a Job) that initialises the databases exactly once. */
  script: string;
}

// Placeholder until the database renderer lands.
export function renderDbInit(t: Topology): DbInit {
  void t;
  return { script: '' };
}
