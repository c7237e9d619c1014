/**
 * `DocOp`s on YAML (through the `yaml` Document API, so comments survive) and JSON documents.
 */
import type * as Yaml from 'yaml';
import type { Document, YAMLMap, YAMLSeq } from 'yaml';
import type { DocOp, DocPath } from '../config-templates/types';
import { yaml } from './yaml-lazy';

// The package's node tests, through its lazy load (applier/yaml-lazy.ts).
const isMap = ((n: unknown) => yaml().isMap(n)) as typeof Yaml.isMap;
const isSeq = ((n: unknown) => yaml().isSeq(n)) as typeof Yaml.isSeq;
const isScalar = ((n: unknown) => yaml().isScalar(n)) as typeof Yaml.isScalar;

/** Options for every YAML we write: never fold long lines (JDBC URLs), keep sequences indented as WSO2 does. */
export const YAML_TO_STRING = { lineWidth: 0, minContentWidth: 0 } as const;

const show = (p: DocPath) => JSON.stringify(p);

// ---------------------------------------------------------------------------------------------
// YAML

function yamlChild(node: unknown, seg: string | number): unknown {
  if (isMap(node)) return node.get(seg, true);
  if (isSeq(node) && typeof seg === 'number') return node.get(seg, true);
  return undefined;
}

function yamlGet(doc: Document, path: DocPath): unknown {
  let cur: unknown = doc.contents;
  for (const seg of path) {
    cur = yamlChild(cur, seg);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/**
 * Makes `node` hold `value`, reusing the existing nodes where the shapes agree so comments and
 * scalar styles attached to them survive; returns the node to store.
 */
function reconcile(doc: Document, node: unknown, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value) && isMap(node)) {
    const obj = value as Record<string, unknown>;
    for (const pair of [...node.items]) {
      const k = isScalar(pair.key) ? pair.key.value : pair.key;
      if (typeof k !== 'string' || !(k in obj)) node.delete(pair.key);
    }
    for (const [k, v] of Object.entries(obj)) node.set(k, reconcile(doc, node.get(k, true), v));
    return node;
  }
  if (Array.isArray(value) && isSeq(node)) {
    while (node.items.length > value.length) node.items.pop();
    value.forEach((v, i) => {
      const cur = node.get(i, true);
      if (i < node.items.length) node.set(i, reconcile(doc, cur, v));
      else node.add(doc.createNode(v));
    });
    return node;
  }
  if (isScalar(node) && (value === null || typeof value !== 'object')) {
    if (node.value !== value) node.value = value;
    return node;
  }
  return doc.createNode(value);
}

function yamlParent(doc: Document, file: string, op: DocOp, create: boolean): YAMLMap | YAMLSeq {
  const parentPath = op.path.slice(0, -1);
  let cur: unknown = doc.contents;
  for (let i = 0; i < parentPath.length; i++) {
    const seg = parentPath[i];
    let next = yamlChild(cur, seg);
    if ((next === undefined || (isScalar(next) && next.value === null)) && create && isMap(cur)) {
      next = doc.createNode({});
      (cur as YAMLMap).set(seg, next);
    }
    if (next === undefined) {
      throw new Error(`${file}: ${op.op} ${show(op.path)}: missing ${show(parentPath.slice(0, i + 1))}`);
    }
    cur = next;
  }
  if (!isMap(cur) && !isSeq(cur)) throw new Error(`${file}: ${op.op} ${show(op.path)}: parent is not a mapping or sequence`);
  return cur;
}

function itemKey(item: unknown, key: string): unknown {
  if (isMap(item)) {
    const v = item.get(key, true);
    return isScalar(v) ? v.value : v;
  }
  return undefined;
}

/** Applies `ops` to YAML source text, returning the new text. */
export function applyYamlOps(file: string, src: string, ops: DocOp[]): string {
  const doc = yaml().parseDocument(src);
  if (doc.errors.length) throw new Error(`${file}: YAML parse error: ${doc.errors[0].message}`);
  if (doc.contents === null) doc.contents = doc.createNode({}) as unknown as typeof doc.contents;
  for (const op of ops) {
    if (op.path.length === 0) throw new Error(`${file}: ${op.op}: empty path`);
    const last = op.path[op.path.length - 1];
    if (op.op === 'set') {
      const parent = yamlParent(doc, file, op, !!op.create);
      if (isSeq(parent) && (typeof last !== 'number' || last >= parent.items.length)) {
        throw new Error(`${file}: set ${show(op.path)}: no sequence item ${String(last)}`);
      }
      parent.set(last, reconcile(doc, parent.get(last, true), op.value));
    } else if (op.op === 'upsertItem') {
      const seq = yamlGet(doc, op.path);
      if (!isSeq(seq)) throw new Error(`${file}: upsertItem ${show(op.path)}: no sequence there`);
      const want = op.value[op.key];
      if (want === undefined) throw new Error(`${file}: upsertItem ${show(op.path)}: value has no "${op.key}"`);
      const hits = seq.items.map((it, i) => [it, i] as const).filter(([it]) => itemKey(it, op.key) === want);
      if (hits.length > 1) throw new Error(`${file}: upsertItem ${show(op.path)}: ${hits.length} items with ${op.key}=${String(want)}`);
      if (hits.length === 1) seq.set(hits[0][1], reconcile(doc, hits[0][0], op.value));
      else seq.add(doc.createNode(op.value));
    } else if (op.op === 'delete') {
      const parent = yamlGet(doc, op.path.slice(0, -1));
      const present = (isMap(parent) || isSeq(parent)) && parent.has(last);
      if (!present) {
        if (op.optional) continue;
        throw new Error(`${file}: delete ${show(op.path)}: not present`);
      }
      (parent as YAMLMap | YAMLSeq).delete(last);
    } else {
      throw new Error(`${file}: unknown op ${JSON.stringify((op as { op: unknown }).op)}`);
    }
  }
  return doc.toString(YAML_TO_STRING);
}

// ---------------------------------------------------------------------------------------------
// JSON

type J = unknown;
const isObj = (v: J): v is Record<string, J> => v !== null && typeof v === 'object' && !Array.isArray(v);

function jsonParent(root: J, file: string, op: DocOp, create: boolean): Record<string, J> | J[] {
  const parentPath = op.path.slice(0, -1);
  let cur = root;
  for (let i = 0; i < parentPath.length; i++) {
    const seg = parentPath[i];
    let next: J = undefined;
    if (isObj(cur) && typeof seg === 'string') next = Object.prototype.hasOwnProperty.call(cur, seg) ? cur[seg] : undefined;
    else if (Array.isArray(cur) && typeof seg === 'number') next = cur[seg];
    if ((next === undefined || next === null) && create && isObj(cur) && typeof seg === 'string') {
      next = {};
      cur[seg] = next;
    }
    if (next === undefined) throw new Error(`${file}: ${op.op} ${show(op.path)}: missing ${show(parentPath.slice(0, i + 1))}`);
    cur = next;
  }
  if (!isObj(cur) && !Array.isArray(cur)) throw new Error(`${file}: ${op.op} ${show(op.path)}: parent is not an object or array`);
  return cur;
}

/** Applies `ops` to JSON source text; the result is written with 2-space indentation. */
export function applyJsonOps(file: string, src: string, ops: DocOp[]): string {
  let root: J;
  try {
    root = JSON.parse(src);
  } catch (e) {
    throw new Error(`${file}: JSON parse error: ${(e as Error).message}`);
  }
  for (const op of ops) {
    if (op.path.length === 0) throw new Error(`${file}: ${op.op}: empty path`);
    const last = op.path[op.path.length - 1];
    if (op.op === 'set') {
      const parent = jsonParent(root, file, op, !!op.create);
      if (Array.isArray(parent)) {
        if (typeof last !== 'number' || last >= parent.length) throw new Error(`${file}: set ${show(op.path)}: no array item ${String(last)}`);
        parent[last] = structuredClone(op.value);
      } else {
        parent[String(last)] = structuredClone(op.value);
      }
    } else if (op.op === 'upsertItem') {
      const arr = jsonParent(root, file, { ...op, path: [...op.path, 0] }, false);
      if (!Array.isArray(arr)) throw new Error(`${file}: upsertItem ${show(op.path)}: no array there`);
      const want = op.value[op.key];
      if (want === undefined) throw new Error(`${file}: upsertItem ${show(op.path)}: value has no "${op.key}"`);
      const hits = arr.map((it, i) => [it, i] as const).filter(([it]) => isObj(it) && it[op.key] === want);
      if (hits.length > 1) throw new Error(`${file}: upsertItem ${show(op.path)}: ${hits.length} items with ${op.key}=${String(want)}`);
      if (hits.length === 1) arr[hits[0][1]] = structuredClone(op.value);
      else arr.push(structuredClone(op.value));
    } else if (op.op === 'delete') {
      let parent: Record<string, J> | J[] | undefined;
      try {
        parent = jsonParent(root, file, op, false);
      } catch (e) {
        if (op.optional) continue;
        throw e;
      }
      const present = Array.isArray(parent)
        ? typeof last === 'number' && last < parent.length
        : Object.prototype.hasOwnProperty.call(parent, String(last));
      if (!present) {
        if (op.optional) continue;
        throw new Error(`${file}: delete ${show(op.path)}: not present`);
      }
      if (Array.isArray(parent)) parent.splice(last as number, 1);
      else delete parent[String(last)];
    } else {
      throw new Error(`${file}: unknown op ${JSON.stringify((op as { op: unknown }).op)}`);
    }
  }
  return JSON.stringify(root, null, 2) + '\n';
}
