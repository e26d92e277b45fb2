// Regression: a failing route answered 500 with the error's own message (`{ code: EXPORTER_ERR_INTERNAL, message:
// <err.message> }`), and a model name that is not valid percent-encoding was such a 500 ("URI malformed"). Now a
// 500 says only that the error was logged (onError gets it), and a malformed path is the client's 400.
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { request } from 'undici';
import { createApiServer } from '../../src/api';

it('answers a failing route with 500, its code and a generic message; onError gets the error', async () => {
  const errors: unknown[] = [];
  const server = createApiServer({
    registry: new Registry(),
    state: {
      models: () => ['iris'],
      history: () => [],
      health: () => {
        throw new Error('ES password=hunter2 rejected at https://es.internal:9200');
      },
    },
    onError: (err) => errors.push(err),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const res = await request(`${base}/api/health`);
    expect(res.statusCode).toBe(500);
    const text = await res.body.text();
    expect(JSON.parse(text).error.code).toBe('EXPORTER_ERR_INTERNAL');
    expect(text).not.toMatch(/hunter2|es\.internal/);
    expect((errors[0] as Error).message).toMatch(/hunter2/);

    const malformed = await request(`${base}/api/models/%E0%A4%A/drift`);
    expect(malformed.statusCode).toBe(400);
    expect(((await malformed.body.json()) as { error: { code: string } }).error.code).toBe(
      'EXPORTER_ERR_BAD_REQUEST',
    );
    expect(errors).toHaveLength(1);

    const missing = await request(`${base}/api/models/iris/drift`);
    expect(missing.statusCode).toBe(404);
    expect(await missing.body.json()).toEqual({
      error: { code: 'EXPORTER_ERR_NOT_FOUND', message: 'model iris has not been evaluated yet' },
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
