/**
 * The `yaml` package, evaluated on first use. Most applier runs read no YAML (keystores,
 * db-client, an IS node's apply), and evaluating the package is about a third of loading the
 * bundled applier, which a node starts several times per boot. esbuild still bundles it (a
 * `require` of a literal name); only its evaluation waits.
 */
import type * as Yaml from 'yaml';

let loaded: typeof Yaml | undefined;

export function yaml(): typeof Yaml {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (loaded ??= require('yaml') as typeof Yaml);
}
