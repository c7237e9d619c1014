/**
 * Deterministic JSON and the human summary (`plan.txt`) of a plan.
 */
import * as crypto from 'crypto';

/** JSON with object keys sorted at every level, two-space indent, trailing newline. */
export function canonicalJson(v: unknown): string {
  const sort = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sort);
    if (x && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sort(o[k])]));
    }
    return x;
  };
  return JSON.stringify(sort(v), null, 2) + '\n';
}

export interface SummaryResource {
  type: string;
  name: string;
  urn: string;
  parent?: string;
  custom: boolean;
  /** Options set on the resource; protect and retainOnDelete are marked in the tree. */
  options?: { protect?: boolean; retainOnDelete?: boolean };
}

export interface SummaryInput {
  project: string;
  stack: string;
  configFile: string;
  platform: string;
  resources: readonly SummaryResource[];
  /** Redacted stack outputs. */
  outputs: Record<string, unknown>;
  /** Node id -> files under nodes/<id>/ with their content. */
  nodeFiles: Map<string, Map<string, Buffer>>;
  /** Node id -> where its change set came from. */
  changeSetSources: Map<string, string[]>;
  /** Node id -> edited files the stock tree does not have (so no patched copy was written). */
  notPatched: Map<string, string[]>;
  stock: { is?: string; analytics?: string };
}

const byTypeName = (a: SummaryResource, b: SummaryResource) =>
  a.type < b.type ? -1 : a.type > b.type ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;

/** What `pulumi destroy` would not delete: protected (refused) and retained (left in the cloud). */
function marks(r: SummaryResource): string {
  const m = [r.options?.protect ? 'protected' : '', r.options?.retainOnDelete ? 'retained on delete' : ''].filter(Boolean);
  return m.length ? ` [${m.join(', ')}]` : '';
}

/** The resource tree: components with their children; custom resources grouped by type under them. */
function tree(resources: readonly SummaryResource[]): string[] {
  const children = new Map<string | undefined, SummaryResource[]>();
  const known = new Set(resources.map((r) => r.urn));
  for (const r of resources) {
    const p = r.parent && known.has(r.parent) ? r.parent : undefined;
    if (!children.has(p)) children.set(p, []);
    children.get(p)!.push(r);
  }
  const lines: string[] = [];
  const walk = (parent: string | undefined, indent: string) => {
    const kids = [...(children.get(parent) ?? [])].sort(byTypeName);
    const counts = new Map<string, number>();
    for (const k of kids) if (k.custom) counts.set(k.type, (counts.get(k.type) ?? 0) + 1);
    for (const k of kids) {
      const own = children.get(k.urn)?.length ?? 0;
      const kind = k.custom ? '' : ' [component]';
      const note = own ? ` (${own} children)` : '';
      lines.push(`${indent}${k.type}  ${k.name}${kind}${note}${marks(k)}`);
      if (own) walk(k.urn, indent + '    ');
    }
    if (counts.size > 1) {
      lines.push(`${indent}= ${[...counts].map(([t, n]) => `${n} x ${t}`).join(', ')}`);
    }
  };
  walk(undefined, '  ');
  return lines;
}

function sha(b: Buffer): string {
  return crypto.createHash('sha256').update(b).digest('hex').slice(0, 12);
}

/** A count of protected and retained resources, so a reader knows to look for the marks. */
function protectedNote(resources: readonly SummaryResource[]): string {
  const p = resources.filter((r) => r.options?.protect).length;
  const k = resources.filter((r) => r.options?.retainOnDelete).length;
  const parts = [p ? `${p} protected` : '', k ? `${k} retained on delete` : ''].filter(Boolean);
  return parts.length ? `; ${parts.join(', ')}` : '';
}

export function renderSummary(s: SummaryInput): string {
  const custom = s.resources.filter((r) => r.custom).length;
  const lines: string[] = [
    `Plan of ${s.project} stack "${s.stack}" (offline, mock engine)`,
    `config file: ${s.configFile}`,
    `platform: ${s.platform}`,
    '',
    `Resources: ${s.resources.length} registered (${custom} custom, ${s.resources.length - custom} components)` +
      protectedNote(s.resources),
    ...tree(s.resources),
    '',
    'Stack outputs:',
  ];
  const keys = Object.keys(s.outputs).sort();
  if (keys.length === 0) lines.push('  (none)');
  for (const k of keys) {
    const v = s.outputs[k];
    lines.push(`  ${k} = ${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  lines.push('', 'Files per node (under nodes/):');
  const ids = [...s.nodeFiles.keys()].sort();
  if (ids.length === 0) lines.push('  (none: no resource carries a change set or a tagged file)');
  for (const id of ids) {
    const src = s.changeSetSources.get(id);
    lines.push(`  ${id}${src ? `  (change set from ${src.join(', ')})` : ''}`);
    const files = s.nodeFiles.get(id)!;
    for (const f of [...files.keys()].sort()) lines.push(`    ${f}  ${files.get(f)!.length} bytes  sha256:${sha(files.get(f)!)}`);
  }
  if (s.stock.is || s.stock.analytics) {
    lines.push('', 'Patched against stock product homes:');
    if (s.stock.is) lines.push(`  is: ${s.stock.is}`);
    if (s.stock.analytics) lines.push(`  analytics: ${s.stock.analytics}`);
    for (const id of [...s.notPatched.keys()].sort()) {
      lines.push(`  ${id}: not in the stock tree, only the edits are written:`);
      for (const p of s.notPatched.get(id)!) lines.push(`    ${p}`);
    }
  }
  return lines.join('\n') + '\n';
}
