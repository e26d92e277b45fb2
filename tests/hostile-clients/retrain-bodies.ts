// Bodies of POST /api/retrain (exporter/src/retrain): the exporter-API and retrain-endpoint suites both send them.
import fc from 'fast-check';

/** `{ model, reason, idempotencyKey?, requestedBy? }`, its fields often valid, sometimes of any type. */
export const retrainRequest = fc.record(
  {
    model: fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom('iris', 'churn', 'fraud') },
      { weight: 2, arbitrary: fc.string({ maxLength: 220 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    ),
    reason: fc.oneof(
      { weight: 4, arbitrary: fc.string({ minLength: 3, maxLength: 100 }) },
      { weight: 1, arbitrary: fc.integer({ min: 1000, max: 20_000 }).map((n) => 'r'.repeat(n)) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 1 }) },
    ),
    idempotencyKey: fc.string({ maxLength: 300 }),
    requestedBy: fc.oneof(fc.string({ maxLength: 300 }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);
