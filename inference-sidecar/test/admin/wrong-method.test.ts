// An admin route asked with the wrong method gets 405 SIDECAR_ERR_METHOD and an Allow header (it got a 404 before);
// HEAD rides on GET.
import { request } from 'undici';
import { startAdminTestSidecar, type TestSidecar } from '../helpers/sidecar';

let sidecar: TestSidecar;

beforeAll(async () => {
  sidecar = await startAdminTestSidecar();
});
afterAll(() => sidecar.stop());

it.each([
  ['POST', '/metrics', 'GET, HEAD'],
  ['DELETE', '/healthz', 'GET, HEAD'],
  ['GET', '/feedback', 'POST'],
] as const)('%s %s answers 405 with Allow: %s', async (method, path, allow) => {
  const res = await request(`${sidecar.adminUrl}${path}`, { method });
  expect(res.statusCode).toBe(405);
  expect(res.headers.allow).toBe(allow);
  expect(((await res.body.json()) as { error: { code: string } }).error.code).toBe('SIDECAR_ERR_METHOD');
});

it('answers HEAD on a GET route without a body', async () => {
  const res = await request(`${sidecar.adminUrl}/healthz`, { method: 'HEAD' });
  expect(res.statusCode).toBe(200);
  expect(await res.body.text()).toBe('');
});
