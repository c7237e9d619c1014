/**
 * The tier split cannot drop a test: every tests/*.test.ts file is in exactly one tier, every name
 * in a tier is a file, jest's two projects are exactly the two lists and nothing else matches a
 * test file outside them. The fast tier's guard really stops a child process.
 */
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync, spawnSync } from 'child_process';

// eslint-disable-next-line @typescript-eslint/no-var-requires
const { FAST, SYSTEM, file } = require('./helpers/tiers') as { FAST: string[]; SYSTEM: string[]; file: (n: string) => string };
/** The whole configuration, whichever tier this run selected. */
function wholeConfig(): { projects: { displayName: string; testMatch: string[]; roots: string[] }[] } {
  const tier = process.env.TEST_TIER;
  delete process.env.TEST_TIER;
  try {
    let config: ReturnType<typeof wholeConfig> | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      config = require('../jest.config');
    });
    return config!;
  } finally {
    if (tier !== undefined) process.env.TEST_TIER = tier;
  }
}
const config = wholeConfig();

const ROOT = path.join(__dirname, '..');

/** Every *.test.ts anywhere under tests/ (not only at the top: a nested one must not hide). */
function testFiles(dir = 'tests'): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return testFiles(rel);
    return /\.test\.[cm]?[jt]sx?$/.test(e.name) ? [rel] : [];
  });
}

test('every test file is in exactly one tier, every tier entry is a test file', () => {
  const tiers = [...FAST, ...SYSTEM].map(file);
  expect(tiers.filter((f, i) => tiers.indexOf(f) !== i)).toEqual([]);
  expect([...tiers].sort()).toEqual(testFiles().sort());
});

test('the jest projects are the two tiers', () => {
  expect(config.projects.map((p) => p.displayName)).toEqual(['fast', 'system']);
  const [fast, system] = config.projects;
  expect(fast.testMatch).toEqual(FAST.map((n) => `<rootDir>/${file(n)}`));
  expect(system.testMatch).toEqual(SYSTEM.map((n) => `<rootDir>/${file(n)}`));
  for (const p of config.projects) expect(p.roots).toEqual(['<rootDir>/tests']);
});

test('the fast tier allows xmllint only', () => {
  expect(() => execFileSync('true')).toThrow(/fast tier: execFileSync\("true"\) starts a process/);
  expect(() => spawnSync('sh', ['-c', 'true'])).toThrow(/move this test file to the system tier/);
  expect(execFileSync('xmllint', ['--version'], { stdio: 'pipe' })).toBeDefined();
});
