/**
 * What each node receives, found from the registered resources (so the plan stays truthful):
 * - change sets, by their `$schema` marker, anywhere in any input (also inside base64/gzip
 *   user data or embedded in a script);
 * - files delivered by resources tagged (AWS `tags`) or labelled (Kubernetes `metadata.labels`)
 *   with topology's NODE_TAG_KEY: EC2 user data, S3 objects, ConfigMap data.
 * Secrets (Kubernetes Secrets, Secrets Manager values) are never collected.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { CHANGE_SET_SCHEMA, NodeChangeSet } from '../../config-templates';
import { MAX_IS_NODE_COUNT, NODE_TAG_KEY, nodeIds } from '../../topology';
import { RecordedResource } from '../mocks';

/** Values the node tag may carry: the product nodes (any `is.nodeCount`) and the two shared parts. */
export const NODE_TAG_VALUES: readonly string[] = [...nodeIds(MAX_IS_NODE_COUNT), 'frontend', 'database'];

/** A change set as found: the exact payload string and where it came from. */
export interface FoundChangeSet {
  nodeId: string;
  payload: string;
  changeSet: NodeChangeSet;
  /** `type name` of the resource(s) carrying it. */
  sources: string[];
}

/** A file delivered to a node or shared part. */
export interface DeliveredFile {
  nodeId: string;
  /** Path under `nodes/<nodeId>/`. */
  path: string;
  content: Buffer;
  source: string;
}

const MARKER = `"$schema": ${JSON.stringify(CHANGE_SET_SCHEMA)}`;

/** Decodes base64 (and gzip inside it) when `s` is clearly encoded; otherwise undefined. */
export function decodeEncoded(s: string): Buffer | undefined {
  const compact = s.replace(/\s+/g, '');
  if (compact.length < 8 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return undefined;
  const buf = Buffer.from(compact, 'base64');
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) {
    try {
      return zlib.gunzipSync(buf);
    } catch {
      return undefined;
    }
  }
  const text = buf.toString('utf8');
  // Only text that round-trips and is printable counts as decoded.
  if (Buffer.from(text, 'utf8').equals(buf) && !/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) return buf;
  return undefined;
}

/** User data as the node sees it: base64 and gzip removed. */
export function decodeUserData(s: string): Buffer {
  return decodeEncoded(s) ?? Buffer.from(s, 'utf8');
}

/** End index (exclusive) of the JSON object starting at `start`, respecting strings. */
function objectEnd(s: string, start: number): number {
  let depth = 0;
  let inStr = false;
  for (let i = start; i < s.length; i++) {
    const c = s[i];
    if (inStr) {
      if (c === '\\') i++;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i + 1;
  }
  return -1;
}

/** Every change-set payload inside `text`, exactly as sent (including the trailing newline). */
export function payloadsIn(text: string): string[] {
  const out: string[] = [];
  let from = 0;
  for (;;) {
    const m = text.indexOf(MARKER, from);
    if (m < 0) return out;
    const start = text.lastIndexOf('{', m);
    const end = start < 0 ? -1 : objectEnd(text, start);
    if (end < 0) return out;
    out.push(text.slice(start, end) + (text[end] === '\n' ? '\n' : ''));
    from = end;
  }
}

function strings(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => strings(x, out));
  else if (v && typeof v === 'object') Object.values(v).forEach((x) => strings(x, out));
  return out;
}

const label = (r: RecordedResource) => `${r.type} ${r.name}`;

/** Every change set any resource carries, one per node; differing payloads for one node are an error. */
export function findChangeSets(records: readonly RecordedResource[]): FoundChangeSet[] {
  const byNode = new Map<string, FoundChangeSet>();
  for (const r of records) {
    for (const s of strings(r.inputs)) {
      const texts = [s];
      const decoded = decodeEncoded(s);
      if (decoded) texts.push(decoded.toString('utf8'));
      for (const t of texts) {
        if (!t.includes(CHANGE_SET_SCHEMA)) continue;
        for (const payload of payloadsIn(t)) {
          let cs: NodeChangeSet;
          try {
            cs = JSON.parse(payload) as NodeChangeSet;
          } catch (e) {
            throw new Error(`${label(r)}: a change-set payload is not valid JSON: ${(e as Error).message}`);
          }
          if (typeof cs.nodeId !== 'string' || !/^[a-z0-9-]+$/.test(cs.nodeId) || !Array.isArray(cs.changes)) {
            throw new Error(`${label(r)}: a change-set payload has no valid nodeId/changes`);
          }
          const prev = byNode.get(cs.nodeId);
          if (prev && prev.payload !== payload) {
            throw new Error(`node ${cs.nodeId} is sent two different change sets (${prev.sources.join(', ')} and ${label(r)})`);
          }
          if (prev) {
            if (!prev.sources.includes(label(r))) prev.sources.push(label(r));
          } else {
            byNode.set(cs.nodeId, { nodeId: cs.nodeId, payload, changeSet: cs, sources: [label(r)] });
          }
        }
      }
    }
  }
  return [...byNode.values()].sort((a, b) => (a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0));
}

function nodeTagOf(r: RecordedResource): string | undefined {
  const inp = r.inputs as Record<string, any>;
  const candidates: unknown[] = [inp.tags?.[NODE_TAG_KEY], inp.metadata?.labels?.[NODE_TAG_KEY]];
  for (const ts of (inp.tagSpecifications as { tags?: Record<string, string> }[] | undefined) ?? []) candidates.push(ts?.tags?.[NODE_TAG_KEY]);
  const found = candidates.find((c) => typeof c === 'string') as string | undefined;
  if (found !== undefined && !NODE_TAG_VALUES.includes(found)) {
    throw new Error(`${label(r)}: tag ${NODE_TAG_KEY}="${found}" is not one of ${NODE_TAG_VALUES.join(', ')}`);
  }
  return found;
}

/** A relative path that stays inside its directory. */
export function safeRelative(p: string, what: string): string {
  const norm = path.posix.normalize(p.replace(/^\/+/, ''));
  if (norm === '' || norm === '.' || norm.startsWith('../') || norm === '..' || path.posix.isAbsolute(norm)) {
    throw new Error(`${what}: path "${p}" leaves its directory`);
  }
  return norm;
}

/** Text of an asset input as deserialised by the mock engine (StringAsset), if any. */
/** A StringAsset's text, or a FileAsset's file (its path relative to the working directory, as Pulumi reads it). */
async function assetText(v: unknown): Promise<string | undefined> {
  const a = v as { text?: Promise<string> | string; path?: Promise<string> | string } | undefined;
  if (a && a.text !== undefined) return await a.text;
  if (a && a.path !== undefined) return fs.readFileSync(path.resolve(await a.path), 'utf8');
  return undefined;
}

const SECRET_TYPES = new Set([
  'kubernetes:core/v1:Secret',
  'aws:secretsmanager/secretVersion:SecretVersion',
  'aws:secretsmanager/secret:Secret',
  'aws:ssm/parameter:Parameter',
]);

/** Files delivered by tagged resources. */
export async function findDeliveredFiles(records: readonly RecordedResource[]): Promise<DeliveredFile[]> {
  const out: DeliveredFile[] = [];
  for (const r of records) {
    if (!r.custom || SECRET_TYPES.has(r.type)) continue;
    const nodeId = nodeTagOf(r);
    if (!nodeId) continue;
    const inp = r.inputs as Record<string, any>;
    const source = label(r);
    switch (r.type) {
      case 'aws:ec2/instance:Instance':
      case 'aws:ec2/launchTemplate:LaunchTemplate': {
        const ud = inp.userData ?? inp.userDataBase64;
        if (typeof ud === 'string') out.push({ nodeId, path: 'user-data', content: decodeUserData(ud), source });
        break;
      }
      case 'aws:s3/bucketObject:BucketObject':
      case 'aws:s3/bucketObjectv2:BucketObjectv2': {
        if (typeof inp.key !== 'string') throw new Error(`${source}: an S3 object without a key`);
        let content: Buffer | undefined;
        if (typeof inp.content === 'string') content = Buffer.from(inp.content, 'utf8');
        else if (typeof inp.contentBase64 === 'string') content = Buffer.from(inp.contentBase64, 'base64');
        else {
          const t = await assetText(inp.source);
          if (t !== undefined) content = Buffer.from(t, 'utf8');
        }
        if (content === undefined) throw new Error(`${source}: cannot read the object's content (content, contentBase64, or a StringAsset or FileAsset source)`);
        out.push({ nodeId, path: safeRelative(path.posix.basename(inp.key), source), content, source });
        break;
      }
      case 'kubernetes:core/v1:ConfigMap': {
        for (const [k, v] of Object.entries((inp.data as Record<string, string>) ?? {})) {
          out.push({ nodeId, path: safeRelative(k, source), content: Buffer.from(String(v), 'utf8'), source });
        }
        for (const [k, v] of Object.entries((inp.binaryData as Record<string, string>) ?? {})) {
          out.push({ nodeId, path: safeRelative(k, source), content: Buffer.from(String(v), 'base64'), source });
        }
        break;
      }
    }
  }
  return out;
}
