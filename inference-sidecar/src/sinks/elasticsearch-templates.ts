/**
 * Index templates for the Elasticsearch sink: explicit mappings, so a feature is never mapped by accident as a
 * date (date detection off) or as a long that silently truncates later decimals (all numbers → double).
 */
export interface IndexTemplateBody {
  index_patterns: string[];
  priority: number;
  template: {
    settings: Record<string, unknown>;
    mappings: Record<string, unknown>;
    aliases?: Record<string, Record<string, never>>;
  };
  _meta: Record<string, unknown>;
}

/**
 * Retention by index lifecycle management (elasticsearch-retention.ts): the template then matches the daily
 * indices `<index>-*`, names `<index>` as their alias and puts them under `policy`.
 */
export interface TemplateLifecycle {
  policy: string;
}

const keyword = { type: 'keyword', ignore_above: 1024 };

/**
 * Each template matches its index name exactly (plain indices, no rollover), so two sidecars with different index
 * names never install overlapping templates. Elasticsearch refuses overlapping patterns of equal priority, so the
 * priority grows with the name: an exact `plumbline-inference-blue` outranks someone's `plumbline-inference-*`.
 */
export function templatePriority(index: string): number {
  return 200 + Math.min(index.length, 255);
}
const modelRef = { properties: { name: { type: 'keyword' }, version: { type: 'keyword' } } };

function settings(replicas: number | undefined): Record<string, unknown> {
  return replicas === undefined
    ? { number_of_shards: 1 }
    : { number_of_shards: 1, number_of_replicas: replicas };
}

/** Numbers → double, strings → keyword, booleans → boolean, under `prefix.*`. */
function typedDynamicTemplates(name: string, pathMatch: string): Record<string, unknown>[] {
  return [
    { [`${name}_long`]: { path_match: pathMatch, match_mapping_type: 'long', mapping: { type: 'double' } } },
    {
      [`${name}_double`]: {
        path_match: pathMatch,
        match_mapping_type: 'double',
        mapping: { type: 'double' },
      },
    },
    { [`${name}_string`]: { path_match: pathMatch, match_mapping_type: 'string', mapping: keyword } },
    {
      [`${name}_boolean`]: {
        path_match: pathMatch,
        match_mapping_type: 'boolean',
        mapping: { type: 'boolean' },
      },
    },
  ];
}

/** Properties every Plumbline document has: when, which event (and which row of its request), which model. */
const EVENT_PROPERTIES = {
  '@timestamp': { type: 'date' },
  schema_version: { type: 'short' },
  event_id: { type: 'keyword' },
  request_id: { type: 'keyword' },
  row: { type: 'integer' },
  model: modelRef,
};

/**
 * The template of one index: exact pattern, priority, and mappings where nothing is detected (no dates, no
 * numbers from strings) and unknown top-level fields stay in _source without being indexed.
 */
function indexTemplate(
  index: string,
  replicas: number | undefined,
  mappings: { dynamic_templates?: Record<string, unknown>[]; properties: Record<string, unknown> },
): IndexTemplateBody {
  return {
    index_patterns: [index],
    priority: templatePriority(index),
    _meta: { managed_by: 'plumbline', schema_version: 1 },
    template: {
      settings: settings(replicas),
      mappings: { dynamic: false, date_detection: false, numeric_detection: false, ...mappings },
    },
  };
}

/** The plain index's template turned into the daily indices' one: pattern, priority, policy, alias. */
function withLifecycle(
  body: IndexTemplateBody,
  index: string,
  lifecycle: TemplateLifecycle | undefined,
): IndexTemplateBody {
  if (!lifecycle) return body;
  const pattern = `${index}-*`;
  return {
    ...body,
    index_patterns: [pattern],
    priority: templatePriority(pattern),
    template: {
      ...body.template,
      settings: {
        ...body.template.settings,
        'index.lifecycle.name': lifecycle.policy,
        // The age counts from the day in the index name (`<index>-yyyy.MM.dd`), not from when it was created.
        'index.lifecycle.parse_origination_date': true,
      },
      aliases: { [index]: {} },
    },
  };
}

export function inferenceTemplate(
  index: string,
  replicas?: number,
  lifecycle?: TemplateLifecycle,
): IndexTemplateBody {
  // Features and probabilities are open objects, typed by the dynamic templates.
  const plain = indexTemplate(index, replicas, {
    dynamic_templates: [
      ...typedDynamicTemplates('features', 'features.*'),
      ...typedDynamicTemplates('probabilities', 'outputs.probabilities.*'),
    ],
    properties: {
      ...EVENT_PROPERTIES,
      role: { type: 'keyword' },
      shadow_of: { properties: { request_id: { type: 'keyword' }, row: { type: 'integer' } } },
      protocol: { type: 'keyword' },
      parsed: { type: 'boolean' },
      features: { type: 'object', dynamic: true },
      outputs: {
        properties: {
          label: { type: 'keyword' },
          value: { type: 'double' },
          probabilities: { type: 'object', dynamic: true },
          confidence: { type: 'double' },
          invalid: { type: 'keyword' },
        },
      },
      latency_ms: { properties: { total: { type: 'double' }, upstream: { type: 'double' } } },
      http_status: { type: 'short' },
      error: keyword,
    },
  });
  return withLifecycle(plain, index, lifecycle);
}

export function feedbackTemplate(
  index: string,
  replicas?: number,
  lifecycle?: TemplateLifecycle,
): IndexTemplateBody {
  const plain = indexTemplate(index, replicas, {
    properties: {
      ...EVENT_PROPERTIES,
      // A label or a value: indexed as keyword ("3.5", "true"); _source keeps the original JSON type.
      ground_truth: keyword,
      source: { type: 'keyword' },
      // A review's action and reviewer (the exporter's review API), null for plain ground truth.
      action: { type: 'keyword' },
      reviewer: { type: 'keyword' },
    },
  });
  return withLifecycle(plain, index, lifecycle);
}
