/** Formatting helpers shared by the pages. Pure: no DOM, no clock (callers pass `now`). */

/** "5 s", "1 min 15 s", "2 h 05 min"; '' when the estimate is unknown or meaningless. */
export function formatEta(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds) || seconds < 0) return '';
  const s = Math.round(seconds);
  if (s < 1) return '< 1 s';
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    const rest = s % 60;
    return rest === 0 ? `${m} min` : `${m} min ${rest} s`;
  }
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, '0')} min`;
}

/** A duration in milliseconds: "850 ms", "12.4 s", "3 min 02 s", "1 h 04 min". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const totalSeconds = ms / 1000;
  if (totalSeconds < 60) return `${totalSeconds.toFixed(1)} s`;
  const s = Math.floor(totalSeconds);
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** How long a job ran: from start to end, or to `now` while it runs; '—' when it never started. */
export function jobDuration(job: { startedAt: number | null; endedAt: number | null }, now: number): string {
  if (job.startedAt == null) return '—';
  return formatDuration(Math.max(0, (job.endedAt ?? now) - job.startedAt));
}

/** 0..1 -> "42 %"; clamps, rounds down so a running job never shows 100 % early. */
export function formatPercent(fraction: number | null | undefined): string {
  if (fraction == null || !Number.isFinite(fraction)) return '';
  const p = Math.floor(Math.min(1, Math.max(0, fraction)) * 100);
  return `${p} %`;
}

/** `limitPerClass` -> "Limit per class": a stored key in words, for keys no form labels. */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A fraction as a measured share, to a tenth: 0.4312 -> "43.1 %" (formatPercent is for progress). */
export const percentText = (fraction: number): string => `${Number((fraction * 100).toFixed(1))} %`;

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes) || bytes < 0) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i += 1;
  }
  return i === 0 ? `${v} B` : `${v.toFixed(v >= 100 ? 0 : 1)} ${units[i]}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * A timestamp for tables: "14:03:22" when it is today (in local time), else "2024-05-01 14:03".
 * ISO-like so it reads the same in every locale and sorts visually.
 */
export function formatTimestamp(ts: number | null | undefined, now: number): string {
  if (ts == null || !Number.isFinite(ts)) return '—';
  const d = new Date(ts);
  const today = new Date(now);
  const time = `${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
  if (d.getFullYear() === today.getFullYear() && d.getMonth() === today.getMonth() && d.getDate() === today.getDate()) {
    return `${time}:${pad2(d.getSeconds())}`;
  }
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${time}`;
}

/** A full local date and time, for tooltips and details. */
export function formatDateTime(ts: number | null | undefined): string {
  if (ts == null || !Number.isFinite(ts)) return '—';
  const d = new Date(ts);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(
    d.getMinutes(),
  )}:${pad2(d.getSeconds())}`;
}

/** A number with sensible precision for metrics: 3 significant digits for small values, grouping for large. */
export function formatNumber(value: number | null | undefined, digits = 3): string {
  if (value == null || Number.isNaN(value)) return '—';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e7)) return value.toExponential(2);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(digits)));
}

/** A value of unknown shape for a key/value table: strings as is, everything else as compact JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value, 6);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** 0..1 -> "87.5 %"; "—" when unknown. */
export function formatAccuracy(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} %`;
}

/** A standard deviation of accuracies (0..1) in percentage points: "4.2 pp". */
export function formatPoints(v: number | null | undefined): string {
  return v == null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(1)} pp`;
}

/** A count in millions, 3 significant digits, no unit (for a column headed "(M)"): 3,349,342 -> "3.35"; "—" when unknown. */
export function millions(n: number | null | undefined): string {
  if (n == null || !Number.isFinite(n)) return '—';
  if (n === 0) return '0';
  return String(Number((n / 1e6).toPrecision(3)));
}

/** A count in millions with 3 significant digits: 3,349,342 -> "3.35 M", 12,345 -> "0.0123 M"; "—" when unknown. */
export function formatMillions(n: number | null | undefined): string {
  const m = millions(n);
  return m === '—' ? m : `${m} M`;
}

/** Seconds as "12.4 s", "3 min 02 s"; "—" when unknown. */
export function formatSeconds(s: number | null | undefined): string {
  return s == null || !Number.isFinite(s) ? '—' : formatDuration(s * 1000);
}

/** A finished training's time and speed, as a view's facts say it: "2 min 05 s training, 812 images/s on wasm". */
export function formatTrainingSpeed(r: { seconds: number; imagesPerSecond: number; backend: string }): string {
  return `${formatSeconds(r.seconds)} training, ${Math.round(r.imagesPerSecond)} images/s on ${r.backend}`;
}
