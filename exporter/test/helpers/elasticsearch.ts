/**
 * Creates the inference and feedback indices with the mappings the sidecar's Elasticsearch sink installs (its own
 * index templates), so the exporter is tested against the documents it reads in production.
 */
import type { Client } from '@elastic/elasticsearch';
import { feedbackTemplate, inferenceTemplate } from '@plumbline/sidecar';

export async function createEventIndices(
  client: Client,
  indices: { inference: string; feedback: string },
): Promise<void> {
  for (const [index, template] of [
    [indices.inference, inferenceTemplate(indices.inference, 0)],
    [indices.feedback, feedbackTemplate(indices.feedback, 0)],
  ] as const) {
    await client.indices.create({
      index,
      settings: template.template.settings,
      mappings: template.template.mappings,
    });
  }
}

/** Indexes documents as the sidecar does (`_id` = `event_id`), in bulk chunks, and refreshes. */
export async function indexEvents(
  client: Client,
  index: string,
  events: readonly { event_id: string }[],
  chunk = 5000,
): Promise<void> {
  for (let i = 0; i < events.length; i += chunk) {
    const part = events.slice(i, i + chunk);
    const res = await client.bulk({
      operations: part.flatMap((e) => [{ index: { _index: index, _id: e.event_id } }, e]),
    });
    if (res.errors) {
      const failed = res.items.find((item) => item.index?.error);
      throw new Error(`bulk indexing failed: ${JSON.stringify(failed?.index?.error)}`);
    }
  }
  await client.indices.refresh({ index });
}
