/**
 * What a search's data selection did, epoch by epoch: mastery and easy / hard counts (dds), the pruning
 * histograms (bdp), the subset strip and the rows of the selection table.
 */
import type { SearchEpochData, SelectionEpochStats } from '../../../shared/search.js';
import { imagesTotals, type Series, type SeriesPoint } from './search-curves.js';

// ---- data selection -----------------------------------------------------------------------------------------

type BdpPruning = NonNullable<NonNullable<SelectionEpochStats['bdp']>['pruning']>;
export type VoeHistogram = BdpPruning['train'];

export interface SelectionCharts {
  /** Images of each half the epoch used. */
  sizes: Series[];
  /** BDP's balance degree b of the training counts, per epoch. */
  balance: Series[];
  /** dds: the mastery measure (top-1 or easy fraction, per masteryBy; in %), and the threshold m as a dashed line. */
  mastery: Series[] | null;
  /** bdp: what remains of each half after pruning. */
  remaining: Series[] | null;
}

/** The data-selection charts, from the epochs that carry `selection` (null when none does). */
export function selectionChartsOf(
  epochs: readonly SearchEpochData[],
  masteryThreshold: number | null = null,
): SelectionCharts | null {
  const withSel = epochs.filter((e): e is SearchEpochData & { selection: SelectionEpochStats } => e.selection != null);
  if (withSel.length === 0) return null;
  const pts = (pick: (s: SelectionEpochStats) => number | null | undefined, scale = 1): SeriesPoint[] =>
    withSel.flatMap((e) => {
      const v = pick(e.selection);
      return v != null && Number.isFinite(v) ? [{ x: e.epoch, y: v * scale }] : [];
    });
  const hasDds = withSel.some((e) => e.selection.dds);
  const hasBdp = withSel.some((e) => e.selection.bdp);
  let mastery: Series[] | null = null;
  if (hasDds) {
    mastery = [{ label: 'mastery', role: 'train', points: pts((s) => s.dds?.mastery, 100) }];
    if (masteryThreshold != null) {
      const first = withSel[0]!.epoch;
      const last = Math.max(withSel[withSel.length - 1]!.epoch, withSel[0]!.epochs);
      mastery.push({
        label: 'threshold',
        role: 'val',
        dash: true,
        points: [
          { x: first, y: masteryThreshold * 100 },
          { x: last, y: masteryThreshold * 100 },
        ],
      });
    }
  }
  return {
    sizes: [
      { label: 'train', role: 'train', points: pts((s) => s.trainSize) },
      { label: 'validation', role: 'val', points: pts((s) => s.valSize) },
    ],
    balance: [{ label: 'b', role: 'other', points: pts((s) => s.balance) }],
    mastery,
    remaining: hasBdp
      ? [
          { label: 'train', role: 'train', points: pts((s) => s.bdp?.remainingTrain) },
          { label: 'validation', role: 'val', points: pts((s) => s.bdp?.remainingVal) },
        ]
      : null,
  };
}

/** The epochs in which BDP pruned, with their VoE histograms, oldest first. */
export function pruningsOf(
  epochs: readonly SearchEpochData[],
): Array<{ epoch: number; train: VoeHistogram; val: VoeHistogram }> {
  return epochs.flatMap((e) => {
    const p = e.selection?.bdp?.pruning;
    return p ? [{ epoch: e.epoch, train: p.train, val: p.val }] : [];
  });
}

export interface HistogramBar {
  from: number;
  to: number;
  count: number;
  /** 0..1 of the tallest bar. */
  height: number;
}

/** A histogram's bars: bin i spans edges[i]..edges[i+1] (when edges has one more entry than counts). */
export function histogramBars(h: Pick<VoeHistogram, 'edges' | 'counts'>): HistogramBar[] {
  const max = Math.max(1, ...h.counts);
  return h.counts.map((count, i) => ({
    from: h.edges[i] ?? NaN,
    to: h.edges[i + 1] ?? h.edges[i] ?? NaN,
    count,
    height: count / max,
  }));
}

/** The dataset rows of the current DDS subset, and which of them are hard / came in this epoch. */
export function ddsStrip(
  e: SearchEpochData | null | undefined,
): { rows: number[]; hard: Set<number>; replaced: Set<number> } | null {
  const d = e?.selection?.dds;
  if (!d) return null;
  return { rows: d.subset, hard: new Set(d.hardRows), replaced: new Set(d.replacedRows) };
}

/** A key that changes only when the subset's rows change (the strip fetches its thumbnails again only then). */
export function subsetKey(rows: readonly number[] | null | undefined): string {
  return rows ? rows.join(',') : '';
}

/** One line of the data-selection panel's per-epoch table. */
export interface SelectionRow {
  epoch: number;
  trainSize: number;
  valSize: number;
  /** Training images the weight steps processed by the end of the epoch. */
  imagesTotal: number;
  dds: { mastery: number; easy: number; hard: number; replaced: number; uniqueSeen: number } | null;
  /** `pruned*`: rows pruned at the end of this epoch (null when it did not prune). */
  bdp: { remainingTrain: number; remainingVal: number; prunedTrain: number | null; prunedVal: number | null } | null;
}

/** What the data selection used and decided in each epoch that recorded it, oldest first. */
export function selectionRowsOf(epochs: readonly SearchEpochData[]): SelectionRow[] {
  const totals = imagesTotals(epochs);
  return epochs.flatMap((e, i) => {
    const s = e.selection;
    if (!s) return [];
    const p = s.bdp?.pruning;
    return [
      {
        epoch: e.epoch,
        trainSize: s.trainSize,
        valSize: s.valSize,
        imagesTotal: totals[i]!,
        dds: s.dds
          ? {
              mastery: s.dds.mastery,
              easy: s.dds.easy,
              hard: s.dds.hard,
              replaced: s.dds.replaced,
              uniqueSeen: s.dds.uniqueSeen,
            }
          : null,
        bdp: s.bdp
          ? {
              remainingTrain: s.bdp.remainingTrain,
              remainingVal: s.bdp.remainingVal,
              prunedTrain: p?.train.pruned ?? null,
              prunedVal: p?.val.pruned ?? null,
            }
          : null,
      },
    ];
  });
}
