import { formatInTimeZone, intlTimeZone } from './time-zone';

describe('dates in the dashboard time zone', () => {
  it("maps Grafana's setting to an Intl time zone", () => {
    expect(intlTimeZone('browser')).toBeUndefined();
    expect(intlTimeZone('utc')).toBe('UTC');
    expect(intlTimeZone(undefined)).toBe('UTC');
    expect(intlTimeZone('')).toBe('UTC');
    expect(intlTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
  });

  it('formats in that zone with the fields asked for, 24-hour', () => {
    const fields = { month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' } as const;
    expect(formatInTimeZone('2026-11-23T22:05:00.000Z', 'utc', fields)).toBe('11-23 22:05');
    expect(formatInTimeZone('2026-11-23T22:05:00.000Z', 'Asia/Tokyo', fields)).toBe('11-24 07:05');
  });

  it('gives the text back when it is not a date, and the ISO form when Intl does not know the zone', () => {
    expect(formatInTimeZone('not a date', 'utc', { hour: '2-digit' })).toBe('not a date');
    expect(formatInTimeZone('2026-11-23T22:05:00.000Z', 'Mars/Olympus', { hour: '2-digit' })).toBe(
      '2026-11-23T22:05:00.000Z'
    );
  });
});
