/**
 * A prom-client Histogram whose observations are plain arithmetic: a series is looked up once (`series(...)`), and
 * each observation is then a search of the bucket bounds and three additions. prom-client's own `labels().observe()`
 * re-validates and re-hashes the label set on every call (~0.4 µs here), and the capture thread observes six
 * histograms per request (`npm run bench:sinks`, "→ prom-client").
 *
 * It is still a prom-client Histogram on the same Registry, built from the catalog descriptor, and the text and JSON
 * it exports are prom-client's own, line for line (test/metrics/local-histogram.test.ts compares the two): the
 * series are kept here and handed to the registry in prom-client's export shape when it collects. Observe only
 * through `series()`; the inherited `observe()` / `labels()` would write where nothing is exported.
 *
 * A value that is not a finite number is not observed (a bucket histogram cannot hold it; prom-client would throw,
 * which in capture lost the exchange's events).
 */
import { Histogram, type Registry } from 'prom-client';
import type { MetricDescriptor } from '@plumbline/schema';
import { seriesFor } from './series-lookup';

interface Series {
  /** The label set, one object for the life of the series (prom-client caches its text by identity). */
  readonly labels: Record<string, string>;
  /** Observations per bucket (not cumulative), in the order of the bounds; the last is past every bound. */
  readonly counts: Float64Array;
  sum: number;
  count: number;
}

/** What prom-client's Histogram hands to the registry: one value of its export. */
interface ExportedValue {
  labels: { le?: number | string };
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
  exemplar?: null;
}

export class LocalHistogram extends Histogram<string> {
  private readonly bounds: readonly number[];
  private readonly byKey = new Map<string, Series>();
  private readonly labelNameList: readonly string[];
  private readonly metricName: string;
  private readonly metricHelp: string;

  constructor(registry: Registry, descriptor: MetricDescriptor) {
    if (descriptor.type !== 'histogram') throw new TypeError(`${descriptor.name} is not a histogram`);
    const buckets = [...(descriptor.buckets ?? [])];
    super({
      name: descriptor.name,
      help: descriptor.help,
      labelNames: [...descriptor.labels],
      buckets,
      registers: [registry],
    });
    this.bounds = buckets;
    this.labelNameList = [...descriptor.labels];
    this.metricName = descriptor.name;
    this.metricHelp = descriptor.help;
  }

  /** The observer of one label set (label values in the descriptor's order). */
  series(...values: string[]): (value: number) => void {
    const s = seriesFor(
      this.byKey,
      { name: this.metricName, labelNames: this.labelNameList },
      values,
      (labels) => ({
        labels,
        counts: new Float64Array(this.bounds.length + 1),
        sum: 0,
        count: 0,
      }),
    );
    const bounds = this.bounds;
    const n = bounds.length;
    return (value) => {
      if (!Number.isFinite(value)) return;
      let i = 0;
      while (i < n && value > bounds[i]) i++;
      s.counts[i] += 1;
      s.sum += value;
      s.count += 1;
    };
  }

  /** The registry's view (what prom-client's Histogram returns from the same method): buckets, +Inf, sum, count. */
  async getForPromString(): Promise<{
    name: string;
    help: string;
    type: 'histogram';
    values: ExportedValue[];
    aggregator: string;
  }> {
    const bucket = `${this.metricName}_bucket`;
    const values: ExportedValue[] = [];
    for (const s of this.byKey.values()) {
      if (s.count === 0) continue; // observed since the last reset only, as prom-client
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += s.counts[i];
        values.push({
          labels: { le: this.bounds[i] },
          sharedLabels: s.labels,
          value: cumulative,
          metricName: bucket,
          exemplar: null,
        });
      }
      values.push(
        {
          labels: { le: '+Inf' },
          sharedLabels: s.labels,
          value: s.count,
          metricName: bucket,
          exemplar: null,
        },
        { labels: {}, sharedLabels: s.labels, value: s.sum, metricName: `${this.metricName}_sum` },
        { labels: {}, sharedLabels: s.labels, value: s.count, metricName: `${this.metricName}_count` },
      );
    }
    return Promise.resolve({
      name: this.metricName,
      help: this.metricHelp,
      type: 'histogram',
      values,
      aggregator: 'sum', // prom-client's default, which the catalog's histograms keep
    });
  }

  /** Zeroes every series (observers handed out keep working). */
  override reset(): void {
    super.reset();
    // prom-client's constructor calls reset() before this class's fields exist.
    const byKey = this.byKey as Map<string, Series> | undefined;
    if (byKey === undefined) return;
    for (const s of byKey.values()) {
      s.counts.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}
