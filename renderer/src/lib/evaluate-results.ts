/**
 * The results of a finished evaluation as the page draws them: the confusion matrix, accuracy per class and per
 * group, and the model's files.
 */
import type { ClassAccuracy, ClassificationReport, GroupAccuracy, ModelFile } from '../../../shared/evaluate.js';

// ---- confusion matrix ---------------------------------------------------------------------------------------

export interface ConfusionCell {
  count: number;
  /** count / the row's total (0 for an empty row). */
  share: number;
  /** 0..1: the colour's strength (the row-normalised value). */
  strength: number;
  diagonal: boolean;
}

export interface ConfusionRow {
  total: number;
  cells: ConfusionCell[];
}

/**
 * The confusion matrix's cells, normalised per row (per true class): the colour says which share of a class went
 * where, so small classes read as clearly as large ones; the count stays in the tooltip.
 */
export function confusionRows(confusion: readonly (readonly number[])[]): ConfusionRow[] {
  return confusion.map((row, i) => {
    const total = row.reduce((s, v) => s + (Number.isFinite(v) ? v : 0), 0);
    return {
      total,
      cells: row.map((count, j) => {
        const share = total > 0 && Number.isFinite(count) ? count / total : 0;
        return { count, share, strength: Math.min(1, Math.max(0, share)), diagonal: i === j };
      }),
    };
  });
}

/** The tooltip of one cell: "true 3, predicted 5: 12 of 98 (12.2 %)". */
export function confusionTitle(trueName: string, predictedName: string, cell: ConfusionCell, total: number): string {
  return `true ${trueName}, predicted ${predictedName}: ${cell.count} of ${total} (${(cell.share * 100).toFixed(1)} %)`;
}

/** Text on a coloured cell turns white once the background is dark enough. */
export const darkCell = (strength: number): boolean => strength > 0.55;

// ---- per class / per group ----------------------------------------------------------------------------------

export interface Bar {
  key: string;
  name: string;
  accuracy: number;
  correct: number;
  total: number;
  /** 0..1, the bar's length. */
  fraction: number;
}

/** Per-class accuracy as bars, in label order. */
export function classBars(perClass: readonly ClassAccuracy[]): Bar[] {
  return [...perClass]
    .sort((a, b) => a.label - b.label)
    .map((c) => ({
      key: String(c.label),
      name: c.name,
      accuracy: c.accuracy,
      correct: c.correct,
      total: c.total,
      fraction: Number.isFinite(c.accuracy) ? Math.min(1, Math.max(0, c.accuracy)) : 0,
    }));
}

/** Per-group accuracy as bars, in the report's order. */
export function groupBars(perGroup: readonly GroupAccuracy[]): Bar[] {
  return perGroup.map((g) => ({
    key: g.group,
    name: g.group,
    accuracy: g.accuracy,
    correct: g.correct,
    total: g.total,
    fraction: Number.isFinite(g.accuracy) ? Math.min(1, Math.max(0, g.accuracy)) : 0,
  }));
}

/** Best minus worst group accuracy (0..1); null without groups. */
export function groupGap(perGroup: readonly GroupAccuracy[] | null): number | null {
  const acc = (perGroup ?? []).map((g) => g.accuracy).filter((a) => Number.isFinite(a));
  return acc.length === 0 ? null : Math.max(...acc) - Math.min(...acc);
}

/** The classes the model gets wrong most often: the largest off-diagonal shares, at most `n`. */
export function worstConfusions(
  report: Pick<ClassificationReport, 'confusion' | 'perClass'>,
  n = 3,
): { from: string; to: string; share: number; count: number }[] {
  const names = new Map(report.perClass.map((c) => [c.label, c.name]));
  const out: { from: string; to: string; share: number; count: number }[] = [];
  confusionRows(report.confusion).forEach((row, i) =>
    row.cells.forEach((c, j) => {
      if (!c.diagonal && c.count > 0)
        out.push({ from: names.get(i) ?? String(i), to: names.get(j) ?? String(j), share: c.share, count: c.count });
    }),
  );
  return out.sort((a, b) => b.share - a.share || b.count - a.count).slice(0, n);
}

// ---- model files --------------------------------------------------------------------------------------------

/** The bytes of a base64 string (weights.bin comes as base64 from `models.file`). */
export function base64ToBytes(b64: string): Uint8Array<ArrayBuffer> {
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** A file the API answered (`models.file`, `models.archive`, `experiments.archive`) as a Blob to save. */
export function modelFileBlob(out: ModelFile): Blob {
  return out.encoding === 'base64'
    ? new Blob([base64ToBytes(out.data)], { type: out.mime })
    : new Blob([out.data], { type: out.mime });
}
