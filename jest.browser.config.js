/**
 * Browser tests (playwright-core driving Debian's chromium: `apt-get install chromium`). Kept out
 * of `npm test`, which must pass on a machine with nothing but Node and npm (CONTRACT §1);
 * `npm run test:browser` runs them and CI runs both. Screenshots go to test-artifacts/.
 */
const base = require('./jest.config');

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  roots: ['<rootDir>/test/browser'],
  testPathIgnorePatterns: ['/node_modules/'],
  maxWorkers: 1,
};
