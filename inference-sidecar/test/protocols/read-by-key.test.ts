/** readByKey: the first key present decides how a body is read; the error names every key it looked for. */
import { readByKey } from '../../src/protocols/tabular';

const readers = {
  instances: (v: unknown) => `instances: ${JSON.stringify(v)}`,
  inputs: (v: unknown) => `inputs: ${JSON.stringify(v)}`,
};

it('reads the first key of the list the body has, in the order of the list', () => {
  expect(readByKey({ inputs: 2, instances: 1 }, 'request', readers)).toBe('instances: 1');
  expect(readByKey({ inputs: 2 }, 'request', readers)).toBe('inputs: 2');
});

it('says when the body is no JSON object', () => {
  for (const body of [null, [1], 'text', 3]) {
    expect(readByKey(body, 'response', readers)).toBe('response is not a JSON object');
  }
});

it.each([
  [['a'], 'request has no a'],
  [['a', 'b'], 'request has neither a nor b'],
  [['a', 'b', 'c'], 'request has none of a, b, c'],
])('names the keys it looked for: %j', (keys, message) => {
  const readers = Object.fromEntries(keys.map((k) => [k, () => k]));
  expect(readByKey({ other: 1 }, 'request', readers)).toBe(message);
});
