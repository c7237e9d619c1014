/**
 * Two projects, the test tiers of tests/helpers/tiers.js: `npm run test:fast`, `npm run
 * test:system` (TEST_TIER picks one; an environment variable rather than --selectProjects, which
 * would swallow a test path given after it), `npm test` runs both. TypeScript is transpiled by esbuild (type checking is
 * `npm run build`'s job). Test files run in parallel worker processes: the Pulumi mock engine is
 * process-global but each worker is its own process, and the tests that start servers take free
 * ports and their own temp dirs.
 */
const { FAST, SYSTEM, file } = require('./tests/helpers/tiers');

const common = {
  rootDir: __dirname,
  roots: ['<rootDir>/tests'],
  // Jest's node environment; its worker leaves without freeing its heap (tests/helpers/node-environment.js).
  testEnvironment: '<rootDir>/tests/helpers/node-environment.js',
  transform: { '^.+\\.ts$': '<rootDir>/tests/helpers/esbuild-transform.js' },
  // Defers the parts of @pulumi/pulumi the mock engine never uses (tests/helpers/lazy-pulumi.js).
  resolver: '<rootDir>/tests/helpers/jest-resolver.js',
  // TEST_CPU_LOG=FILE: per-file CPU seconds (tests/helpers/cpu-environment.js), a measuring aid.
  ...(process.env.TEST_CPU_LOG ? { testEnvironment: '<rootDir>/tests/helpers/cpu-environment.js' } : {}),
};

// Both tiers run the guard: a worker shares Node's built-in modules between the files it runs, so
// each file sets whether child processes are refused (tests/helpers/fast-tier-guard.js).
const tierProject = (displayName, names) => ({
  ...common,
  displayName,
  testMatch: names.map((n) => `<rootDir>/${file(n)}`),
  globals: { testTier: displayName },
  setupFiles: ['<rootDir>/tests/helpers/fast-tier-guard.js'],
  // After jest's source-map-support is installed, which it wraps (tests/helpers/pulumi-callsites.js).
  setupFilesAfterEnv: ['<rootDir>/tests/helpers/pulumi-callsites.js'],
});
const projects = [tierProject('fast', FAST), tierProject('system', SYSTEM)];
const tier = process.env.TEST_TIER;
if (tier && !projects.some((p) => p.displayName === tier)) throw new Error(`TEST_TIER=${tier}: no such tier (fast, system)`);

module.exports = {
  // JVM start-up flags for the tests' keytool/java/javac (tests/helpers/global-setup.js).
  globalSetup: '<rootDir>/tests/helpers/global-setup.js',
  // Removes the run's plan cache (made by globalSetup).
  globalTeardown: '<rootDir>/tests/helpers/global-teardown.js',
  testTimeout: 120000,
  maxWorkers: 2,
  projects: projects.filter((p) => !tier || p.displayName === tier),
};
