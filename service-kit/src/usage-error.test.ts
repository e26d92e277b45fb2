import { UsageError, isUsageError } from './usage-error';

test('a UsageError exits 2 and keeps its code, key and cause', () => {
  const cause = new Error('inner');
  const err = new UsageError('port: must be a port number', { code: 'SIDECAR_ERR_CONFIG', key: 'port', cause });
  expect(err.exitCode).toBe(2);
  expect(err.code).toBe('SIDECAR_ERR_CONFIG');
  expect(err.key).toBe('port');
  expect(err.cause).toBe(cause);
  expect(isUsageError(err)).toBe(true);
});

test('other errors are not usage errors', () => {
  expect(isUsageError(new Error('boom'))).toBe(false);
  expect(isUsageError(Object.assign(new Error('x'), { exitCode: 1 }))).toBe(false);
  expect(isUsageError('text')).toBe(false);
});
