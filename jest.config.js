// One jest run for every workspace: `npx jest` (all), `npx jest --selectProjects exporter` (one).
module.exports = {
  projects: [
    '<rootDir>/schema',
    '<rootDir>/service-kit',
    '<rootDir>/spool',
    '<rootDir>/cli',
    '<rootDir>/inference-sidecar',
    '<rootDir>/exporter',
    '<rootDir>/dashboards',
    '<rootDir>/alerting',
    '<rootDir>/grafana-plugins',
    '<rootDir>/tests',
  ]
    .filter((dir) => require('node:fs').existsSync(require('node:path').join(dir.replace('<rootDir>', __dirname), 'jest.config.js')))
    // The sidecar's proxy tests again on its non-default data plane (see that file).
    .concat(['<rootDir>/inference-sidecar/jest.node-plane.config.js']),
  reporters: ['default', '<rootDir>/tests/harness/jest-log-reporter.js', '<rootDir>/scripts/summary-reporter.js'],
  // The service harness (tests/harness): cleans up services a dead run left, and stops the run's shared
  // Elasticsearch/Kafka at the end. Starts nothing by itself.
  globalSetup: '<rootDir>/tests/harness/jest-global-setup.ts',
  globalTeardown: '<rootDir>/tests/harness/jest-global-teardown.ts',
};
