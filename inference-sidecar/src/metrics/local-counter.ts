/**
 * A prom-client Counter whose increments are plain arithmetic: a series is looked up once (`series(...)`), and each
 * increment is then one addition. prom-client's own `labels().inc()` hashes and validates the label set on every
 * call, and the capture thread increments three counters per request (`npm run bench:sinks`, "→ prom-client").
 *
 * As LocalHistogram (local-histogram.ts): still a prom-client Counter on the same Registry, built from the catalog
 * descriptor, and what it exports is prom-client's own export shape, series in the order they were first
 * incremented (test/metrics/local-counter.test.ts compares the two). Increment only through `series()`; the
 * inherited `inc()` / `labels()` would write where nothing is exported. So a counter another part of the sidecar
 * increments too (`dropped`, shared with the pipeline) stays a plain prom-client Counter.
 */
import { Counter, type Registry } from 'prom-client';
import type { MetricDescriptor } from '@plumbline/schema';
import { seriesFor } from './series-lookup';

interface Series {
  /** The label set, one object for the life of the series. */
  readonly labels: Record<string, string>;
  value: number;
  /** Incremented since the last reset (prom-client exports a series from its first increment on, even by 0). */
  touched: boolean;
}

export class LocalCounter extends Counter<string> {
  private readonly byKey = new Map<string, Series>();
  /** Series in the order of their first increment since the last reset: prom-client's export order. */
  private exported: Series[] = [];
  private readonly labelNameList: readonly string[];
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(registry: Registry, descriptor: MetricDescriptor) {
    if (descriptor.type !== 'counter') throw new TypeError(`${descriptor.name} is not a counter`);
    super({
      name: descriptor.name,
      help: descriptor.help,
      labelNames: [...descriptor.labels],
      registers: [registry],
    });
    this.labelNameList = [...descriptor.labels];
    this.metricName = descriptor.name;
    this.metricHelp = descriptor.help;
  }

  /** The incrementer of one label set (label values in the descriptor's order); `by` defaults to 1. */
  series(...values: string[]): (by?: number) => void {
    const s = seriesFor(
      this.byKey,
      { name: this.metricName, labelNames: this.labelNameList },
      values,
      (labels) => ({ labels, value: 0, touched: false }),
    );
    const name = this.metricName;
    return (by = 1) => {
      // As prom-client: a counter only goes up, by a finite number.
      if (!Number.isFinite(by)) throw new TypeError(`${name}: value is not a valid number: ${by}`);
      if (by < 0) throw new Error(`${name}: it is not possible to decrease a counter`);
      s.value += by;
      if (!s.touched) {
        s.touched = true;
        this.exported.push(s);
      }
    };
  }

  /** The registry's view (what prom-client's Counter returns from the same method, which has no `collect`). */
  override async get(): ReturnType<Counter<string>['get']> {
    const exported = {
      help: this.metricHelp,
      name: this.metricName,
      type: 'counter',
      values: this.exported.map((s) => ({ value: s.value, labels: s.labels })),
      aggregator: 'sum', // prom-client's default, which the catalog's counters keep
    };
    return Promise.resolve(exported as unknown as Awaited<ReturnType<Counter<string>['get']>>);
  }

  /** Zeroes every series (incrementers handed out keep working). */
  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    const byKey = this.byKey as Map<string, Series> | undefined;
    if (byKey === undefined) return;
    for (const s of byKey.values()) {
      s.value = 0;
      s.touched = false;
    }
    this.exported = [];
  }
}
