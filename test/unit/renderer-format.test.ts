import { describe, expect, it } from 'vitest';
import {
  formatAccuracy,
  formatBytes,
  formatDuration,
  formatEta,
  formatMillions,
  formatNumber,
  formatPercent,
  formatPoints,
  formatSeconds,
  formatTimestamp,
  formatValue,
  jobDuration,
  millions,
} from '../../renderer/src/lib/format.js';

describe('formatEta', () => {
  it.each([undefined, null, Number.NaN, Infinity, -3])(
    'is empty when the estimate is unknown or meaningless: %s',
    (s) => expect(formatEta(s)).toBe(''),
  );
  it('reads naturally from seconds to hours', () => {
    expect(formatEta(0.2)).toBe('< 1 s');
    expect(formatEta(5)).toBe('5 s');
    expect(formatEta(59.6)).toBe('1 min');
    expect(formatEta(75)).toBe('1 min 15 s');
    expect(formatEta(120)).toBe('2 min');
    expect(formatEta(3600)).toBe('1 h');
    expect(formatEta(3725)).toBe('1 h 02 min');
  });
});

describe('formatDuration and jobDuration', () => {
  it('formats milliseconds', () => {
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_400)).toBe('12.4 s');
    expect(formatDuration(182_000)).toBe('3 min 02 s');
    expect(formatDuration(3_840_000)).toBe('1 h 04 min');
    expect(formatDuration(null)).toBe('—');
  });
  it('uses now for running jobs and a dash for jobs that never started', () => {
    expect(jobDuration({ startedAt: null, endedAt: null }, 10_000)).toBe('—');
    expect(jobDuration({ startedAt: 1000, endedAt: null }, 6000)).toBe('5.0 s');
    expect(jobDuration({ startedAt: 1000, endedAt: 2500 }, 99_999)).toBe('1.5 s');
  });
});

describe('formatPercent', () => {
  it('clamps and rounds down', () => {
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(0.999)).toBe('99 %');
    expect(formatPercent(1)).toBe('100 %');
    expect(formatPercent(1.5)).toBe('100 %');
    expect(formatPercent(-1)).toBe('0 %');
    expect(formatPercent(undefined)).toBe('');
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(16 * 1024 ** 3)).toBe('16.0 GiB');
    expect(formatBytes(128 * 1024 ** 3)).toBe('128 GiB');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('formatTimestamp', () => {
  it('shows only the time for today and the date otherwise', () => {
    const now = new Date(2025, 4, 17, 15, 30, 0).getTime();
    expect(formatTimestamp(new Date(2025, 4, 17, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatTimestamp(new Date(2025, 4, 16, 23, 59, 0).getTime(), now)).toBe('2025-05-16 23:59');
    expect(formatTimestamp(null, now)).toBe('—');
  });
});

describe('formatNumber and formatValue', () => {
  it('keeps metrics readable', () => {
    expect(formatNumber(2.302585)).toBe('2.3');
    expect(formatNumber(0.41234, 3)).toBe('0.412');
    expect(formatNumber(12345.6)).toBe('12,346');
    expect(formatNumber(0.00001234)).toBe('1.23e-5');
    expect(formatNumber(7)).toBe('7');
    expect(formatNumber(Number.NaN)).toBe('—');
  });
  it('renders parameters of any shape', () => {
    expect(formatValue('wasm')).toBe('wasm');
    expect(formatValue(30)).toBe('30');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(null)).toBe('—');
    expect(formatValue({ a: [1, 2] })).toBe('{"a":[1,2]}');
  });
});

describe('accuracies, counts in millions and seconds', () => {
  it('shows an accuracy in percent with one decimal, a dash when unknown', () => {
    expect(formatAccuracy(0.8754)).toBe('87.5 %');
    expect(formatAccuracy(Number.NaN)).toBe('—');
  });

  it.each([null, undefined, Number.NaN, Infinity])('shows an unknown count as a dash: %s', (n) => {
    expect(formatMillions(n)).toBe('—');
    expect(millions(n)).toBe('—');
  });

  it('formats millions with 3 significant digits', () => {
    expect(formatMillions(3_349_342)).toBe('3.35 M');
    expect(formatMillions(12_345)).toBe('0.0123 M');
    expect(formatMillions(271_000)).toBe('0.271 M');
    expect(formatMillions(574_000_000)).toBe('574 M');
    expect(formatMillions(1_234_567_890)).toBe('1230 M');
    expect(formatMillions(0)).toBe('0 M');
    expect(millions(3_349_342)).toBe('3.35');
    expect(millions(0)).toBe('0');
  });

  it('formats seconds and percentage points', () => {
    expect(formatSeconds(12.44)).toBe('12.4 s');
    expect(formatSeconds(122)).toBe('2 min 02 s');
    expect(formatSeconds(null)).toBe('—');
    expect(formatPoints(0.0421)).toBe('4.2 pp');
    expect(formatPoints(null)).toBe('—');
  });
});
