/**
 * Whether an index exists, asked with GET (not HEAD, which `indices.exists` sends): a refused HEAD has no body, so
 * a role without `view_index_metadata` failed with an empty message; a refused GET carries Elasticsearch's
 * security_exception, which names the action and the privileges that grant it. Found by
 * tests/integration/elasticsearch-security.int.test.ts.
 */
import type { Client } from '@elastic/elasticsearch';

export async function indexExists(client: Client, index: string): Promise<boolean> {
  const found = await client.indices.get(
    { index, filter_path: '*.settings.index.uuid' },
    { ignore: [404], meta: true },
  );
  return found.statusCode !== 404;
}
