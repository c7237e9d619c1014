/**
 * `npm run plan -- [--stack NAME] [--config-file FILE] [--out DIR] [--stock-is DIR] [--stock-analytics DIR]`
 *
 * An offline preview: runs the real program (index.ts) under the shared mock engine
 * (scripts/mocks.ts) with a stack file's config — no Pulumi CLI, no cloud, no credentials — and
 * writes what would be created and what every node would receive:
 *   plan.txt        human summary: resource tree per component, stack outputs, files per node
 *   resources.json  every registered resource {type, name, urn, parent, inputs, options}, secrets
 *                   redacted; `options` holds the resource options a preview would act on
 *                   (protect, retainOnDelete, deleteBeforeReplace, replaceOnChanges,
 *                   ignoreChanges, aliases, dependsOn as URNs), only those set
 *   outputs.json    stack outputs, secrets redacted
 *   nodes/<id>/     changes.json, whole files, `<path>.edits.json` per edit, user data, S3
 *                   objects, ConfigMap files; with --stock-is/--stock-analytics the patched files
 * The output is deterministic (byte-identical across runs) and holds no secret value: every
 * written file is scanned for every known secret and the plan fails if one is found.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pulumi from '@pulumi/pulumi';
import { ConfigError, PROJECT, parseStackConfig } from '../config';
import type { FileChange, NodeChangeSet } from '../config-templates/types';
import { Pattern2Mocks, RecordedOptions, RecordedResource, pattern2Mocks, recordedOptions, settle } from './mocks';
import { readStackFile } from './lib/stack-file';
import { KnownSecret, redact, scanForSecrets } from './lib/secrets';
import { DeliveredFile, findChangeSets, findDeliveredFiles, safeRelative } from './lib/nodes';
import { canonicalJson, renderSummary } from './lib/summary';
import { removePlanDir } from './lib/out-dir';
import { writeCostFiles } from './lib/cost';

/** The repository root (this file lives in scripts/). */
export const REPO_ROOT = path.resolve(__dirname, '..');

export interface PlanOptions {
  /** Stack name; default `dev`, or taken from a `Pulumi.<name>.yaml` config file name. */
  stack?: string;
  /** Stack file; default `Pulumi.<stack>.yaml` in the repository root. */
  configFile?: string;
  /** Output directory, replaced on every run; default `out/<stack>` in the repository root. */
  outDir?: string;
  /** An IS product home (or a tree laid out like one) to apply the IS nodes' change sets to. */
  stockIs?: string;
  /** An IS Analytics product home to apply the analytics nodes' change sets to. */
  stockAnalytics?: string;
  /** The program module to run; default the project's index.ts (tests point it at fixtures). */
  program?: string;
}

export interface PlanResult {
  stack: string;
  outDir: string;
  /** Number of registered resources (components included). */
  resources: number;
  /** Every file written, relative to outDir, sorted. */
  files: string[];
  /** Node id -> files under nodes/<id>/, sorted. */
  nodes: Record<string, string[]>;
}

/** A plan failure that is not a config error (program error, leak, conflicting files). */
export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

let planRan = false;

/** Resolves options to absolute paths and the stack name. */
export function resolveOptions(opts: PlanOptions): Required<Pick<PlanOptions, 'stack' | 'configFile' | 'outDir'>> & PlanOptions {
  let stack = opts.stack;
  if (!stack && opts.configFile) stack = /^Pulumi\.(.+)\.ya?ml$/.exec(path.basename(opts.configFile))?.[1];
  stack = stack ?? 'dev';
  if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new PlanError(`invalid stack name "${stack}"`);
  return {
    ...opts,
    stack,
    configFile: opts.configFile ? path.resolve(opts.configFile) : path.join(REPO_ROOT, `Pulumi.${stack}.yaml`),
    outDir: opts.outDir ? path.resolve(opts.outDir) : path.join(REPO_ROOT, 'out', stack),
    stockIs: opts.stockIs && path.resolve(opts.stockIs),
    stockAnalytics: opts.stockAnalytics && path.resolve(opts.stockAnalytics),
    program: opts.program ? path.resolve(opts.program) : path.join(REPO_ROOT, 'index'),
  };
}

/** A path for humans in plan.txt: relative to the repository when inside it, so runs agree. */
function shown(p: string): string {
  const rel = path.relative(REPO_ROOT, p);
  return rel.startsWith('..') || path.isAbsolute(rel) ? p : rel;
}

/** Replaces assets and resource references (live objects after deserialisation) with plain data. */
async function plain(v: unknown): Promise<unknown> {
  if (pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v)) {
    const a = v as unknown as Record<string, unknown>;
    const out: Record<string, unknown> = { $asset: (v as object).constructor.name };
    for (const k of ['text', 'path', 'uri']) if (a[k] !== undefined) out[k] = await a[k];
    if (a.assets !== undefined) out.assets = await plain(await a.assets);
    return out;
  }
  const x: unknown = v;
  if (pulumi.Resource.isInstance(x)) return { $resource: await (x.urn as unknown as { promise(): Promise<string> }).promise() };
  if (Array.isArray(x)) return Promise.all(x.map(plain));
  if (x && typeof x === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, y] of Object.entries(x)) out[k] = await plain(y);
    return out;
  }
  return x;
}

/** Resolves one stack output: its value and whether Pulumi marks it secret. */
async function resolveOutput(v: unknown): Promise<{ value: unknown; secret: boolean }> {
  const o = pulumi.output(v) as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
  const [value, secret] = await Promise.all([o.promise(), o.isSecret]);
  return { value, secret };
}


/** Node files being collected; two sources disagreeing on one path is an error. */
class NodeFiles {
  readonly files = new Map<string, Map<string, Buffer>>();
  private readonly sources = new Map<string, string>();

  add(nodeId: string, rel: string, content: Buffer, source: string, replace = false): void {
    const p = safeRelative(rel, `${source} (node ${nodeId})`);
    if (!this.files.has(nodeId)) this.files.set(nodeId, new Map());
    const m = this.files.get(nodeId)!;
    const prev = m.get(p);
    const key = `${nodeId}/${p}`;
    if (prev && !replace && !prev.equals(content)) {
      throw new PlanError(`nodes/${key} is written by ${this.sources.get(key)} and by ${source} with different content`);
    }
    m.set(p, content);
    if (!prev || replace) this.sources.set(key, source);
  }
}

function secretsOf(records: readonly RecordedResource[], generated: readonly string[]): KnownSecret[] {
  const out: KnownSecret[] = [];
  for (const value of new Set(generated)) {
    let label = 'a secret generated by the mock engine';
    for (const r of records) {
      const hit = Object.entries(r.state).find(([, v]) => v === value);
      if (hit) {
        label = `${r.type} ${r.name} ${hit[0]}`;
        break;
      }
    }
    out.push({ label, value });
  }
  return out;
}

/** Depth first from the roots, siblings by type then name: stable and easy to read. */
function treeOrder(records: readonly RecordedResource[]): RecordedResource[] {
  const urns = new Set(records.map((r) => r.urn));
  const kids = new Map<string | undefined, RecordedResource[]>();
  for (const r of records) {
    const p = r.parent && urns.has(r.parent) ? r.parent : undefined;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p)!.push(r);
  }
  const out: RecordedResource[] = [];
  const cmp = (a: RecordedResource, b: RecordedResource) => (a.type + '\u0000' + a.name < b.type + '\u0000' + b.name ? -1 : 1);
  const walk = (p: string | undefined) => {
    for (const r of [...(kids.get(p) ?? [])].sort(cmp)) {
      out.push(r);
      walk(r.urn);
    }
  };
  walk(undefined);
  return out;
}

/** The final content of the files a change set touches, and the edited files the stock home lacks. */
interface Patched {
  files: Map<string, Buffer>;
  /** Edited paths absent from the stock tree (a partial tree, such as a reference excerpt). */
  missing: string[];
}

/**
 * A node's scratch product home: a file or directory of the stock tree is copied in when a change
 * first needs it (not yet there), so the applier works on copies of what the change set touches
 * and a full product home (hundreds of MB) is never copied per node. Made on first use.
 */
class ScratchHome {
  private dir?: string;

  constructor(private readonly stock: string) {}

  /** The scratch home, holding each of `rels` that the stock tree has. */
  holding(rels: readonly string[]): string {
    if (!this.dir) this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pattern2-plan-home-'));
    for (const rel of rels) {
      const from = path.join(this.stock, rel);
      // force: false, so what an earlier change wrote here (an unpacked archive) stays.
      if (fs.existsSync(from)) fs.cpSync(from, path.join(this.dir, rel), { recursive: true, force: false });
    }
    return this.dir;
  }

  remove(): void {
    if (this.dir) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** What applying one file's changes to a stock tree gave: its content, or that the tree lacks the file. */
type FileResult = { content: Buffer } | { missing: true };

/**
 * Results of applying a file's changes to a stock tree, by stock tree and changes: nodes of one
 * product share most edits (on IS all but axis2.xml's), and the applier is a function of the
 * file and the changes, so each distinct one is applied once per plan. Only files no `explode`
 * of their change set unpacks into are kept here (those depend on the archive's change too).
 */
type PatchCache = Map<string, FileResult>;

/**
 * Applies a change set to a scratch copy of a stock product home, file by file, so a tree holding
 * only some of the product's files still yields every file it has; an edit of a file the tree
 * lacks is reported, not guessed. Any other failure (a missing anchor inside an existing file) is
 * an error.
 */
function patchedFiles(stockHome: string, cs: NodeChangeSet, cache: PatchCache): Patched {
  if (!fs.existsSync(stockHome) || !fs.statSync(stockHome).isDirectory()) {
    throw new PlanError(`stock product home ${stockHome} is not a directory`);
  }
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { applyChangeSet } = require('../applier/apply') as typeof import('../applier/apply');
  const apply = (home: string, changes: FileChange[]) => {
    try {
      applyChangeSet(home, changes);
    } catch (e) {
      throw new PlanError(`applying the change set of ${cs.nodeId} to ${stockHome} failed: ${(e as Error).message}`);
    }
  };
  const scratch = new ScratchHome(stockHome);
  try {
    const byPath = new Map<string, FileChange[]>();
    const unpacked: string[] = [];
    for (const c of cs.changes) {
      const p = safeRelative(c.path, cs.nodeId);
      if (!byPath.has(p)) byPath.set(p, []);
      byPath.get(p)!.push(c);
      if (c.kind === 'explode') unpacked.push(safeRelative(c.into, cs.nodeId));
    }
    const out: Patched = { files: new Map(), missing: [] };
    for (const [p, changes] of byPath) {
      const first = changes[0];
      if (first.kind === 'explode') {
        // Unpacks in the copy so the edits inside `into` that follow find their files; it yields
        // no file of its own. Listed as missing when the tree has none of its paths.
        const paths = [first.archive, first.into, first.parkAs].map((q) => safeRelative(q, cs.nodeId));
        const home = scratch.holding(paths);
        if (!paths.some((q) => fs.existsSync(path.join(home, q)))) out.missing.push(p);
        else apply(home, changes);
        continue;
      }
      const key = unpacked.some((u) => p === u || p.startsWith(`${u}/`)) ? undefined : `${stockHome}\0${JSON.stringify(changes)}`;
      let result = key === undefined ? undefined : cache.get(key);
      if (!result) {
        const home = scratch.holding([p]);
        // A whole file, or a properties edit that creates its (optional) file, needs no stock file.
        const makesFile = first.kind === 'file' || (first.kind === 'properties' && first.create === true);
        if (!makesFile && !fs.existsSync(path.join(home, p))) result = { missing: true };
        else {
          apply(home, changes);
          result = { content: fs.readFileSync(path.join(home, p)) };
        }
        if (key !== undefined) cache.set(key, result);
      }
      if ('missing' in result) out.missing.push(p);
      else out.files.set(p, result.content);
    }
    return out;
  } finally {
    scratch.remove();
  }
}

type ResolvedOptions = ReturnType<typeof resolveOptions>;
type StackFile = ReturnType<typeof readStackFile>;
type StackOutputs = Record<string, { value: unknown; secret: boolean }>;

/** One entry of resources.json. */
interface ResourceEntry {
  type: string;
  name: string;
  urn: string;
  parent: string | null;
  inputs: unknown;
  options?: RecordedOptions;
}

/** The stack's platform; a config error also removes the previous plan, so none is mistaken for this one. */
function validatedPlatform(stackFile: StackFile, stack: string, outDir: string): string {
  try {
    return parseStackConfig(stackFile.raw, stack).platform;
  } catch (e) {
    if (e instanceof ConfigError) removePlanDir(outDir, REPO_ROOT);
    throw e;
  }
}

/**
 * Runs the program under the mock engine until it has settled: its stack outputs, resolved.
 * `failures` holds the unhandled rejections seen meanwhile; any of them fails the plan.
 */
async function runProgram(
  opts: ResolvedOptions,
  stackFile: StackFile,
  mocks: Pattern2Mocks,
  failures: readonly unknown[],
): Promise<StackOutputs> {
  await pulumi.runtime.setMocks(mocks, PROJECT, opts.stack, false);
  pulumi.runtime.setAllConfig(stackFile.all, stackFile.secretKeys);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const exported = require(opts.program!) as Record<string, unknown>;

  const outputs: StackOutputs = {};
  for (const k of Object.keys(exported ?? {}).sort()) outputs[k] = await resolveOutput(exported[k]);
  await settle(mocks.recorder);
  if (failures.length) {
    // One failure often rejects several promises; say each once. Line numbers in stacks are of
    // the transpiled code unless run with NODE_OPTIONS=--enable-source-maps (slower).
    const msg = [...new Set(failures.map((f) => (f instanceof Error ? f.stack ?? f.message : String(f))))].join('\n');
    throw new PlanError(`the program failed under the mock engine:\n${msg}`);
  }
  return outputs;
}

/** resources.json's entries, in tree order: inputs as plain data with secrets redacted, options when set. */
async function resourceEntries(
  sorted: readonly RecordedResource[],
  optionsByUrn: Map<string, RecordedOptions>,
  secrets: readonly KnownSecret[],
): Promise<ResourceEntry[]> {
  const resources: ResourceEntry[] = [];
  for (const r of sorted) {
    const options = optionsByUrn.get(r.urn);
    resources.push({
      type: r.type,
      name: r.name,
      urn: r.urn,
      parent: r.parent ?? null,
      inputs: redact(await plain(r.rawInputs), secrets),
      ...(options ? { options } : {}),
    });
  }
  return resources;
}

/** What lands under nodes/: change sets, tagged files, patched stock files. */
interface CollectedNodeFiles {
  nodes: NodeFiles;
  changeSets: ReturnType<typeof findChangeSets>;
  /** Node id -> files its change set edits that the stock tree lacks. */
  notPatched: Map<string, string[]>;
}

async function collectNodeFiles(records: readonly RecordedResource[], opts: ResolvedOptions): Promise<CollectedNodeFiles> {
  const nodes = new NodeFiles();
  const changeSets = findChangeSets(records);
  for (const found of changeSets) {
    const src = `change set (${found.sources.join(', ')})`;
    nodes.add(found.nodeId, 'changes.json', Buffer.from(found.payload, 'utf8'), src);
    for (const c of found.changeSet.changes) {
      if (c.kind === 'file') nodes.add(found.nodeId, c.path, Buffer.from(c.content, 'utf8'), src);
      else nodes.add(found.nodeId, `${c.path}.edits.json`, Buffer.from(JSON.stringify(c, null, 2) + '\n', 'utf8'), src);
    }
  }
  const delivered: DeliveredFile[] = await findDeliveredFiles(records);
  const notPatched = new Map<string, string[]>();
  for (const d of delivered) nodes.add(d.nodeId, d.path, d.content, d.source);
  const cache: PatchCache = new Map();
  for (const found of changeSets) {
    const stock = found.changeSet.product === 'is' ? opts.stockIs : found.changeSet.product === 'analytics' ? opts.stockAnalytics : undefined;
    if (!stock) continue;
    const patched = patchedFiles(stock, found.changeSet, cache);
    for (const [p, content] of patched.files) {
      nodes.add(found.nodeId, p, content, `${found.nodeId} change set applied to ${shown(stock)}`, true);
    }
    if (patched.missing.length) notPatched.set(found.nodeId, patched.missing);
  }
  return { nodes, changeSets, notPatched };
}

/** The plan's files, as written into the plan directory. */
interface PlanFiles {
  summary: string;
  resources: ResourceEntry[];
  outputs: Record<string, unknown>;
  nodes: NodeFiles;
  region: string | undefined;
}

/** Writes into a fresh sibling directory, scans it, then swaps it in: a leak never lands in outDir. */
function writePlanDir(outDir: string, files: PlanFiles, secrets: readonly KnownSecret[]): void {
  removePlanDir(outDir, REPO_ROOT);
  const tmpOut = `${outDir}.partial-${process.pid}`;
  fs.rmSync(tmpOut, { recursive: true, force: true });
  fs.mkdirSync(tmpOut, { recursive: true });
  const write = (rel: string, content: string | Buffer) => {
    const abs = path.join(tmpOut, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    fs.writeFileSync(abs, content);
  };
  write('plan.txt', redact(files.summary, secrets) as string);
  write('resources.json', canonicalJson(files.resources));
  write('outputs.json', canonicalJson(files.outputs));
  for (const [id, nodeFiles] of files.nodes.files) for (const [p, content] of nodeFiles) write(`nodes/${id}/${p}`, content);
  // The monthly cost estimate (cost.json, and its summary appended to plan.txt).
  writeCostFiles(tmpOut, files.resources, files.region);

  const leaks = scanForSecrets(tmpOut, secrets);
  if (leaks.length) {
    fs.rmSync(tmpOut, { recursive: true, force: true });
    throw new PlanError(
      `secret values would be written by the plan (nothing was written):\n` +
        leaks.map((l) => `  ${l.file}: ${l.label}`).join('\n'),
    );
  }
  fs.renameSync(tmpOut, outDir);
}

/** The result's file lists: node id -> its files, and every file written, sorted. */
function writtenFiles(nodes: NodeFiles): Pick<PlanResult, 'files' | 'nodes'> {
  const nodeList: Record<string, string[]> = {};
  for (const [id, files] of [...nodes.files].sort(([a], [b]) => (a < b ? -1 : 1))) nodeList[id] = [...files.keys()].sort();
  const files = ['cost.json', 'outputs.json', 'plan.txt', 'resources.json', ...Object.entries(nodeList).flatMap(([id, fs2]) => fs2.map((f) => `nodes/${id}/${f}`))].sort();
  return { files, nodes: nodeList };
}

/**
 * Runs the plan. Once per process: the Pulumi runtime and the program's modules are
 * process-global, so a second plan needs a fresh process (the CLI).
 * @throws ConfigError when the stack config is invalid (after removing a stale plan);
 *   PlanError for program errors, conflicting node files or a secret found in the output.
 */
export async function runPlan(options: PlanOptions = {}): Promise<PlanResult> {
  const opts = resolveOptions(options);
  const { stack, configFile, outDir } = opts;
  const stackFile = readStackFile(configFile);
  // Validate before anything runs.
  const platform = validatedPlatform(stackFile, stack, outDir);
  if (planRan) throw new PlanError('runPlan runs once per process (the Pulumi runtime is process-global)');
  planRan = true;

  const failures: unknown[] = [];
  const onRejection = (reason: unknown) => failures.push(reason);
  process.on('unhandledRejection', onRejection);
  const mocks = pattern2Mocks({ region: stackFile.all['aws:region'] });
  try {
    const outputs = await runProgram(opts, stackFile, mocks, failures);
    const records = mocks.recorder.records;
    const secrets: KnownSecret[] = [
      ...stackFile.secretKeys.map((k) => ({ label: `config ${k}`, value: stackFile.all[k] })),
      ...secretsOf(records, mocks.recorder.generatedSecrets),
    ];

    // resources.json and outputs.json: secrets redacted.
    const sorted = treeOrder(records);
    const optionsByUrn = await recordedOptions();
    const resources = await resourceEntries(sorted, optionsByUrn, secrets);
    const redactedOutputs: Record<string, unknown> = {};
    for (const [k, o] of Object.entries(outputs)) redactedOutputs[k] = o.secret ? '[secret]' : redact(await plain(o.value), secrets);

    const { nodes, changeSets, notPatched } = await collectNodeFiles(records, opts);
    const summary = renderSummary({
      project: PROJECT,
      stack,
      configFile: shown(configFile),
      platform,
      resources: sorted.map((r) => ({ ...r, options: optionsByUrn.get(r.urn) })),
      outputs: redactedOutputs,
      nodeFiles: nodes.files,
      changeSetSources: new Map(changeSets.map((c) => [c.nodeId, c.sources])),
      notPatched,
      stock: { is: opts.stockIs && shown(opts.stockIs), analytics: opts.stockAnalytics && shown(opts.stockAnalytics) },
    });

    writePlanDir(outDir, { summary, resources, outputs: redactedOutputs, nodes, region: stackFile.all['aws:region'] }, secrets);
    return { stack, outDir, resources: records.length, ...writtenFiles(nodes) };
  } finally {
    process.removeListener('unhandledRejection', onRejection);
  }
}

// ---- CLI -------------------------------------------------------------------------------------

const USAGE =
  'usage: npm run plan -- [--stack NAME] [--config-file FILE] [--out DIR] [--stock-is DIR] [--stock-analytics DIR] [--program FILE (tests)]';

export function parseArgs(argv: readonly string[]): PlanOptions {
  const flags: Record<string, keyof PlanOptions> = {
    '--stack': 'stack',
    '--config-file': 'configFile',
    '--out': 'outDir',
    '--stock-is': 'stockIs',
    '--stock-analytics': 'stockAnalytics',
    '--program': 'program',
  };
  const opts: PlanOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].includes('=') ? [argv[i].slice(0, argv[i].indexOf('=')), argv[i].slice(argv[i].indexOf('=') + 1)] : [argv[i], undefined];
    const key = flags[flag];
    if (!key) throw new PlanError(`unknown argument ${argv[i]}\n${USAGE}`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') throw new PlanError(`${flag} needs a value\n${USAGE}`);
    opts[key] = value;
  }
  return opts;
}

/** Where the CLI writes its one-line report and its errors. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
}

/**
 * The CLI on `argv`: plans, reports, and returns the exit status (0 planned, 1 invalid config,
 * 2 any other failure). `main` runs it with the process's streams; a batch of plans in one
 * process (tests/fixtures/plan/batch-plan.ts) runs it once per plan, with this module and the
 * program loaded afresh for each.
 */
export async function planCli(argv: readonly string[], io: CliOutput): Promise<number> {
  try {
    const result = await runPlan(parseArgs(argv));
    const nodeCount = Object.keys(result.nodes).length;
    io.stdout(`plan: stack ${result.stack}: ${result.resources} resources, ${nodeCount} node${nodeCount === 1 ? '' : 's'} with files -> ${shown(result.outDir)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr(`plan: ${e.message}\n`);
      return 1;
    }
    io.stderr(`plan: ${e instanceof PlanError ? e.message : (e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

async function main(): Promise<void> {
  // An output that never resolves (a value the mocks leave unknown, such as a provider call they
  // do not answer) leaves nothing to run: Node would exit with no word of why.
  const stalled = () => {
    process.stderr.write('plan: the program never settled: an output stayed unknown (a provider call or resource state the mock engine does not answer?)\n');
    process.exit(2);
  };
  process.once('beforeExit', stalled);
  process.exit(await planCli(process.argv.slice(2), { stdout: (t) => process.stdout.write(t), stderr: (t) => process.stderr.write(t) }));
}

if (require.main === module) void main();
