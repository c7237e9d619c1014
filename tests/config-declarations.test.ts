/**
 * Pulumi.yaml's project config block and the README's configuration reference are generated from
 * the table of config/schema.ts (`npm run config:docs`) and must be current; they must list exactly
 * the keys of CONFIG_KEYS, in a shape the Pulumi CLI accepts, and every default Pulumi.yaml declares
 * must be the default the parser applies, so what `pulumi config` shows is what the program does.
 */
import * as fs from 'fs';
import * as path from 'path';
import YAML from 'yaml';
import { CONFIG_KEYS, parseStackConfig, PROJECT, SCHEMA } from '../config';
import { MIN_EC2, MIN_K8S } from './helpers/stack-config';
import { Struct } from '../config/fields';
import { outOfDate, withConfigBlock, withReadmeTable } from '../config/docs';

const ROOT = path.join(__dirname, '..');

interface Declaration {
  type?: string;
  description?: string;
  default?: unknown;
  secret?: boolean;
  items?: unknown;
  value?: unknown;
}

function projectFile(): { name: string; runtime: { name: string; options?: Record<string, unknown> }; config: Record<string, Declaration> } {
  return YAML.parse(fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8'));
}

/** Stack config values reach the program as strings; structured ones as JSON (what the engine does). */
function engineValue(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);
}

/** What the Pulumi CLI does before the program runs: a declared key the stack leaves unset gets its default. */
function withProjectDefaults(stack: Record<string, string>, decls: Record<string, Declaration>): Record<string, string> {
  const out = { ...stack };
  for (const [k, d] of Object.entries(decls)) {
    if (out[k] === undefined && d.default !== undefined) out[k] = engineValue(d.default);
  }
  return out;
}

/** Smallest valid stacks: only what the parser requires (hostname; on EC2 an AMI or pack URLs). */
const BASES: Record<string, Record<string, string>> = {
  ec2: MIN_EC2,
  kubernetes: MIN_K8S,
};

// the types `pulumi` accepts in a project config declaration (sdk/go/common/workspace/project.json)
const ACCEPTED_TYPES = ['string', 'integer', 'boolean', 'array'];
const ALLOWED_ATTRIBUTES = ['type', 'description', 'default', 'secret', 'items', 'value'];

describe('generated from config/schema.ts', () => {
  test('the Pulumi.yaml config: block and the README table are current (else: npm run config:docs)', () => {
    expect([...outOfDate().keys()].map((f) => path.relative(ROOT, f))).toEqual([]);
  });

  test('an edited description in either file is detected', () => {
    const yaml = fs.readFileSync(path.join(ROOT, 'Pulumi.yaml'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const edit = (text: string) => text.replace('Application database user the products connect as', 'Application database user');
    expect(edit(yaml)).not.toBe(yaml);
    expect(edit(readme)).not.toBe(readme);
    expect(withConfigBlock(edit(yaml))).toBe(yaml);
    expect(withReadmeTable(edit(readme))).toBe(readme);
  });

  const structured = (Object.entries(SCHEMA) as [string, unknown][]).filter((e): e is [string, Struct] => e[1] instanceof Struct);
  test.each(structured)('the description of %s names each of its fields', (_key, st) => {
    const names = (s: Struct): string[] => Object.entries(s.fields).flatMap(([k, f]) => [k, ...(f instanceof Struct ? names(f) : [])]);
    for (const name of names(st)) expect(st.description).toMatch(new RegExp(`\\b${name}\\b`));
  });
});

describe('Pulumi.yaml', () => {
  const proj = projectFile();
  const decls = proj.config;

  test('is the wso2-is-pattern2 TypeScript project', () => {
    expect(proj.name).toBe(PROJECT);
    expect(proj.runtime.name).toBe('nodejs');
    expect(proj.runtime.options?.typescript).toBe(true);
  });

  test('declares exactly the keys of CONFIG_KEYS, in the same order', () => {
    expect(Object.keys(decls)).toEqual(Object.keys(CONFIG_KEYS));
  });

  test.each(Object.keys(CONFIG_KEYS))('%s is declared in a shape the Pulumi CLI accepts', (key) => {
    const d = decls[key];
    const spec = CONFIG_KEYS[key];
    expect(typeof d).toBe('object');
    for (const attr of Object.keys(d)) expect(ALLOWED_ATTRIBUTES).toContain(attr);
    // project keys are typed declarations with defaults, never fixed values
    expect(d.value).toBeUndefined();
    expect(d.description).toBe(spec.description);
    if (spec.kind === 'object') {
      // `object` is not an accepted type; untyped keys take maps and are validated by config.ts
      expect(d.type).toBeUndefined();
    } else {
      expect(ACCEPTED_TYPES).toContain(d.type);
      expect(d.type).toBe(spec.kind);
      if (d.type === 'array') expect(d.items).toBeDefined();
    }
    if (spec.required) {
      // a required key must not get a made-up default: the CLI then demands it on every stack
      expect(d.default).toBeUndefined();
    } else {
      // the CLI makes every declared key without a default mandatory
      expect(d.default).toBeDefined();
    }
    // a secret with a plaintext default fails the CLI's validation whenever a stack leaves it unset
    if (d.secret) expect(d.default).toBeUndefined();
  });

  test.each(Object.keys(CONFIG_KEYS).filter((k) => CONFIG_KEYS[k].kind !== 'object' && !CONFIG_KEYS[k].required))(
    'the default of %s is the one in CONFIG_KEYS, typed as declared',
    (key) => {
      const d = decls[key];
      expect(d.default).toBe(CONFIG_KEYS[key].default);
      if (d.type === 'string') expect(typeof d.default).toBe('string');
      if (d.type === 'integer') expect(Number.isInteger(d.default)).toBe(true);
      if (d.type === 'boolean') expect(typeof d.default).toBe('boolean');
    },
  );

  describe.each(Object.entries(BASES))('defaults equal the parser defaults (%s)', (_platform, base) => {
    const bare = parseStackConfig(base, 'dev');

    // a scalar the stack sets itself never takes the default; a structured one merges with it
    const keys = Object.keys(CONFIG_KEYS).filter(
      (k) => decls[k]?.default !== undefined && (base[k] === undefined || CONFIG_KEYS[k].kind === 'object'),
    );
    test.each(keys)('%s', (key) => {
      const d = decls[key].default;
      let value: unknown = d;
      if (CONFIG_KEYS[key].kind === 'object' && base[key] !== undefined) {
        // the stack's own sub-keys win; the declared default fills the rest
        value = { ...(d as object), ...JSON.parse(base[key]) };
      }
      expect(parseStackConfig({ ...base, [key]: engineValue(value) }, 'dev')).toEqual(bare);
    });

    test('all declared defaults applied together, as the CLI does', () => {
      const applied = withProjectDefaults(base, decls);
      expect(Object.keys(applied).length).toBeGreaterThan(Object.keys(base).length);
      expect(parseStackConfig(applied, 'dev')).toEqual(bare);
    });
  });

  test('each leaf of a structured default is the value the parser uses', () => {
    const parsed = parseStackConfig(BASES.kubernetes, 'dev') as unknown as Record<string, unknown>;
    const walk = (decl: unknown, actual: unknown, at: string) => {
      if (decl !== null && typeof decl === 'object' && !Array.isArray(decl)) {
        for (const [k, v] of Object.entries(decl)) walk(v, (actual as Record<string, unknown>)?.[k], `${at}.${k}`);
      } else {
        expect({ at, value: actual }).toEqual({ at, value: decl });
      }
    };
    let leaves = 0;
    for (const [key, spec] of Object.entries(CONFIG_KEYS)) {
      if (spec.kind !== 'object') continue;
      walk(decls[key].default, parsed[key], key);
      leaves += JSON.stringify(decls[key].default).split(':').length - 1;
    }
    expect(leaves).toBeGreaterThan(20);
  });
});

/** The README's configuration reference: rows `| \`key\` | type | default | description |`. */
function readmeReference(): Map<string, { type: string; default: string; description: string }> {
  const text = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = text.indexOf('## Configuration reference');
  expect(start).toBeGreaterThanOrEqual(0);
  const end = text.indexOf('\n## ', start + 5);
  const section = text.slice(start, end < 0 ? undefined : end);
  const rows = new Map<string, { type: string; default: string; description: string }>();
  for (const line of section.split('\n')) {
    const m = /^\| `([A-Za-z0-9]+)` \|/.exec(line);
    if (!m) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|').replace(/&lt;/g, '<').replace(/&gt;/g, '>'));
    expect(cells).toHaveLength(4);
    expect(rows.has(m[1])).toBe(false);
    rows.set(m[1], { type: cells[1], default: cells[2], description: cells[3] });
  }
  return rows;
}

/** How the README shows a declared default. */
function readmeDefault(key: string, decl: Declaration): string {
  if (CONFIG_KEYS[key].required) return 'required';
  return '`' + JSON.stringify(decl.default) + '`';
}

describe('README configuration reference', () => {
  const decls = projectFile().config;
  const rows = readmeReference();

  test('lists exactly the keys of CONFIG_KEYS, in the same order', () => {
    expect([...rows.keys()]).toEqual(Object.keys(CONFIG_KEYS));
  });

  test.each(Object.keys(CONFIG_KEYS))('%s: type, default and description agree with config.ts and Pulumi.yaml', (key) => {
    const row = rows.get(key)!;
    const spec = CONFIG_KEYS[key];
    expect(row.type).toBe(spec.kind + (spec.secret ? ' (secret)' : ''));
    expect(row.default).toBe(readmeDefault(key, decls[key]));
    expect(row.description).toBe(spec.description);
  });
});

describe('README quick start and CI agree', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const ci = fs.readFileSync(path.join(ROOT, '.ci', 'run'), 'utf8');
  const quickStart = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('\n## ', readme.indexOf('## Quick start') + 5));
  const commands = [...quickStart.matchAll(/^ *```bash\n *([^\n]+)\n *```$/gm)].map((m) => m[1]);
  const TEST_COMMAND = 'npm run build && npm test';

  test('the quick start is exactly two commands: plan the dev stack, run the tests', () => {
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/^npm install --no-audit --no-fund && npm run plan\b.*\bdev\b/);
    expect(commands[1].endsWith(`npm install --no-audit --no-fund && ${TEST_COMMAND}`)).toBe(true);
  });

  test('CI installs the same Debian packages and runs the same test command', () => {
    const ciPackages = /^PACKAGES=\(([^)]*)\)$/m.exec(ci)![1].split(/\s+/).filter(Boolean);
    const readmePackages = /apt-get install -y --no-install-recommends ([a-z0-9 .+-]+?) &&/.exec(commands[1])![1].split(' ');
    expect(readmePackages).toEqual(ciPackages);
    for (const p of ['libxml2-utils', 'nginx-light', 'mariadb-server', 'mariadb-client', 'shellcheck', 'cloud-init', 'openssl']) {
      expect(ciPackages).toContain(p);
    }
    const lines = ci.trimEnd().split('\n');
    expect(lines[lines.length - 1]).toBe(TEST_COMMAND);
    expect(ci).toMatch(/^set -euo pipefail$/m);
    expect(fs.statSync(path.join(ROOT, '.ci', 'run')).mode & 0o111).not.toBe(0);
  });
});
