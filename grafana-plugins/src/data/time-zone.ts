/** Dates in the dashboard's time zone, the way the panels print them. */

/**
 * Grafana's time zone setting as an Intl time zone: `browser` → the browser's own (undefined), `utc` or unset →
 * UTC, anything else → that IANA name.
 */
export function intlTimeZone(timeZone?: string): string | undefined {
  if (timeZone === 'browser') {
    return undefined;
  }
  return timeZone && timeZone !== 'utc' ? timeZone : 'UTC';
}

/**
 * `iso` in the dashboard's time zone with the given Intl fields, 24-hour, in en-CA order ("2026-11-23 10:05");
 * the text as given when it is not a date, and the ISO form when the zone is unknown to Intl.
 */
export function formatInTimeZone(
  iso: string,
  timeZone: string | undefined,
  fields: Intl.DateTimeFormatOptions
): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) {
    return iso;
  }
  try {
    return new Intl.DateTimeFormat('en-CA', { ...fields, hour12: false, timeZone: intlTimeZone(timeZone) })
      .format(d)
      .replace(',', '');
  } catch {
    return d.toISOString();
  }
}
