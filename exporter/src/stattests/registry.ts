import { UsageError } from '@plumbline/service-kit';
import { z } from 'zod';
import { chiSquareTest } from './chisquare';
import { jensenShannonTest } from './jensenshannon';
import { ksTest } from './ks';
import { psiTest } from './psi';
import type { FeatureType, StatTestDescriptor, StatTestId } from './types';
import { wassersteinTest } from './wasserstein';

/** Every stat test, keyed by id. Adding a test = one descriptor file + one line here. */
export const STAT_TESTS: ReadonlyMap<StatTestId, StatTestDescriptor> = new Map<
  StatTestId,
  StatTestDescriptor
>([
  ['ks', ksTest],
  ['chisquare', chiSquareTest],
  ['psi', psiTest],
  ['wasserstein', wassersteinTest],
  ['jensenshannon', jensenShannonTest],
]);

/** The registered ids, in registry order. */
export const STAT_TEST_IDS = [...STAT_TESTS.keys()] as [StatTestId, ...StatTestId[]];

function unknownStatTest(id: unknown): string {
  return `unknown stat test "${String(id)}"; known stat tests: ${STAT_TEST_IDS.join(', ')}`;
}

/** A registered stat test id, for config schemas: anything else fails with the list of known ids. */
export const StatTestIdSchema = z.enum(STAT_TEST_IDS, { error: (issue) => unknownStatTest(issue.input) });

/** Error for an id nobody registered: a usage error (exit code 2) listing the known ids. */
export class UnknownStatTestError extends UsageError {
  constructor(readonly id: string) {
    super(unknownStatTest(id));
    this.name = 'UnknownStatTestError';
  }
}

/** The descriptor for an id, or an {@link UnknownStatTestError} that lists the known ids. */
export function getStatTest(id: string): StatTestDescriptor {
  const d = STAT_TESTS.get(id as StatTestId);
  if (!d) throw new UnknownStatTestError(id);
  return d;
}

/** Every registered test that applies to a feature type, in registry order. */
export function statTestsFor(type: FeatureType): StatTestDescriptor[] {
  return [...STAT_TESTS.values()].filter((d) => d.featureKinds.includes(type));
}

/** Above this many values in the smaller sample, auto-selection switches from a p-value test to a distance. */
export const AUTO_P_VALUE_MAX_N = 10000;

/**
 * The test that decides a feature's verdict when none is configured:
 *  - numerical: `ks` while min(n_ref, n_cur) ≤ 10,000, else `wasserstein` (threshold 0.1 σ_ref);
 *  - categorical: `chisquare` while min(n_ref, n_cur) ≤ 10,000, else `jensenshannon` (threshold 0.1).
 * Past ten thousand rows a p-value flags shifts nobody would act on; a distance with a fixed threshold does not
 * grow more sensitive with the sample size (use the effect-size floor to keep p-value tests at large n).
 */
export function autoSelectStatTest(
  type: FeatureType,
  referenceN: number,
  currentN: number,
): StatTestDescriptor {
  const small = Math.min(referenceN, currentN) <= AUTO_P_VALUE_MAX_N;
  if (type === 'numerical') return small ? ksTest : wassersteinTest;
  return small ? chiSquareTest : jensenShannonTest;
}
