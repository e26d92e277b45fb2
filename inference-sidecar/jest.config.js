// Most sidecar tests start a real sidecar (its capture worker thread, sinks, servers) in a hook; on a shared 2-core
// machine that can take longer than jest's 5 s default (it did once under load), so a setup file gives every test
// and hook 30 s (testTimeout is a global-only option in a multi-project run). No timing assertions anywhere.
module.exports = require('../jest.preset')('inference-sidecar', {
  setupFilesAfterEnv: ['<rootDir>/test/jest-setup.ts'],
});
