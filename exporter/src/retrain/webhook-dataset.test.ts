import { parseRetrainConfig } from './config';
import { buildWebhookRequest, type RetrainContext } from './webhook-templates';

const dataset = {
  since: '2026-11-01T00:00:00.000Z',
  until: '2026-11-23T10:00:00.000Z',
  rows: 1200,
  humanRows: 300,
  export:
    'plumbline dataset export --model iris --since 2026-11-01T00:00:00.000Z --until 2026-11-23T10:00:00.000Z --source any --out iris-dataset.parquet',
};
const ctx: RetrainContext = {
  model: 'iris',
  reason: 'accuracy below the reference',
  requestedBy: 'alertmanager',
  requestId: 'req-1',
  requestedAt: '2026-11-23T10:00:00.000Z',
  dataset,
};
const token = 'x'.repeat(24);
const webhookOf = (webhook: unknown) => parseRetrainConfig({ token, webhook }).webhook;

describe('the retrain webhook carries the dataset to train on', () => {
  it('generic: dataset { since, until, rows, humanRows, export } in the JSON body', () => {
    const req = buildWebhookRequest(webhookOf({ kind: 'generic', url: 'http://ci.local/hook' }), ctx);
    expect(JSON.parse(req.body).dataset).toEqual(dataset);
  });

  it('github, gitlab, jenkins, argo: the dataset as one JSON string parameter', () => {
    const github = buildWebhookRequest(
      webhookOf({ kind: 'github', owner: 'acme', repo: 'models', workflow: 'retrain.yml', token: 'ghp_abc' }),
      ctx,
    );
    expect(JSON.parse(JSON.parse(github.body).inputs.dataset)).toEqual(dataset);
    const gitlab = buildWebhookRequest(webhookOf({ kind: 'gitlab', projectId: '42', token: 'glptt' }), ctx);
    expect(JSON.parse(new URLSearchParams(gitlab.body).get('variables[PLUMBLINE_DATASET]')!)).toEqual(
      dataset,
    );
    const jenkins = buildWebhookRequest(
      webhookOf({ kind: 'jenkins', baseUrl: 'http://jenkins', job: 'retrain', user: 'u', apiToken: 't' }),
      ctx,
    );
    expect(JSON.parse(new URLSearchParams(jenkins.body).get('DATASET')!)).toEqual(dataset);
    const argo = buildWebhookRequest(
      webhookOf({
        kind: 'argo',
        baseUrl: 'http://argo',
        namespace: 'ml',
        workflowTemplate: 'retrain',
        token: 't',
      }),
      ctx,
    );
    const param = (JSON.parse(argo.body).submitOptions.parameters as string[]).find((p) =>
      p.startsWith('dataset='),
    );
    expect(JSON.parse(param!.slice('dataset='.length))).toEqual(dataset);
  });

  it('leaves the payload as it was without a dataset', () => {
    const { dataset: _omit, ...bare } = ctx;
    void _omit;
    const req = buildWebhookRequest(webhookOf({ kind: 'generic', url: 'http://ci.local/hook' }), bare);
    expect(JSON.parse(req.body)).not.toHaveProperty('dataset');
  });
});
