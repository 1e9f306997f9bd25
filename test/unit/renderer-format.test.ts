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
  formatTrainingSpeed,
  formatValue,
  jobDuration,
  millions,
} from '../../renderer/src/lib/format.js';
import { expectOutputs } from '../helpers/table.js';

describe('formatEta', () => {
  it.each([undefined, null, Number.NaN, Infinity, -3])(
    'is empty when the estimate is unknown or meaningless: %s',
    (s) => expect(formatEta(s)).toBe(''),
  );
  it('reads naturally from seconds to hours', () => {
    expectOutputs(formatEta, [
      [0.2, '< 1 s'],
      [5, '5 s'],
      [59.6, '1 min'],
      [75, '1 min 15 s'],
      [120, '2 min'],
      [3600, '1 h'],
      [3725, '1 h 02 min'],
    ]);
  });
});

describe('formatDuration and jobDuration', () => {
  it('formats milliseconds', () => {
    expectOutputs(formatDuration, [
      [850, '850 ms'],
      [12_400, '12.4 s'],
      [182_000, '3 min 02 s'],
      [3_840_000, '1 h 04 min'],
      [null, '—'],
    ]);
  });
  it('uses now for running jobs and a dash for jobs that never started', () => {
    expect(jobDuration({ startedAt: null, endedAt: null }, 10_000)).toBe('—');
    expect(jobDuration({ startedAt: 1000, endedAt: null }, 6000)).toBe('5.0 s');
    expect(jobDuration({ startedAt: 1000, endedAt: 2500 }, 99_999)).toBe('1.5 s');
  });
});

describe('formatPercent', () => {
  it('clamps and rounds down', () => {
    expectOutputs(formatPercent, [
      [0, '0 %'],
      [0.999, '99 %'],
      [1, '100 %'],
      [1.5, '100 %'],
      [-1, '0 %'],
      [undefined, ''],
    ]);
  });
});

describe('formatBytes', () => {
  it('uses binary units', () => {
    expectOutputs(formatBytes, [
      [512, '512 B'],
      [1536, '1.5 KiB'],
      [16 * 1024 ** 3, '16.0 GiB'],
      [128 * 1024 ** 3, '128 GiB'],
      [-1, '—'],
    ]);
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
    expectOutputs(formatNumber, [
      [12345.6, '12,346'],
      [0.00001234, '1.23e-5'],
      [7, '7'],
      [Number.NaN, '—'],
    ]);
  });
  it('renders parameters of any shape', () => {
    expectOutputs(formatValue, [
      ['wasm', 'wasm'],
      [30, '30'],
      [true, 'yes'],
      [null, '—'],
      [{ a: [1, 2] }, '{"a":[1,2]}'],
    ]);
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
    expectOutputs(formatMillions, [
      [3_349_342, '3.35 M'],
      [12_345, '0.0123 M'],
      [271_000, '0.271 M'],
      [574_000_000, '574 M'],
      [1_234_567_890, '1230 M'],
      [0, '0 M'],
    ]);
    expect(millions(3_349_342)).toBe('3.35');
    expect(millions(0)).toBe('0');
  });

  it('says how long a training ran and how fast, rounding the speed', () => {
    expect(formatTrainingSpeed({ seconds: 125.2, imagesPerSecond: 811.6, backend: 'wasm' })).toBe(
      '2 min 05 s training, 812 images/s on wasm',
    );
    expect(formatTrainingSpeed({ seconds: 3.04, imagesPerSecond: 40.2, backend: 'webgpu' })).toBe(
      '3.0 s training, 40 images/s on webgpu',
    );
  });

  it('formats seconds and percentage points', () => {
    expectOutputs(formatSeconds, [
      [12.44, '12.4 s'],
      [122, '2 min 02 s'],
      [null, '—'],
    ]);
    expect(formatPoints(0.0421)).toBe('4.2 pp');
    expect(formatPoints(null)).toBe('—');
  });
});
