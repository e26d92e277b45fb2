// The review routes on the exporter's HTTP server: the API token guards the POST (401 without it), the reviewer is
// the X-Grafana-User header, bad parameters are 400 naming them, a Kafka-only exporter answers 501.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Registry } from 'prom-client';
import { createApiServer } from '../api';
import { ReviewNotFoundError, parseReviewBody, type ReviewService } from './review-service';
import { reviewRoutes } from './routes';
import { encodeCursor } from './review-store';

const TOKEN = 't'.repeat(24);
const seen: { model: string; body: unknown; reviewer: string | null }[] = [];
const queues: unknown[] = [];

const service: ReviewService = {
  async queue(model, request) {
    queues.push({ model, ...request });
    return { items: [], next: null };
  },
  async review(model, body, reviewer) {
    parseReviewBody(body);
    if ((body as { request_id: string }).request_id === 'missing')
      throw new ReviewNotFoundError('not stored');
    seen.push({ model, body, reviewer });
    return { changed: true, event: null, label: { kind: 'none', label: null, label_source: null } };
  },
  async advice() {
    return { labelledRows: 0, classes: [] };
  },
  close: async () => undefined,
};

async function serve(s: ReviewService | null): Promise<{ url: string; server: Server }> {
  const server = createApiServer({
    registry: new Registry(),
    state: {
      history: () => [],
      models: () => ['iris'],
      health: () => ({ status: 'ok', source: 'spool', models: [] }),
    },
    routes: reviewRoutes(s),
    auth: { token: TOKEN },
    onError: () => undefined,
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

let api: { url: string; server: Server };
beforeAll(async () => {
  api = await serve(service);
});
afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${api.url}/api/models/iris/review`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
const auth = { authorization: `Bearer ${TOKEN}` };

test('a review without the token is refused with 401, nothing recorded', async () => {
  const res = await post({ request_id: 'r', action: 'confirm' });
  expect(res.status).toBe(401);
  expect(((await res.json()) as { error: { code: string } }).error.code).toBe('EXPORTER_ERR_UNAUTHORIZED');
  expect(seen).toHaveLength(0);
});

test('with the token, the reviewer is the X-Grafana-User header', async () => {
  const res = await post({ request_id: 'r', action: 'confirm' }, { ...auth, 'x-grafana-user': 'ana' });
  expect(res.status).toBe(200);
  expect(seen[0]).toEqual({ model: 'iris', body: { request_id: 'r', action: 'confirm' }, reviewer: 'ana' });
});

test('a bad body is 400 naming the field; an unknown request id is 404', async () => {
  const bad = await post({ request_id: 'r', action: 'correct' }, auth);
  expect(bad.status).toBe(400);
  expect(await bad.json()).toEqual({
    error: { code: 'EXPORTER_ERR_BAD_REQUEST', message: 'label: required for correct (the right class)' },
  });
  const notJson = await post('{', auth);
  expect(notJson.status).toBe(400);
  expect(((await notJson.json()) as { error: { message: string } }).error.message).toMatch(
    /^\(root\): not JSON/,
  );
  expect((await post({ request_id: 'missing', action: 'confirm' }, auth)).status).toBe(404);
});

test('the queue reads its parameters and refuses bad ones by name', async () => {
  const cursor = encodeCursor({ atMs: 5, eventId: 'e' });
  const ok = await fetch(
    `${api.url}/api/models/iris/review?limit=20&class=a&maxConfidence=0.4&before=${cursor}`,
  );
  expect(ok.status).toBe(200);
  expect(await ok.json()).toEqual({ items: [], next: null });
  expect(queues[0]).toEqual({
    model: 'iris',
    limit: 20,
    before: { atMs: 5, eventId: 'e' },
    predictedClass: 'a',
    maxConfidence: 0.4,
  });
  for (const [query, field] of [
    ['limit=0', 'limit'],
    ['limit=2.5', 'limit'],
    ['maxConfidence=2', 'maxConfidence'],
    ['before=nonsense', 'before'],
  ]) {
    const res = await fetch(`${api.url}/api/models/iris/review?${query}`);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      new RegExp(`^${field}: `),
    );
  }
  const advice = await fetch(`${api.url}/api/models/iris/review/advice`);
  expect(advice.status).toBe(400);
  expect(((await advice.json()) as { error: { message: string } }).error.message).toMatch(
    /^targetPrecision: /,
  );
});

test('an exporter on Kafka alone answers 501 EXPORTER_ERR_REVIEW_UNSUPPORTED', async () => {
  const kafka = await serve(null);
  try {
    for (const res of [
      await fetch(`${kafka.url}/api/models/iris/review`),
      await fetch(`${kafka.url}/api/models/iris/review`, { method: 'POST', headers: auth, body: '{}' }),
      await fetch(`${kafka.url}/api/models/iris/review/advice?targetPrecision=0.9`),
    ]) {
      expect(res.status).toBe(501);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
        'EXPORTER_ERR_REVIEW_UNSUPPORTED',
      );
    }
  } finally {
    await new Promise<void>((resolve) => kafka.server.close(() => resolve()));
  }
});
