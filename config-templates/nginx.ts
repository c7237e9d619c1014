import { Topology } from '../topology';

export interface NginxOptions {
  /** Port nginx listens on for HTTP (default 80). */
  httpPort?: number;
  /** Port nginx listens on for HTTPS (default 443). */
  httpsPort?: number;
  /** Path of the PEM certificate and key inside the nginx host or container. */
  certificateFile: string;
  certificateKeyFile: string;
}

// Placeholder until the nginx renderer lands.
export function renderNginxConf(t: Topology, opts: NginxOptions): string {
  void t;
  void opts;
  return '';
}
