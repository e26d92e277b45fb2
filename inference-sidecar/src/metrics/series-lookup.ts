/**
 * The label-set lookup LocalCounter and LocalHistogram share: the series of one set of label values (in the
 * descriptor's order), made once by `make` and kept by key, so a caller looks it up once and then only does
 * arithmetic. The label object is made once per series (prom-client caches its text by identity).
 */
export function seriesFor<S>(
  byKey: Map<string, S>,
  metric: { readonly name: string; readonly labelNames: readonly string[] },
  values: readonly string[],
  make: (labels: Record<string, string>) => S,
): S {
  if (values.length !== metric.labelNames.length) {
    throw new TypeError(
      `${metric.name}: ${metric.labelNames.length} label values expected, got ${values.length}`,
    );
  }
  const key = values.join('\u0000');
  let series = byKey.get(key);
  if (series === undefined) {
    const labels: Record<string, string> = {};
    metric.labelNames.forEach((name, i) => (labels[name] = values[i]));
    series = make(labels);
    byKey.set(key, series);
  }
  return series;
}
