/**
 * Every error code of the exporter, in one place (docs/errors.md has a row per code with its meaning and fix; a
 * test keeps the two in step and fails when exporter/src uses an `EXPORTER_ERR_*` literal that is not listed here).
 *
 * `http`: the status the code is answered with on /api (or /api/retrain); `exit`: the exit code of `plumbline
 * exporter` when it stops with it; neither: logged and counted, the loop goes on.
 */
export const EXPORTER_ERRORS = {
  /** A flag, PLUMBLINE_* variable or config-file key is invalid; the message names the key and its origin. */
  EXPORTER_ERR_CONFIG: { exit: 2, message: 'invalid configuration' },
  /** Elasticsearch, Kafka or the spool could not be reached or read (exit 1 at start; stage="source" later). */
  EXPORTER_ERR_SOURCE_UNAVAILABLE: { exit: 1, message: 'the event source is unavailable' },
  /** The source answered, but the window query failed (mapping conflict, closed index). */
  EXPORTER_ERR_SOURCE_QUERY: { message: 'the window query failed' },
  /** An event failed the schema, or a Kafka message was not JSON; skipped and counted. */
  EXPORTER_ERR_INVALID_EVENT: { message: 'invalid event skipped' },
  /** A serialised window bucket (checkpoint, or another instance's state) of another format version or bucket schema. */
  EXPORTER_ERR_BUCKET_STATE: { message: 'bucket state refused' },
  /** The window checkpoint (`checkpoint.dir`) cannot be read: not JSON, another format, a bucket file missing. */
  EXPORTER_ERR_CHECKPOINT: { exit: 1, message: 'the window checkpoint cannot be loaded' },
  /** `--capture-baseline` found too few events in --from..--to, or the range is empty. */
  EXPORTER_ERR_BASELINE_CAPTURE: { exit: 2, message: 'cannot capture a baseline from this range' },
  /** No such route, model not configured, or not evaluated yet. */
  EXPORTER_ERR_NOT_FOUND: { http: 404, message: 'not found' },
  /** A path that is not valid percent-encoding (`/api/models/%E0/drift`). */
  EXPORTER_ERR_BAD_REQUEST: { http: 400, message: 'bad request' },
  /** A write on /api (or, with requireTokenForReads, a read) without the API token as a bearer token. */
  EXPORTER_ERR_UNAUTHORIZED: { http: 401, message: 'unauthorized' },
  /** /metrics and /api/* are read-only. */
  EXPORTER_ERR_METHOD: { http: 405, message: 'method not allowed' },
  /** A bug while answering a request; the exporter kept running. */
  EXPORTER_ERR_INTERNAL: { http: 500, message: 'internal exporter error' },
  /** The `retrain:` section is invalid (a key, or the token missing or shorter than 16 characters). */
  EXPORTER_ERR_RETRAIN_CONFIG: { exit: 2, message: 'invalid retrain configuration' },
  /** POST /api/retrain without model or reason, not JSON, or a body over 16 KiB (413). */
  EXPORTER_ERR_RETRAIN_BAD_REQUEST: { http: 400, message: 'bad retrain request' },
  /** The retrain routes without the shared bearer token. */
  EXPORTER_ERR_RETRAIN_UNAUTHORIZED: { http: 401, message: 'unauthorized' },
  /** A model not in `retrain.models`. */
  EXPORTER_ERR_RETRAIN_UNKNOWN_MODEL: { http: 404, message: 'model may not be retrained' },
  /** The review queue on a source that cannot serve it: Kafka alone (no lookup by request id, no newest first). */
  EXPORTER_ERR_REVIEW_UNSUPPORTED: {
    http: 501,
    message: 'the review queue needs Elasticsearch or the spool store',
  },
  /** A review could not be handed to the sidecar (review.feedbackUrl unset: 503; refused: 502; timeout: 504). */
  EXPORTER_ERR_REVIEW_WRITE: { http: 502, message: 'the review could not be written' },
  /** A method the retrain routes do not answer. */
  EXPORTER_ERR_RETRAIN_METHOD: { http: 405, message: 'method not allowed' },
  /** A bug in the retrain endpoint; the exporter kept running. */
  EXPORTER_ERR_RETRAIN_INTERNAL: { http: 500, message: 'internal retrain error' },
} as const satisfies Record<string, { http?: number; exit?: 1 | 2; message: string }>;

export type ExporterErrorCode = keyof typeof EXPORTER_ERRORS;
