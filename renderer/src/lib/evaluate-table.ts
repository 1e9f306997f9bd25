/**
 * The rows of the Evaluate page's runs table (one evaluation each, newest first) and models table. No DOM, no store,
 * no client.
 */
import type { EvaluationSummary, ModelSummary } from '../../../shared/evaluate.js';
import { networkLabel, searchCost, sourceLabel } from './evaluate.js';
import { formatAccuracy, formatSeconds, millions } from './format.js';

export interface ComparisonRow {
  jobId: number;
  state: EvaluationSummary['state'];
  network: string;
  source: string;
  dataset: string;
  epochs: string;
  accuracy: string;
  /** In millions, without the unit (the column says "(M)"). */
  parameters: string;
  multiplyAdds: string;
  time: string;
  /** The search's cost in one line (a tooltip), and in parts for the table's two-line cell. */
  searchCost: string | null;
  search: { jobId: number; time: string; images: string; strategy: string } | null;
  createdAt: number;
}

/** One row of the runs table. */
export function comparisonRow(s: EvaluationSummary): ComparisonRow {
  return {
    jobId: s.jobId,
    state: s.state,
    network: networkLabel(s.network, s.source),
    source: sourceLabel(s.source),
    dataset: s.datasetName ?? `dataset #${s.datasetId}`,
    epochs: `${s.epochsDone} / ${s.epochs}`,
    accuracy: formatAccuracy(s.testAccuracy),
    parameters: millions(s.parameters),
    multiplyAdds: millions(s.multiplyAdds),
    time: formatSeconds(s.seconds),
    searchCost: searchCost(s.search),
    search: s.search
      ? {
          jobId: s.search.jobId,
          time: formatSeconds(s.search.seconds),
          images: s.search.images == null ? '—' : `${s.search.images.toLocaleString('en-US')} images`,
          strategy: s.search.strategy,
        }
      : null,
    createdAt: s.createdAt,
  };
}

/** The runs table's rows, newest first. */
export function comparisonRows(list: readonly EvaluationSummary[]): ComparisonRow[] {
  return [...list].sort((a, b) => b.createdAt - a.createdAt || b.jobId - a.jobId).map(comparisonRow);
}

/** "Trained by evaluation #4" / "Imported". */
export function modelOrigin(m: Pick<ModelSummary, 'origin' | 'jobId'>): string {
  return m.origin === 'import' ? 'imported' : m.jobId != null ? `trained (#${m.jobId})` : 'trained';
}
