/**
 * Node entry point of the applier, shipped to each node as one bundled file (applier/bundle.ts):
 *
 *   node applier.js apply --home DIR --changes FILE.json [--secrets-file SECRETS.json [--material MATERIAL.json]]
 *       FILE.json is `changeSetPayload()` (config-templates/index.ts): { $schema, nodeId, product, changes }.
 *       With --secrets-file, the placeholders of the files the change set touches are filled in the
 *       same in-memory pass, and a file is written only when its filled content differs from the
 *       disk: what the nodes run at boot (no placeholder on disk, nothing rewritten when unchanged).
 *       SECRETS.json is { "db_password": "...", ... }. Every placeholder the renderers emit sits
 *       in a file of the node's own change set, so this one command is all a node runs.
 *       MATERIAL.json (the node's keystore material) lends the certificates of its `tls` and
 *       `internal` keys to the values (`tls_certificate`, `node_internal_certificate`): SP analytics
 *       nodes encrypt their Secure Vault entries with the first, DAS analytics nodes with the second.
 *
 *   node applier.js keystores --home DIR --material MATERIAL.json
 *       Builds the node's JKS keystores and truststore from MATERIAL.json (applier/keystore-material.ts)
 *       with the JDK's keytool; writes nothing when they already match it (applier/keystores.ts).
 *
 *   node applier.js keystores --home DIR --material MATERIAL.json --prepare WORKDIR
 *   node applier.js keystores --home DIR --material MATERIAL.json --install WORKDIR
 *       The same in phases, for a node without keytool (Kubernetes: the Node image has no JDK, the
 *       product image no Node): --prepare checks the stores and writes the keytool steps into
 *       WORKDIR (a private memory volume), the product image runs them (shell/k8s-keystores.sh),
 *       --install checks what keytool built, replaces the stores and empties WORKDIR.
 *
 *   node applier.js ca-bundle NAME --out FILE
 *       Writes CA bundle NAME (applier/ca-bundles.ts: `rds`), checked against its pinned SHA-256,
 *       to FILE (mode 0644, replaced atomically): the CA file db-init's mysql client verifies the
 *       database server with (`DB_SSL_CA`).
 *
 *   node applier.js db-client --secrets-file SECRETS.json --user NAME --options FILE --ca NAME --ca-out FILE
 *       The EC2 databases step's client set-up in one node start (applier/db-client.ts): the option
 *       file (mode 0600) of account NAME with the secrets' `db_password`, and CA bundle NAME, as
 *       `ca-bundle` writes it, to --ca-out.
 *
 * Exit code 0 on success; 1 with a one-line message on stderr otherwise. Logs name the files
 * touched, never a secret value.
 */
import * as fs from 'fs';
import { CHANGE_SET_SCHEMA } from '../config-templates/types';
import { NODE_INTERNAL_CERTIFICATE } from '../secret-names';
import { applyChangeSet } from './apply';
import { CA_BUNDLES, isCaBundleName, writeCaBundleFile } from './ca-bundles';
import { TLS_CERTIFICATE_VALUE } from './analytics-vault';
import { writeDbClient } from './db-client';
import { parseKeystoreMaterial } from './keystore-material';
import { STEPS_FILE, buildKeystores, installKeystores, keystoresReport, prepareKeystores } from './keystores';

const USAGE =
  'usage: applier apply --home DIR --changes FILE.json [--secrets-file FILE.json [--material FILE.json]] | applier keystores --home DIR --material FILE.json [--prepare|--install WORKDIR]' +
  ' | applier ca-bundle NAME --out FILE | applier db-client --secrets-file FILE.json --user NAME --options FILE --ca NAME --ca-out FILE';


function parseArgs(argv: string[]): { cmd: string; opts: Record<string, string> } {
  const [cmd, ...rest] = argv;
  const opts: Record<string, string> = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument "${a}"; ${USAGE}`);
    const eq = a.indexOf('=');
    if (eq > 0) opts[a.slice(2, eq)] = a.slice(eq + 1);
    else {
      if (i + 1 >= rest.length) throw new Error(`${a} needs a value`);
      opts[a.slice(2)] = rest[++i];
    }
  }
  return { cmd: cmd ?? '', opts };
}

function need(opts: Record<string, string>, name: string, allowed: string[]): string {
  for (const k of Object.keys(opts)) if (!allowed.includes(k)) throw new Error(`unknown option --${k}; ${USAGE}`);
  const v = opts[name];
  if (!v) throw new Error(`--${name} is required; ${USAGE}`);
  return v;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new Error(`cannot read ${what} ${file}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    // No parser message: for the secrets file it could quote a value.
    throw new Error(`${what} ${file} is not valid JSON`);
  }
}

/** The secrets file: a JSON object of strings. Errors name the file and a key, never a value. */
function readSecrets(file: string): Record<string, string> {
  const values = readJson(file, 'secrets file') as Record<string, unknown>;
  if (!values || typeof values !== 'object' || Array.isArray(values)) throw new Error(`secrets file ${file} must be a JSON object`);
  for (const [k, v] of Object.entries(values)) if (typeof v !== 'string') throw new Error(`secrets file ${file}: "${k}" is not a string`);
  return values as Record<string, string>;
}


/** The keystores command in one process, or one of its phases (--prepare / --install WORKDIR). */
function keystoresPhase(home: string, material: ReturnType<typeof parseKeystoreMaterial>, opts: Record<string, string>): ReturnType<typeof keystoresReport> {
  const dir = opts.prepare ?? opts.install;
  if (dir === undefined) return buildKeystores(home, material);
  if (!fs.statSync(dir).isDirectory()) throw new Error(`${dir} is not a directory`);
  const empty = () => fs.readdirSync(dir).forEach((f) => fs.rmSync(`${dir}/${f}`, { recursive: true, force: true }));
  if (opts.prepare !== undefined) {
    // A pod's memory volume outlives a failed init container: start from nothing.
    empty();
    return keystoresReport(material, prepareKeystores(home, material, dir));
  }
  try {
    if (!fs.existsSync(`${dir}/${STEPS_FILE}`)) return keystoresReport(material, undefined);
    installKeystores(home, material, dir);
    return keystoresReport(material, 'built from prepared steps');
  } finally {
    empty();
  }
}

/** `ca-bundle NAME --out FILE`: the checked bundle written atomically; returns the log line. */
function writeCaBundle(args: string[]): string {
  const [name, ...rest] = args;
  if (!isCaBundleName(name)) throw new Error(`ca-bundle needs a bundle name (${Object.keys(CA_BUNDLES).join(', ')}); ${USAGE}`);
  return writeCaBundleFile(name, need(parseArgs(['ca-bundle', ...rest]).opts, 'out', ['out']));
}


/** The leaf certificate of the material's key entry `alias` (PEM), if any. */
export function certificatePem(m: ReturnType<typeof parseKeystoreMaterial>, alias: string): string | undefined {
  const entry = m.stores.flatMap((s) => s.keys).find((k) => k.alias === alias);
  if (!entry) return undefined;
  const b64 = entry.chain[0].toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** The leaf certificate of the material's key entry `tls` (PEM), if any. */
export const tlsCertificatePem = (m: ReturnType<typeof parseKeystoreMaterial>) => certificatePem(m, 'tls');

/** Runs one command; returns the exit code. Exported so tests can drive it in-process too. */
export function main(argv: string[], log: (line: string) => void = (l) => console.log(l)): number {
  try {
    // The one command with a positional argument (the bundle's name).
    if (argv[0] === 'ca-bundle') {
      log(writeCaBundle(argv.slice(1)));
      return 0;
    }
    const { cmd, opts } = parseArgs(argv);
    if (cmd === 'apply') {
      const allowed = ['home', 'changes', 'secrets-file', 'material'];
      const home = need(opts, 'home', allowed);
      const changesFile = need(opts, 'changes', allowed);
      // Read (and checked) before anything is applied: a bad secrets file changes nothing.
      const secrets = opts['secrets-file'] !== undefined ? readSecrets(need(opts, 'secrets-file', allowed)) : undefined;
      if (secrets && opts.material !== undefined) {
        // Only public certificates: the node's TLS key's (the SP analytics vault filters encrypt with
        // it) and its internal key's (the DAS Secure Vault, filter `vaultinternal`).
        const material = parseKeystoreMaterial(readJson(need(opts, 'material', allowed), 'keystore material'));
        const cert = tlsCertificatePem(material);
        if (cert) secrets[TLS_CERTIFICATE_VALUE] = cert;
        const internal = certificatePem(material, 'internal');
        if (internal) secrets[NODE_INTERNAL_CERTIFICATE] = internal;
      }
      const payload = readJson(changesFile, 'change set') as Record<string, unknown>;
      if (!payload || typeof payload !== 'object' || !Array.isArray(payload.changes)) {
        throw new Error(`change set ${changesFile} has no "changes" list`);
      }
      if (payload.$schema !== undefined && payload.$schema !== CHANGE_SET_SCHEMA) {
        throw new Error(`change set ${changesFile} has $schema ${JSON.stringify(payload.$schema)}, expected ${CHANGE_SET_SCHEMA}`);
      }
      const report = applyChangeSet(home, payload.changes as never, { secrets });
      for (const f of report.files) {
        // Names of the secrets only, never a value.
        const filled = f.secrets ? `, secrets ${f.secrets.join(', ')}` : '';
        log(`${f.changed ? 'changed' : 'unchanged'} ${f.path} (${f.kind}, ${f.ops} op${f.ops === 1 ? '' : 's'}${filled})`);
      }
      log(`applied ${report.files.length} file(s) for ${String(payload.nodeId ?? '?')}`);
      return 0;
    }
    if (cmd === 'db-client') {
      const allowed = ['secrets-file', 'user', 'options', 'ca', 'ca-out'];
      const [secretsFile, user, options, ca, caOut] = allowed.map((k) => need(opts, k, allowed));
      if (!isCaBundleName(ca)) throw new Error(`--ca needs a bundle name (${Object.keys(CA_BUNDLES).join(', ')}); ${USAGE}`);
      writeDbClient(readSecrets(secretsFile), secretsFile, user, options, ca, caOut).forEach((l) => log(l));
      return 0;
    }
    if (cmd === 'keystores') {
      const allowed = ['home', 'material', 'prepare', 'install'];
      const home = need(opts, 'home', allowed);
      // Checked in full before any store is touched; messages name fields, never values.
      const material = parseKeystoreMaterial(readJson(need(opts, 'material', allowed), 'keystore material'));
      if (opts.prepare !== undefined && opts.install !== undefined) throw new Error(`--prepare and --install exclude each other; ${USAGE}`);
      const report = keystoresPhase(home, material, opts);
      for (const s of report.stores) {
        log(`${report.changed ? 'built' : 'unchanged'} ${s.file} (${s.kind}: ${s.aliases.join(', ')})`);
      }
      log(report.changed ? `keystores rebuilt: ${report.reason}` : 'keystores unchanged');
      return 0;
    }
    throw new Error(cmd ? `unknown command "${cmd}"; ${USAGE}` : USAGE);
  } catch (e) {
    process.stderr.write(`applier: ${String((e as Error).message ?? e).replace(/\s*\n\s*/g, ' ')}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
