/**
 * `npm run config:docs [-- --check]`
 *
 * Writes, from the table of config/schema.ts, the `config:` block of Pulumi.yaml and the table of
 * the README's "Configuration reference"; `--check` only reports whether they are current (exit 1
 * when not), as tests/config-declarations.test.ts does.
 */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { CONFIG_KEYS, KeySpec } from './declarations';

export const REPO_ROOT = path.resolve(__dirname, '..');
export const PULUMI_YAML = path.join(REPO_ROOT, 'Pulumi.yaml');
export const README = path.join(REPO_ROOT, 'README.md');

/** A key as Pulumi.yaml declares it (see the comment above `config:` there for why so). */
export function declaration(k: KeySpec): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (k.kind !== 'object') d.type = k.kind;
  if (k.kind === 'array') d.items = { type: 'string' };
  d.description = k.description;
  if (!k.required) d.default = k.default;
  return d;
}

/** The `config:` block, from `config:` to the end of the file. */
export function pulumiConfigBlock(): string {
  const decls = Object.fromEntries(Object.entries(CONFIG_KEYS).map(([key, k]) => [key, declaration(k)]));
  return YAML.stringify({ config: decls }, { lineWidth: 0 });
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The README reference table: `| key | type | default | description |`. */
export function readmeTable(): string {
  const rows = Object.entries(CONFIG_KEYS).map(([key, k]) => {
    const type = k.kind + (k.secret ? ' (secret)' : '');
    const dflt = k.required ? 'required' : '`' + JSON.stringify(k.default) + '`';
    return `| \`${key}\` | ${type} | ${dflt} | ${cell(k.description)} |`;
  });
  return ['| Key | Type | Default | Description |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}

export const TABLE_BEGIN = '<!-- config:docs begin: generated from config/schema.ts by `npm run config:docs`; edit the table there -->';
export const TABLE_END = '<!-- config:docs end -->';

/** Pulumi.yaml with its `config:` block regenerated (what comes before it is kept). */
export function withConfigBlock(text: string): string {
  const at = text.search(/^config:/m);
  if (at < 0) throw new Error('Pulumi.yaml has no config: block');
  return text.slice(0, at) + pulumiConfigBlock();
}

/** The README with the table between the markers regenerated. */
export function withReadmeTable(text: string): string {
  const begin = text.indexOf(TABLE_BEGIN);
  const end = text.indexOf(TABLE_END);
  if (begin < 0 || end < begin) throw new Error(`README.md: the configuration table must sit between ${TABLE_BEGIN} and ${TABLE_END}`);
  return text.slice(0, begin + TABLE_BEGIN.length) + '\n' + readmeTable() + text.slice(end);
}

/** The files that differ from what the table generates: path -> generated text. */
export function outOfDate(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [file, regenerate] of [
    [PULUMI_YAML, withConfigBlock],
    [README, withReadmeTable],
  ] as const) {
    const text = fs.readFileSync(file, 'utf8');
    const want = regenerate(text);
    if (want !== text) out.set(file, want);
  }
  return out;
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const stale = outOfDate();
  for (const [file, text] of stale) {
    const rel = path.relative(REPO_ROOT, file);
    if (check) console.log(`${rel}: out of date with config/schema.ts (run npm run config:docs)`);
    else {
      fs.writeFileSync(file, text);
      console.log(`${rel}: rewritten`);
    }
  }
  if (!stale.size) console.log('Pulumi.yaml and README.md are current');
  process.exitCode = check && stale.size ? 1 : 0;
}
