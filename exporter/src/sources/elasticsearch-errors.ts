/** How the Elasticsearch source and follower turn the client's errors into coded SourceErrors. */
import { errors } from '@elastic/elasticsearch';
import { SourceError } from './source';

/** A missing index (or a pattern that matches none) is an empty source, not an error. */
export function isMissingIndex(err: unknown): boolean {
  return err instanceof errors.ResponseError && err.body?.error?.type === 'index_not_found_exception';
}

/**
 * Shards that are not started yet: an index created a moment ago (by a sidecar's first write) answers searches
 * with "missing shards" until its primary shard has started, and an index whose shards are being assigned with
 * `no_shard_available_action_exception` — alone, or as every root cause of a `search_phase_execution_exception`
 * (how opening a point in time answers it). Transient by nature, unlike any other error answer.
 */
export function isShardsStarting(err: unknown): boolean {
  if (!(err instanceof errors.ResponseError)) return false;
  const error = (err.body as { error?: EsError } | undefined)?.error;
  if (error?.type === 'no_shard_available_action_exception') return true;
  if (error?.type !== 'search_phase_execution_exception') return false;
  if (/missing shards/i.test(err.message)) return true;
  const causes = error.root_cause ?? [];
  return causes.length > 0 && causes.every((c) => c.type === 'no_shard_available_action_exception');
}

interface EsError {
  type?: string;
  root_cause?: { type?: string }[];
}

/**
 * No answer (connection refused, timeout, no living node) → EXPORTER_ERR_SOURCE_UNAVAILABLE; an answer that is an
 * error → EXPORTER_ERR_SOURCE_QUERY. The client's error is kept as `cause`.
 */
export function elasticsearchError(url: string, what: string, err: unknown): SourceError {
  if (err instanceof SourceError) return err;
  if (
    err instanceof errors.ConnectionError ||
    err instanceof errors.TimeoutError ||
    err instanceof errors.NoLivingConnectionsError
  ) {
    return new SourceError(
      'EXPORTER_ERR_SOURCE_UNAVAILABLE',
      `Elasticsearch at ${url} unavailable while ${what}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return new SourceError(
    'EXPORTER_ERR_SOURCE_QUERY',
    `Elasticsearch query failed while ${what}: ${(err as Error).message}`,
    { cause: err },
  );
}
