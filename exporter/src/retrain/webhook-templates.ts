/**
 * Pure: turns a retrain request into the HTTP request a CI/CD system expects. One function per pipeline kind,
 * no I/O, so each template is unit-tested against the documented request shape.
 */
import type { WebhookConfig } from './config';

/**
 * The labelled data the next model can train on (issue #13): the labelled predictions since the last successful
 * retrain (`since`, null: none yet) until the trigger, and how to get them.
 */
export interface RetrainDataset {
  since: string | null;
  until: string;
  /** Rows `plumbline dataset export` would write (labelled, rejected left out). */
  rows: number;
  /** Of them, rows with a human label. */
  humanRows: number;
  /** The command that produces the dataset. */
  export: string;
}

export interface RetrainContext {
  model: string;
  reason: string;
  requestedBy: string;
  requestId: string;
  requestedAt: string;
  /** Absent when the exporter's source cannot count labelled rows (Kafka) or counting failed. */
  dataset?: RetrainDataset;
}

export interface WebhookRequest {
  url: string;
  method: 'POST' | 'PUT';
  headers: Record<string, string>;
  body: string;
  /** Status codes that mean "pipeline accepted". */
  okStatus: (status: number) => boolean;
}

const is2xx = (status: number): boolean => status >= 200 && status < 300;
const trimSlash = (u: string): string => u.replace(/\/+$/, '');

/** Builds the webhook call for `ctx`. Secrets stay in headers/body built here and are never logged. */
export function buildWebhookRequest(webhook: WebhookConfig, ctx: RetrainContext): WebhookRequest {
  switch (webhook.kind) {
    case 'generic':
      return {
        url: webhook.url,
        method: webhook.method,
        headers: { 'content-type': 'application/json', ...webhook.headers },
        body: JSON.stringify(ctx),
        okStatus: is2xx,
      };
    case 'github':
      // https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event (answers 204)
      return {
        url: `${trimSlash(webhook.baseUrl)}/repos/${encodeURIComponent(webhook.owner)}/${encodeURIComponent(
          webhook.repo,
        )}/actions/workflows/${encodeURIComponent(webhook.workflow)}/dispatches`,
        method: 'POST',
        headers: {
          accept: 'application/vnd.github+json',
          authorization: `Bearer ${webhook.token}`,
          'x-github-api-version': '2022-11-28',
          'content-type': 'application/json',
          'user-agent': 'plumbline-retrain',
        },
        body: JSON.stringify({
          ref: webhook.ref,
          inputs: {
            model: ctx.model,
            reason: ctx.reason,
            requested_by: ctx.requestedBy,
            request_id: ctx.requestId,
            ...(ctx.dataset ? { dataset: JSON.stringify(ctx.dataset) } : {}),
          },
        }),
        okStatus: is2xx,
      };
    case 'gitlab': {
      // https://docs.gitlab.com/ci/triggers/ : form fields token, ref, variables[NAME]
      const form = new URLSearchParams({ token: webhook.token, ref: webhook.ref });
      form.set('variables[PLUMBLINE_MODEL]', ctx.model);
      form.set('variables[PLUMBLINE_REASON]', ctx.reason);
      form.set('variables[PLUMBLINE_REQUESTED_BY]', ctx.requestedBy);
      form.set('variables[PLUMBLINE_REQUEST_ID]', ctx.requestId);
      if (ctx.dataset) form.set('variables[PLUMBLINE_DATASET]', JSON.stringify(ctx.dataset));
      return {
        url: `${trimSlash(webhook.baseUrl)}/api/v4/projects/${encodeURIComponent(webhook.projectId)}/trigger/pipeline`,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
        okStatus: is2xx,
      };
    }
    case 'jenkins': {
      // Parameterised build with a user API token (basic auth needs no CSRF crumb). Answers 201 + Location.
      const params = new URLSearchParams({
        MODEL: ctx.model,
        REASON: ctx.reason,
        REQUESTED_BY: ctx.requestedBy,
        REQUEST_ID: ctx.requestId,
      });
      if (ctx.dataset) params.set('DATASET', JSON.stringify(ctx.dataset));
      const jobPath = webhook.job
        .split('/')
        .filter((s) => s && s !== 'job')
        .map(encodeURIComponent)
        .join('/job/');
      return {
        url: `${trimSlash(webhook.baseUrl)}/job/${jobPath}/buildWithParameters`,
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${webhook.user}:${webhook.apiToken}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: params.toString(),
        okStatus: is2xx,
      };
    }
    case 'argo':
      // Argo Server: POST /api/v1/workflows/{namespace}/submit with a WorkflowTemplate reference.
      return {
        url: `${trimSlash(webhook.baseUrl)}/api/v1/workflows/${encodeURIComponent(webhook.namespace)}/submit`,
        method: 'POST',
        headers: { authorization: `Bearer ${webhook.token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          namespace: webhook.namespace,
          resourceKind: 'WorkflowTemplate',
          resourceName: webhook.workflowTemplate,
          submitOptions: {
            generateName: `${webhook.workflowTemplate}-`,
            labels: `plumbline.io/model=${ctx.model.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 63)}`,
            parameters: [
              `model=${ctx.model}`,
              `reason=${ctx.reason}`,
              `requested_by=${ctx.requestedBy}`,
              `request_id=${ctx.requestId}`,
              ...(ctx.dataset ? [`dataset=${JSON.stringify(ctx.dataset)}`] : []),
            ],
          },
        }),
        okStatus: is2xx,
      };
  }
}
