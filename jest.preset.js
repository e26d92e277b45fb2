// Shared jest settings for the TypeScript workspaces: @swc/jest compiles TypeScript (no type check here;
// `npm run typecheck` does that), and @plumbline/* imports resolve to source, not to a build.
const path = require('node:path');

module.exports = function preset(displayName, overrides = {}) {
  return {
    displayName,
    rootDir: path.join(__dirname, displayName),
    testEnvironment: 'node',
    transform: { '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' } }] },
    moduleNameMapper: {
      '^@plumbline/schema$': path.join(__dirname, 'schema/src/index.ts'),
      '^@plumbline/schema/testing$': path.join(__dirname, 'schema/src/testing.ts'),
      '^@plumbline/schema/write-generated-files$': path.join(
        __dirname,
        'schema/src/write-generated-files.ts',
      ),
      '^@plumbline/service-kit$': path.join(__dirname, 'service-kit/src/index.ts'),
      '^@plumbline/service-kit/cli$': path.join(__dirname, 'service-kit/src/cli.ts'),
      '^@plumbline/spool$': path.join(__dirname, 'spool/src/index.ts'),
      '^@plumbline/sidecar$': path.join(__dirname, 'inference-sidecar/src/index.ts'),
      '^@plumbline/sidecar/bench$': path.join(__dirname, 'inference-sidecar/src/bench.ts'),
      '^@plumbline/sidecar/cli$': path.join(__dirname, 'inference-sidecar/src/cli.ts'),
      '^@plumbline/exporter$': path.join(__dirname, 'exporter/src/index.ts'),
      '^@plumbline/exporter/cli$': path.join(__dirname, 'exporter/src/cli.ts'),
      '^@plumbline/exporter/retrain$': path.join(__dirname, 'exporter/src/retrain/index.ts'),
      '^@plumbline/exporter/retrain-types$': path.join(__dirname, 'exporter/src/retrain/types.ts'),
      '^@plumbline/exporter/review-types$': path.join(__dirname, 'exporter/src/review/wire-types.ts'),
      '^@plumbline/alerting$': path.join(__dirname, 'alerting/src/index.ts'),
      '^@plumbline/dashboards$': path.join(__dirname, 'dashboards/src/index.ts'),
      '^@plumbline/harness$': path.join(__dirname, 'tests/harness/index.ts'),
      '^@plumbline/harness/retrain-chain$': path.join(__dirname, 'tests/harness/retrain-chain.ts'),
    },
    testPathIgnorePatterns: ['/node_modules/', '/dist/'],
    // ES-module-only dependencies (the exporter's Parquet reader and writer): jest runs CommonJS, so @swc/jest compiles them too.
    // Node itself loads them with import() (exporter/src/io/read-parquet.ts).
    transformIgnorePatterns: [
      '/node_modules/(?!(hyparquet|hyparquet-compressors|hyparquet-writer|hysnappy|fzstd)/)',
    ],
    ...overrides,
  };
};
