// The proxy tests once more on the node data plane (`dataPlane: node`): raw is the default, node stays selectable,
// so both must keep passing every proxy test. Same settings as jest.config.js; test/node-plane-setup.ts sets
// PLUMBLINE_TEST_DATA_PLANE=node, which test sidecars read (test/helpers/sidecar.ts). The two files that already
// pick their planes themselves (request-smuggling: both; raw-plane-https-upstream: raw only) are not run twice.
// Cost in CI: 14 more suites, ~10 s of CPU (measured on the shared 2-core machine).
const base = require('./jest.config');

module.exports = {
  ...base,
  displayName: 'inference-sidecar-node-plane',
  testMatch: ['<rootDir>/test/proxy/**/*.test.ts'],
  testPathIgnorePatterns: [
    ...base.testPathIgnorePatterns,
    '/test/proxy/request-smuggling\\.test\\.ts$',
    '/test/proxy/raw-plane-https-upstream\\.test\\.ts$',
  ],
  setupFiles: [...(base.setupFiles ?? []), '<rootDir>/test/node-plane-setup.ts'],
};
