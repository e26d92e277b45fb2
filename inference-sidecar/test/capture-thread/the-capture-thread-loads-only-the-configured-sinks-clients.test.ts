// The capture thread loads a sink's client only when that sink is configured: @elastic/elasticsearch is ~8 MB of
// heap and kafkajs ~1.5 MB in an isolate that holds ~25 MB live, and a sidecar with the spool store alone (the
// quick start) needs neither (issue #16, memory; README, Memory). Both clients used to be loaded by pipeline.ts
// whatever the config said.
import pino from 'pino';
import { Pool } from 'undici';
import type { createPipeline as CreatePipeline, EventPipeline } from '../../src/pipeline/pipeline';
import type { createSidecarCore as CreateSidecarCore } from '../../src/sidecar-core';
import type { parseConfig as ParseConfig } from '../../src/config';
import { tempDir } from '../pipeline/helpers';

const CLIENTS = ['@elastic/elasticsearch', 'kafkajs'];
let loaded: string[] = [];
const logger = pino({ level: 'silent' });

beforeEach(() => {
  jest.resetModules();
  loaded = [];
  for (const name of CLIENTS) {
    jest.doMock(name, () => {
      loaded.push(name);
      return jest.requireActual(name);
    });
  }
});

it('with the spool store alone, the capture side (sidecar-core, as the worker builds it) loads neither client', async () => {
  const spool = tempDir();
  const { parseConfig } = require('../../src/config') as { parseConfig: typeof ParseConfig };
  const { createSidecarCore } = require('../../src/sidecar-core') as {
    createSidecarCore: typeof CreateSidecarCore;
  };
  const dispatcher = new Pool('http://127.0.0.1:1');
  const core = createSidecarCore(
    parseConfig({ upstream: 'http://127.0.0.1:1', adminPort: 0, sinks: { spoolDir: spool.dir } }),
    { logger, dispatcher },
  );
  try {
    // sidecar-core built its own pipeline (createPipeline's), whose stats() name its lanes.
    expect((core.pipeline as EventPipeline).stats().map((s) => s.name)).toEqual(['store']);
    expect(loaded).toEqual([]);
  } finally {
    await core.close();
    await dispatcher.close();
    spool.cleanup();
  }
});

it.each([
  ['elasticsearch', { elasticsearch: { url: 'http://127.0.0.1:1' } }, ['@elastic/elasticsearch']],
  ['kafka', { kafka: { brokers: ['127.0.0.1:1'] } }, ['kafkajs']],
  [
    'elasticsearch and kafka',
    { elasticsearch: { url: 'http://127.0.0.1:1' }, kafka: { brokers: ['127.0.0.1:1'] } },
    ['@elastic/elasticsearch', 'kafkajs'],
  ],
])('with %s configured, the pipeline loads that client only', async (_name, sinks, clients) => {
  const { createPipeline } = require('../../src/pipeline/pipeline') as {
    createPipeline: typeof CreatePipeline;
  };
  const pipeline = createPipeline({ ...sinks, logger });
  try {
    expect(pipeline.stats().map((s) => s.name)).toEqual(Object.keys(sinks));
    expect(loaded.sort()).toEqual(clients);
  } finally {
    await pipeline.close();
  }
});
