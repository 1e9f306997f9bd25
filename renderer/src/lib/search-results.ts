/**
 * Labels and parsing for a search's results on the Search page: the genotype text, accuracies, space and strategy
 * labels, a finished job's result and params, and the one-line settings summary. The form is in search.ts.
 */
import type { Genotype } from '../../../shared/genotype/ops.js';
import { formatGenotype } from '../../../shared/genotype/text.js';
import type { JobSummary } from '../../../shared/jobs.js';
import type { SearchResult, SearchSpace, SelectionStrategy } from '../../../shared/search.js';
import { DEFAULT_CELLS } from '../../../shared/search-defaults.js';
import { jpegStageLabel, type Subsampling } from '../../../shared/compress-defaults.js';
import { SPACE_INFO, STRATEGIES } from './search.js';

/** The genotype text a search exchanges: DARTS `Genotype(...)` or the NAS-Bench-201 string. */
export function genotypeText(genotype: Genotype): string {
  return formatGenotype(genotype);
}

export function spaceLabel(space: string): string {
  return (SPACE_INFO as Record<string, { label: string } | undefined>)[space]?.label ?? space;
}

export function strategyLabel(strategy: string): string {
  return strategy;
}

/** `job.result` of a finished search, or null when it does not look like one. */
export function parseSearchResult(result: unknown): SearchResult | null {
  if (!result || typeof result !== 'object') return null;
  const r = result as Partial<SearchResult>;
  if (typeof r.genotypeText !== 'string' || !r.genotype || !r.alphas) return null;
  return r as SearchResult;
}

/** The parts of a search job's params the page shows before the search's own record loads. */
export function searchParamsOfJob(job: Pick<JobSummary, 'params'> | null | undefined): {
  datasetId: number | null;
  space: SearchSpace;
  strategy: SelectionStrategy;
  epochs: number | null;
} {
  const p = job?.params ?? {};
  return {
    datasetId: typeof p.datasetId === 'number' ? p.datasetId : null,
    space: p.space === 'nb201' ? 'nb201' : 'darts',
    strategy:
      typeof p.strategy === 'string' && (STRATEGIES as readonly string[]).includes(p.strategy)
        ? (p.strategy as SelectionStrategy)
        : 'full',
    epochs: typeof p.epochs === 'number' ? p.epochs : null,
  };
}

/** "8 channels, 5 cells, 10 epochs, batch 32, lr 0.025, α lr 0.0003, seed 0, ≤ 200 images per class". */
export function settingsLine(p: {
  space: SearchSpace;
  channels: number;
  cells?: number | undefined;
  epochs: number;
  batch: number;
  lr: number;
  alphaLr: number;
  seed: number;
  limitPerClass: number | null;
  jpegQuality?: number | null;
  jpegSubsampling?: Subsampling | null;
}): string {
  const cells = p.cells ?? DEFAULT_CELLS[p.space];
  const cellsText = p.space === 'darts' ? `${cells} ${cells === 1 ? 'cell' : 'cells'}` : `${cells} per stage`;
  const parts = [
    `C = ${p.channels}`,
    cellsText,
    `${p.epochs} ${p.epochs === 1 ? 'epoch' : 'epochs'}`,
    `batch ${p.batch}`,
    `lr ${p.lr}`,
    `α lr ${p.alphaLr}`,
    `seed ${p.seed}`,
    p.limitPerClass == null ? 'all images' : `≤ ${p.limitPerClass} images per class`,
  ];
  const jpeg = jpegStageLabel(p);
  if (jpeg) parts.push(jpeg);
  return parts.join(', ');
}
