/**
 * http1.ts's connectionHas (keep-alive / close of every request and response on the raw plane) scans the
 * Connection value in place instead of split / trim / toLowerCase; it must answer exactly as that did.
 */
import { connectionHas } from '../../src/proxy/raw/http1';

function bySplit(value: string, token: string): boolean {
  for (const t of value.split(',')) if (t.trim().toLowerCase() === token) return true;
  return false;
}

describe('connectionHas answers as split, trim and toLowerCase do', () => {
  it.each([
    ['', 'close'],
    ['close', 'close'],
    ['Close', 'close'],
    ['keep-alive', 'close'],
    ['Keep-Alive', 'keep-alive'],
    ['x-hop, close', 'close'],
    ['x-hop,close ', 'close'],
    ['\tclose\t,', 'close'],
    [',,close,,', 'close'],
    ['closed', 'close'],
    ['clos', 'close'],
    ['\u00a0close\u00a0', 'close'],
    ['cl ose', 'close'],
    ['keep-alive, upgrade', 'keep-alive'],
    ['\u00c9close', 'close'],
  ])('%j lists %s as split/trim say', (value, token) => {
    expect(connectionHas(value, token)).toBe(bySplit(value, token));
  });

  it('agrees on random values made of the characters that matter', () => {
    const alphabet = [
      'c',
      'l',
      'o',
      's',
      'e',
      'C',
      'L',
      'O',
      'S',
      'E',
      ',',
      ' ',
      '\t',
      '\u00a0',
      '-',
      'k',
      'p',
      'a',
      'i',
      'v',
    ];
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let run = 0; run < 20_000; run++) {
      let value = '';
      const length = rand(16);
      for (let i = 0; i < length; i++) value += alphabet[rand(alphabet.length)];
      for (const token of ['close', 'keep-alive'])
        expect([value, token, connectionHas(value, token)]).toEqual([value, token, bySplit(value, token)]);
    }
  });
});
