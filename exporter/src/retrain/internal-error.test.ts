// Regression: a retrain request that failed inside (the audit store unreachable) answered 500 with
// `internal error: <the store's message>`, and the standalone server answered a 500 with String(err) and an unknown
// path with `{ "error": "not found: …" }`. Now the 500 carries EXPORTER_ERR_RETRAIN_INTERNAL and a generic message
// (the error goes to the log), and an unknown path the exporter's coded 404.
import { request } from 'undici';
import { parseRetrainConfig } from './config';
import { startRetrainService } from './service';
import { testSecret } from '@plumbline/harness';

const TOKEN = testSecret('internal-error token');

it('hides the audit store error behind a generic 500 and logs it', async () => {
  const warned: { obj: object; msg?: string }[] = [];
  const svc = await startRetrainService({
    config: parseRetrainConfig({
      token: TOKEN,
      webhook: { kind: 'generic', url: 'http://127.0.0.1:9/hook' },
      audit: { file: '/nonexistent/audit.jsonl' },
    }),
    auditStore: {
      record: () => Promise.resolve(),
      latest: () => Promise.reject(new Error('connect ECONNREFUSED es.internal:9200 (user elastic)')),
      close: () => Promise.resolve(),
    },
    log: { info: () => undefined, warn: (obj, msg) => warned.push({ obj, msg }) },
  });
  try {
    const res = await request(`${svc.url}/api/retrain/status?model=iris`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(res.statusCode).toBe(500);
    const text = await res.body.text();
    expect(JSON.parse(text).error.code).toBe('EXPORTER_ERR_RETRAIN_INTERNAL');
    expect(text).not.toMatch(/ECONNREFUSED|es\.internal|elastic/);
    expect(warned).toHaveLength(1);
    expect(((warned[0].obj as { err: Error }).err as Error).message).toMatch(/ECONNREFUSED/);

    const unknown = await request(`${svc.url}/api/nope`);
    expect(unknown.statusCode).toBe(404);
    expect(((await unknown.body.json()) as { error: { code: string } }).error.code).toBe(
      'EXPORTER_ERR_NOT_FOUND',
    );

    const wrong = await request(`${svc.url}/api/retrain`, { method: 'GET' });
    expect(wrong.statusCode).toBe(405);
    expect(wrong.headers.allow).toBe('POST');
    expect(((await wrong.body.json()) as { error: { code: string } }).error.code).toBe(
      'EXPORTER_ERR_RETRAIN_METHOD',
    );
  } finally {
    await svc.close();
  }
});
