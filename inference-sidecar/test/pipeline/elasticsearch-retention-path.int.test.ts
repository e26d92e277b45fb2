/**
 * Issue #15 item 4 on the harness's real Elasticsearch, which has no index lifecycle management (the integ-test-zip):
 * the sink detects that once, says so in its log, and keeps the by-id sweep on plain indices (retention.int.test.ts
 * shows that sweep deleting by age). The ILM path can only be checked against written answers
 * (elasticsearch-ilm-from-written-answers.test.ts); it is not tested on a real cluster with ILM.
 */
import { randomUUID } from 'node:crypto';
import { Client } from '@elastic/elasticsearch';
import pino from 'pino';
import { sharedElasticsearch } from '@plumbline/harness';
import { createElasticsearchSink } from '../../src/sinks/elasticsearch';
import { makeEvent } from './helpers';
import { countDocs } from './int-helpers';

jest.setTimeout(300_000);

it('on the test cluster (no ILM) the sink picks the by-id sweep, logs why, and writes plain indices', async () => {
  const es = await sharedElasticsearch();
  const id = randomUUID().slice(0, 8);
  const indices = { inference: `retention-path-${id}-inference`, feedback: `retention-path-${id}-feedback` };
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  const sink = createElasticsearchSink(
    {
      url: es.url,
      inferenceIndex: indices.inference,
      feedbackIndex: indices.feedback,
      retentionMaxAgeMs: 30 * 86_400_000,
    },
    logger,
  );
  const client = new Client({ node: es.url });
  try {
    expect(await sink.write([{ kind: 'inference', event: makeEvent(1) }])).toMatchObject({
      status: 'success',
    });
    expect(await sink.retentionPath()).toEqual({
      kind: 'sweep',
      reason: 'the cluster has no index lifecycle management',
    });
    const said = lines.filter((l) => l.msg === 'elasticsearch retention: by-id sweep');
    expect(said).toHaveLength(1);
    expect(said[0]).toMatchObject({ reason: 'the cluster has no index lifecycle management' });
    // A plain index of that very name, no daily index beside it.
    expect(await countDocs(client, indices.inference)).toBe(1);
    const resolved = await client.indices.resolveIndex({ name: `${indices.inference}*` });
    expect(resolved.indices.map((i) => i.name)).toEqual([indices.inference]);
    // The sweep runs: the event (2026-01-01) is older than a cutoff a day later.
    expect(await sink.expire!(Date.UTC(2026, 0, 2))).toBe(1);
  } finally {
    await sink.close();
    await client.indices.delete({
      index: `${indices.inference},${indices.feedback}`,
      ignore_unavailable: true,
    });
    await client.close();
  }
});
