/**
 * `npm run bench:label-horizon`: the label horizon store's benchmark alone (label-horizon-bench.ts; also printed by
 * `npm run bench:performance`). Not a test: it prints a table.
 */
import { labelHorizonBench } from './label-horizon-bench';

labelHorizonBench().then(
  (text) => process.stdout.write(text),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack}\n`);
    process.exit(1);
  },
);
