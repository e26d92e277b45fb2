// force timezone to UTC to allow tests to work regardless of local timezone
// generally used by snapshots, but can affect specific tests
process.env.TZ = 'UTC';

const base = require('./.config/jest.config');

// Extends the scaffolded config (never edit .config/): a display name for the root `jest` projects run, and the
// browser suite in tests/browser (Chromium through playwright-core; node environment set per file).
module.exports = {
  ...base,
  displayName: 'grafana-plugins',
  rootDir: __dirname,
  testMatch: [...base.testMatch, '<rootDir>/tests/**/*.test.{ts,tsx}'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  // d3-color 3.1.1 (via @grafana/data 13.1) ships only .mjs, which the scaffolded transform pattern does not match.
  transform: { ...base.transform, '^.+\\.mjs$': base.transform['^.+\\.(t|j)sx?$'] },
  moduleNameMapper: {
    ...base.moduleNameMapper,
    '^@plumbline/exporter/retrain$': require('node:path').join(__dirname, '../exporter/src/retrain/index.ts'),
    '^@plumbline/exporter/retrain-types$': require('node:path').join(__dirname, '../exporter/src/retrain/types.ts'),
    '^@plumbline/exporter/review-types$': require('node:path').join(__dirname, '../exporter/src/review/wire-types.ts'),
    '^@plumbline/harness$': require('node:path').join(__dirname, '../tests/harness/index.ts'),
    '^@plumbline/schema$': require('node:path').join(__dirname, '../schema/src/index.ts'),
    // The retrain endpoint (tests/browser) reads its config through service-kit's loader.
    '^@plumbline/service-kit$': require('node:path').join(__dirname, '../service-kit/src/index.ts'),
  },
};
