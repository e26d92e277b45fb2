/**
 * The shadow's settings: `--shadow URL` / PLUMBLINE_SHADOW_URL set `shadow.url` for every model, `models.<m>.shadow`
 * overrides it per model (or turns a model's sampling down), and a wrong value names its key.
 */
import { parseConfig, resolveConfig, shadowSettings } from '../../src/config';

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected an error');
}

describe('shadow config', () => {
  it('has no shadow by default, and bounded defaults for when there is one', () => {
    const config = parseConfig({ upstream: 'http://127.0.0.1:8081' });
    expect(config.shadow).toEqual({ sampleRate: 1, maxConcurrent: 64, timeoutMs: 5000 });
    expect(shadowSettings(config, 'iris')).toBeUndefined();
  });

  it('--shadow and PLUMBLINE_SHADOW_URL set shadow.url for every model; the flag wins', () => {
    const fromEnv = resolveConfig(
      { upstream: 'http://127.0.0.1:8081' },
      { PLUMBLINE_SHADOW_URL: 'http://c:1' },
    );
    expect(shadowSettings(fromEnv, 'any')).toEqual({ url: 'http://c:1', sampleRate: 1 });
    const fromFlag = resolveConfig(
      { upstream: 'http://127.0.0.1:8081', shadow: 'http://flag:2' },
      { PLUMBLINE_SHADOW_URL: 'http://c:1' },
    );
    expect(fromFlag.shadow.url).toBe('http://flag:2');
  });

  it('models.<m>.shadow overrides the top-level one for that model (and "*" for unlisted ones)', () => {
    const config = parseConfig({
      upstream: 'http://127.0.0.1:8081',
      shadow: { url: 'http://all:1', sampleRate: 0.5, version: 'all-v' },
      models: {
        iris: { shadow: { url: 'http://iris-challenger:1', sampleRate: 0.1, version: 'iris-v2' } },
        '*': { shadow: { url: 'http://star:1' } },
      },
    });
    expect(shadowSettings(config, 'iris')).toEqual({
      url: 'http://iris-challenger:1',
      sampleRate: 0.1,
      version: 'iris-v2',
    });
    expect(shadowSettings(config, 'other')).toEqual({ url: 'http://star:1', sampleRate: 1 });
  });

  it.each([
    [{ shadow: { url: 'not a url' } }, 'shadow.url'],
    [{ shadow: { url: 'http://c:1', maxConcurrent: 0 } }, 'shadow.maxConcurrent'],
    [{ shadow: { timeoutMs: -1 } }, 'shadow.timeoutMs'],
    [{ models: { iris: { shadow: { url: 'http://c:1', sampleRate: 2 } } } }, 'models.iris.shadow.sampleRate'],
    [{ models: { iris: { shadow: { sampleRate: 1 } } } }, 'models.iris.shadow.url'],
    [{ versionHeader: 'x model version' }, 'versionHeader'],
  ])('%j → a message naming %s', (input, key) => {
    expect(messageOf(() => parseConfig({ upstream: 'http://127.0.0.1:8081', ...input }))).toMatch(
      new RegExp(`^invalid config: ${key.replace(/\./g, '\\.')}: `),
    );
  });
});
