/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test', '<rootDir>/src', '<rootDir>/connectors', '<rootDir>/jobs'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.tsx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  globalTeardown: '<rootDir>/test/support/globalTeardown.ts',
  maxWorkers: 2,
  testTimeout: 60000,
  modulePathIgnorePatterns: ['<rootDir>/dist'],
  // browser tests need Debian's chromium: `npm run test:browser` (CI runs both)
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/browser/'],
};
