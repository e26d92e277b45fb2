/**
 * Which Elasticsearch answers mean "shards not started yet" (the follower waits within its sync) and which fail at
 * once. The bodies are the cluster's own, as the client hands them over; the follower's int test checks the ones
 * an unassigned shard gives on a real cluster.
 */
import { errors } from '@elastic/elasticsearch';
import { isShardsStarting } from '../../src/sources/elasticsearch-errors';

function answer(statusCode: number, error: Record<string, unknown>): errors.ResponseError {
  return new errors.ResponseError({
    body: { error, status: statusCode },
    statusCode,
    headers: {},
    warnings: null,
    meta: {} as errors.ResponseError['meta']['meta'],
  });
}

describe('isShardsStarting', () => {
  it('opening a point in time on a shard that is not open yet (seen failing an e2e exporter start): waits', () => {
    const pit = answer(503, {
      type: 'search_phase_execution_exception',
      reason: '',
      root_cause: [
        {
          type: 'no_shard_available_action_exception',
          reason: '[plumbline-es][127.0.0.1:35329][indices:data/read/open_reader_context]',
        },
      ],
    });
    expect(pit.message).not.toMatch(/missing shards/i);
    expect(isShardsStarting(pit)).toBe(true);
  });

  it('a search of an index whose primary shard has not started ("missing shards"), or the exception alone: waits', () => {
    expect(
      isShardsStarting(
        answer(503, {
          type: 'search_phase_execution_exception',
          reason: 'all shards failed',
          caused_by: {
            type: 'search_phase_execution_exception',
            reason: 'Search rejected due to missing shards [[plumbline-inference][0]].',
          },
        }),
      ),
    ).toBe(true);
    expect(isShardsStarting(answer(503, { type: 'no_shard_available_action_exception', reason: 'x' }))).toBe(
      true,
    );
  });

  it('a search phase that failed for any other cause, even beside a missing shard: fails at once', () => {
    const mixed = answer(400, {
      type: 'search_phase_execution_exception',
      reason: 'all shards failed',
      root_cause: [
        { type: 'no_shard_available_action_exception', reason: 'x' },
        { type: 'query_shard_exception', reason: 'failed to create query' },
      ],
    });
    expect(isShardsStarting(mixed)).toBe(false);
    expect(
      isShardsStarting(
        answer(400, { type: 'search_phase_execution_exception', reason: 'all shards failed' }),
      ),
    ).toBe(false);
    expect(
      isShardsStarting(answer(404, { type: 'index_not_found_exception', reason: 'no such index' })),
    ).toBe(false);
    expect(isShardsStarting(new Error('no_shard_available_action_exception'))).toBe(false);
  });
});
