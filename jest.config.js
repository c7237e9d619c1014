/** Tests run serially (--runInBand): several start real servers and the Pulumi mock engine is process-global. */
module.exports = {
  preset: 'ts-jest',
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  testTimeout: 120000,
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
};
