/**
 * What a hostile client sends a control HTTP server, as fast-check arbitraries shared by the four suites beside
 * this file (sidecar admin, exporter API, retrain endpoint, alert bridge):
 *
 * - `wellFormedRequest(surface)`: requests undici can send — any method, the server's own paths with odd
 *   parameters and junk percent-encoding, random paths and query strings, headers a client might forge (a right or
 *   wrong bearer token, idempotency keys, Grafana's user headers), bodies that are the route's own shape, any JSON,
 *   garbage bytes, a chunked stream, or a filler of up to a few MiB.
 * - `rawExchange(surface)`: byte streams only a raw socket sends — request lines and headers that are not HTTP,
 *   absurd or conflicting Content-Length, chunked bodies with bad sizes, a body that stops half-way (the socket is
 *   then destroyed), slow uploads dribbled a few bytes at a time, pipelined requests.
 *
 * Pure: nothing here opens a socket (attack.ts does).
 */
import fc from 'fast-check';

/** A route as the server declares it: `:name` segments are parameters. */
export interface SurfaceRoute {
  method: string;
  path: string;
}

/** What the generators need to know about a server. */
export interface Surface {
  /** `'POST /feedback'`, `'GET /api/models/:model/drift'`, … */
  routes: readonly `${string} /${string}`[];
  /** Bodies the POST routes take (valid or nearly so), to get past the JSON parser into the route. */
  bodies: fc.Arbitrary<unknown>;
  /** A header that authenticates (the retrain token), sent in some of the requests. */
  credential?: { name: string; value: string };
  /** The server's body limit: fillers are generated around it. */
  maxBodyBytes: number;
}

export interface WellFormedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: RequestBody;
}

/** A body as sent: bytes with a content-length, or chunks without one (chunked transfer). */
export type RequestBody = { kind: 'sized'; bytes: Buffer } | { kind: 'chunked'; chunks: Buffer[] };

/** What the raw client does with the socket once it wrote `pieces`. */
export type RawEnding =
  /** Half-closes and reads until the server closes: an answer (or a close) must come. */
  | 'await-answer'
  /** Destroys the socket: the server must cope with the request vanishing mid-way. */
  | 'destroy';

export interface RawExchange {
  /** Written in order, `pauseMs` apart (a slow client dribbles many small pieces). */
  pieces: Buffer[];
  pauseMs: number;
  ending: RawEnding;
  /** What the case is, for the failure message. */
  label: string;
}

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
const MiB = 1024 * 1024;

/** Printable ASCII (what undici lets through in a header value or, percent-encoded, in a path). */
const printable = (maxLength: number) => fc.string({ unit: 'grapheme-ascii', maxLength });

/** Percent-encoding that does not decode: a lone `%`, a truncated or non-UTF-8 sequence, an encoded NUL. */
const brokenPercent = fc.constantFrom(
  '%',
  '%E0%A4%A',
  '%zz',
  '%C3%28',
  '%ED%A0%80',
  '%00',
  '%2F..%2F',
  '%FF',
);

/** One path segment: an ordinary word, anything percent-encoded, broken encoding, dots, or a very long run. */
const segment: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.stringMatching(/^[a-z0-9_-]{1,12}$/) },
  { weight: 3, arbitrary: fc.string({ unit: 'binary', maxLength: 30 }).map(encodeURIComponent) },
  { weight: 2, arbitrary: brokenPercent },
  { weight: 1, arbitrary: fc.constantFrom('.', '..', '', ';', '~', '*', '%20', '+') },
  { weight: 1, arbitrary: fc.integer({ min: 200, max: 4000 }).map((n) => 'x'.repeat(n)) },
);

function parsedRoutes(surface: Surface): SurfaceRoute[] {
  return surface.routes.map((r) => {
    const [method, path] = r.split(' ');
    return { method, path };
  });
}

function fillParams(path: string, params: readonly string[]): string {
  let i = 0;
  return path.replace(/:[^/]+/g, () => params[i++ % params.length]);
}

const query: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constant('') },
  {
    weight: 2,
    arbitrary: fc
      .array(fc.tuple(fc.constantFrom('model', 'limit', 'feature', 'x', ''), segment), { maxLength: 4 })
      .map((pairs) => `?${pairs.map(([k, v]) => `${k}=${v}`).join('&')}`),
  },
  { weight: 1, arbitrary: fc.constantFrom('?', '??', '?&&=', '?limit=-1', '?limit=1e309', '?model=%') },
);

/** A path the server has (its parameters odd), one near it, or one it never heard of. */
function path(surface: Surface): fc.Arbitrary<string> {
  const known = fc
    .tuple(
      fc.constantFrom(...parsedRoutes(surface).map((r) => r.path)),
      fc.array(segment, { minLength: 1, maxLength: 3 }),
    )
    .map(([p, params]) => fillParams(p, params));
  const near = fc
    .tuple(known, fc.constantFrom('/', '//', '/..', '/x', '%2F', '.json', '/%'))
    .map(([p, tail]) => p + tail);
  const random = fc.array(segment, { maxLength: 6 }).map((parts) => `/${parts.join('/')}`);
  return fc
    .tuple(
      fc.oneof(
        { weight: 5, arbitrary: known },
        { weight: 2, arbitrary: near },
        { weight: 3, arbitrary: random },
      ),
      query,
    )
    .map(([p, q]) => p + q);
}

function headers(surface: Surface): fc.Arbitrary<Record<string, string>> {
  // Where the server takes a credential, half the requests carry it, so that they get past the 401 into the routes.
  const authorization = fc.oneof(
    fc.constantFrom('Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'bearer x', 'Bearer \t'),
    printable(80).map((t) => `Bearer ${t}`),
    fc.integer({ min: 1000, max: 20_000 }).map((n) => `Bearer ${'t'.repeat(n)}`),
    ...(surface.credential ? [{ weight: 3, arbitrary: fc.constant(surface.credential.value) }] : []),
  );
  const optional = {
    'content-type': fc.constantFrom(
      'application/json',
      'application/json; charset=utf-16',
      'text/plain',
      'multipart/form-data; boundary=x',
      'application/x-www-form-urlencoded',
      '',
    ),
    authorization,
    'idempotency-key': printable(300),
    'x-grafana-user': printable(300),
    'x-grafana-context': fc.oneof(
      printable(200),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v) ?? 'null'),
    ),
    accept: fc.constantFrom('*/*', 'application/json', 'text/html', ''),
    'x-request-id': printable(100),
  };
  const required: (keyof typeof optional)[] = surface.credential ? ['authorization'] : [];
  return fc.record(optional, { requiredKeys: required }).map((h) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k] = v;
    return out;
  });
}

/** `size` bytes: a JSON string value padded to size, or one repeated byte. */
function filler(size: number, json: boolean): Buffer {
  if (!json || size < 10) return Buffer.alloc(size, 0x7b);
  const body = Buffer.alloc(size, 0x61);
  body.write('{"a":"', 0, 'latin1');
  body.write('"}', size - 2, 'latin1');
  return body;
}

function body(surface: Surface): fc.Arbitrary<RequestBody> {
  const text = (s: string): RequestBody => ({ kind: 'sized', bytes: Buffer.from(s, 'utf8') });
  const limit = surface.maxBodyBytes;
  return fc.oneof(
    { weight: 6, arbitrary: surface.bodies.map((v) => text(JSON.stringify(v) ?? 'null')) },
    { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 4 }).map((v) => text(JSON.stringify(v) ?? 'null')) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }).map(text) },
    {
      weight: 2,
      arbitrary: fc
        .uint8Array({ maxLength: 2000 })
        .map((b): RequestBody => ({ kind: 'sized', bytes: Buffer.from(b) })),
    },
    {
      weight: 1,
      arbitrary: fc
        .array(
          surface.bodies.map((v) => JSON.stringify(v) ?? 'null'),
          { minLength: 1, maxLength: 3 },
        )
        .chain((docs) => {
          const whole = Buffer.from(docs.length === 1 ? docs[0] : `[${docs.join(',')}]`);
          return fc
            .array(fc.integer({ min: 0, max: whole.length }), { maxLength: 4 })
            .map((cuts): RequestBody => {
              const at = [0, ...[...new Set(cuts)].sort((a, b) => a - b), whole.length];
              const chunks = at.slice(1).map((end, i) => whole.subarray(at[i], end));
              return { kind: 'chunked', chunks: chunks.filter((c) => c.length > 0) };
            });
        }),
    },
    {
      // Around the limit (just under, at, just over) and far over it, up to a few MiB.
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.integer({ min: limit - 64, max: limit + 64 }),
            fc.integer({ min: limit, max: Math.max(limit * 2, 3 * MiB) }),
          ),
          fc.boolean(),
          fc.boolean(),
        )
        .map(([size, json, chunked]): RequestBody => {
          const bytes = filler(Math.max(0, size), json);
          if (!chunked) return { kind: 'sized', bytes };
          const chunks: Buffer[] = [];
          for (let at = 0; at < bytes.length; at += 256 * 1024)
            chunks.push(bytes.subarray(at, at + 256 * 1024));
          return { kind: 'chunked', chunks };
        }),
    },
  );
}

/**
 * A request undici can send: any method, path, headers and body (GET and HEAD without a body). A third are aimed
 * at a route with its own method and a body of its shape, so that the run gets past routing into the routes.
 */
export function wellFormedRequest(surface: Surface): fc.Arbitrary<WellFormedRequest> {
  const method = fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(...parsedRoutes(surface).map((r) => r.method)) },
    { weight: 2, arbitrary: fc.constantFrom(...METHODS) },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Z]{1,12}$/) },
  );
  const anything = fc.record({
    method,
    path: path(surface),
    headers: headers(surface),
    body: fc.option(body(surface), { freq: 3 }),
  });
  const aimed = fc
    .record({
      route: fc.constantFrom(...parsedRoutes(surface)),
      params: fc.array(fc.oneof(fc.constantFrom('iris', 'churn'), segment), { minLength: 1, maxLength: 3 }),
      query,
      headers: headers(surface),
      body: surface.bodies.map((v): RequestBody => ({
        kind: 'sized',
        bytes: Buffer.from(JSON.stringify(v) ?? 'null'),
      })),
    })
    .map(({ route, params, query: q, headers: h, body: b }) => ({
      method: route.method,
      path: fillParams(route.path, params) + q,
      headers: h,
      body: b,
    }));
  return fc
    .oneof({ weight: 2, arbitrary: anything }, { weight: 1, arbitrary: aimed })
    .map(({ method, path, headers, body }) => ({
      method,
      path,
      headers,
      body: body === null || method === 'GET' || method === 'HEAD' ? undefined : body,
    }));
}

const CRLF = '\r\n';
const latin1 = (s: string) => Buffer.from(s, 'latin1');

/** A request head: request line, `host`, `connection: close`, extra header lines, blank line. */
/** The credential header as a raw header line, when the server takes one. */
function credentialLines(surface: Surface): string[] {
  return surface.credential ? [`${surface.credential.name}: ${surface.credential.value}`] : [];
}

function head(requestLine: string, extra: readonly string[]): string {
  return [requestLine, 'host: 127.0.0.1', 'connection: close', ...extra, '', ''].join(CRLF);
}

function rawRoute(surface: Surface): fc.Arbitrary<SurfaceRoute> {
  return fc
    .tuple(fc.constantFrom(...parsedRoutes(surface)), fc.array(segment, { minLength: 1, maxLength: 2 }))
    .map(([r, params]) => ({ method: r.method, path: fillParams(r.path, params) }));
}

const postRoute = (surface: Surface) => {
  const routes = parsedRoutes(surface);
  const posts = routes.filter((r) => r.method === 'POST');
  return fc.constantFrom(...(posts.length > 0 ? posts : routes)).map((r) => fillParams(r.path, ['x']));
};

/** Bytes only a raw socket sends; see the file comment. */
export function rawExchange(surface: Surface): fc.Arbitrary<RawExchange> {
  const answer = (label: string, ...pieces: (string | Buffer)[]): RawExchange => ({
    label,
    pieces: pieces.map((p) => (typeof p === 'string' ? latin1(p) : p)),
    pauseMs: 0,
    ending: 'await-answer',
  });

  const garbage = fc
    .uint8Array({ minLength: 1, maxLength: 400 })
    .map((b) => answer('garbage bytes', Buffer.concat([Buffer.from(b), latin1(CRLF + CRLF)])));

  const badRequestLine = fc
    .tuple(
      fc.constantFrom('GET', 'get', 'G ET', '', 'POST', '\u00ff\u00fe', 'CONNECT', 'PRI', 'TRACE'),
      fc.oneof(
        rawRoute(surface).map((r) => r.path),
        fc.constantFrom(
          '*',
          '',
          'http://127.0.0.1/healthz',
          '//',
          '/\u0000',
          '/ /',
          '/%zz',
          'example.com:443',
        ),
        fc.integer({ min: 9_000, max: 40_000 }).map((n) => `/${'a'.repeat(n)}`),
      ),
      fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/9.9', 'HTTX/1.1', '', 'HTTP/1.1 extra'),
    )
    .map(([m, target, version]) => answer('bad request line', head(`${m} ${target} ${version}`, [])));

  const badHeaders = fc
    .tuple(
      rawRoute(surface),
      fc.array(
        fc.oneof(
          fc.constantFrom(
            'bad name: x',
            ': no name',
            'x-nul: a\u0000b',
            'x-ctl: \u0007',
            'x-fold: a\r\n folded',
            'no-colon',
            'x-bare-lf: a\nx-next: b',
            'content-type: application/json\u0000',
            'transfer-encoding: gzip, chunked, identity',
            'host: second-host',
          ),
          fc.integer({ min: 17_000, max: 40_000 }).map((n) => `x-huge: ${'h'.repeat(n)}`),
          fc
            .integer({ min: 100, max: 3000 })
            .map((n) => Array.from({ length: n }, (_, i) => `x-many-${i}: ${i}`).join(CRLF)),
          fc
            .uint8Array({ minLength: 1, maxLength: 60 })
            .map((b) => `x-bytes: ${Buffer.from(b).toString('latin1')}`),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([r, lines]) => answer('invalid header bytes', head(`${r.method} ${r.path} HTTP/1.1`, lines)));

  const absurdLength = fc
    .tuple(
      postRoute(surface),
      fc.constantFrom(
        ['content-length: 99999999999999999999'],
        ['content-length: 18446744073709551616'],
        ['content-length: 9007199254740993'],
        [`content-length: ${70 * 1024 * 1024}`],
        ['content-length: -1'],
        ['content-length: 1e3'],
        ['content-length: 0x10'],
        ['content-length: 5, 6'],
        ['content-length: 5', 'content-length: 6'],
        ['content-length: 4', 'transfer-encoding: chunked'],
        ['content-length: abc'],
        ['content-length:'],
      ),
      fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
    )
    // With the server's credential, so that the length (not the missing token) is what the server answers.
    .map(([p, lines, rest]) =>
      answer(
        'absurd content-length',
        head(`POST ${p} HTTP/1.1`, [...credentialLines(surface), ...lines]) + rest,
      ),
    );

  const badChunks = fc
    .tuple(
      postRoute(surface),
      fc.constantFrom(
        `zz${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
        `ffffffffffffffffff${CRLF}abc`,
        `-1${CRLF}abc${CRLF}`,
        `5${CRLF}ab${CRLF}0${CRLF}${CRLF}`,
        `3;${'e'.repeat(20_000)}${CRLF}abc${CRLF}0${CRLF}${CRLF}`,
        `3${CRLF}abc0${CRLF}${CRLF}`,
        `2${CRLF}{}${CRLF}0${CRLF}x-trailer: 1${CRLF}${CRLF}`,
        `0x2${CRLF}{}${CRLF}0${CRLF}${CRLF}`,
        `${CRLF}${CRLF}`,
      ),
    )
    .map(([p, chunks]) =>
      answer(
        'chunked body with bad sizes',
        head(`POST ${p} HTTP/1.1`, ['transfer-encoding: chunked']) + chunks,
      ),
    );

  const cutShort = fc
    .tuple(
      postRoute(surface),
      fc.integer({ min: 2, max: 4 * MiB }),
      fc.double({ min: 0, max: 0.99, noNaN: true }),
      fc.boolean(),
    )
    .map(([p, declared, fraction, chunked]): RawExchange => {
      const sent = Math.floor(declared * fraction);
      const framing = chunked ? 'transfer-encoding: chunked' : `content-length: ${declared}`;
      const start = chunked ? latin1(`${declared.toString(16)}${CRLF}`) : Buffer.alloc(0);
      return {
        label: `body cut at ${sent} of ${declared} bytes${chunked ? ' (chunked)' : ''}, socket destroyed`,
        pieces: [
          latin1(head(`POST ${p} HTTP/1.1`, [framing, 'content-type: application/json'])),
          start,
          filler(sent, true),
        ],
        pauseMs: 0,
        ending: 'destroy',
      };
    });

  const slow = fc
    .tuple(
      fc.oneof(
        rawRoute(surface).map((r) => ({ ...r, body: '' })),
        fc.tuple(postRoute(surface), surface.bodies).map(([p, v]) => ({
          method: 'POST',
          path: p,
          body: JSON.stringify(v) ?? 'null',
        })),
      ),
      fc.integer({ min: 1, max: 7 }),
      fc.integer({ min: 2, max: 25 }),
      fc.boolean(),
    )
    .map(([r, pieceBytes, pauseMs, destroy]): RawExchange => {
      const bodyBytes = Buffer.from(r.body, 'utf8');
      const bytes = Buffer.concat([
        latin1(head(`${r.method} ${r.path} HTTP/1.1`, [`content-length: ${bodyBytes.length}`])),
        bodyBytes,
      ]);
      // At most ~40 pieces, so a slow case stays under a second.
      const size = Math.max(pieceBytes, Math.ceil(bytes.length / 40));
      const pieces: Buffer[] = [];
      for (let at = 0; at < bytes.length; at += size) pieces.push(bytes.subarray(at, at + size));
      return {
        label: `slow upload in ${pieces.length} pieces ${pauseMs} ms apart${destroy ? ', destroyed half-way' : ''}`,
        pieces: destroy ? pieces.slice(0, Math.ceil(pieces.length / 2)) : pieces,
        pauseMs,
        ending: destroy ? 'destroy' : 'await-answer',
      };
    });

  const pipelined = fc
    .array(rawRoute(surface), { minLength: 2, maxLength: 5 })
    .map((rs) =>
      answer(
        'pipelined requests',
        rs
          .map((r, i) =>
            [
              `${r.method} ${r.path} HTTP/1.1`,
              'host: x',
              ...(i === rs.length - 1 ? ['connection: close'] : []),
              'content-length: 0',
              '',
              '',
            ].join(CRLF),
          )
          .join(''),
      ),
    );

  return fc.oneof(garbage, badRequestLine, badHeaders, absurdLength, badChunks, cutShort, slow, pipelined);
}
