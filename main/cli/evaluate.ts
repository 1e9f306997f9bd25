/**
 * What `winnow evaluate` and `winnow model` print: the per-epoch line, the final report, the tables. Pure
 * formatting; the command itself is in commands/.
 */
import type { ListSpec } from './args.js';
import type {
  ClassificationReport,
  EvaluateEpochData,
  EvaluateResult,
  EvaluationSummary,
  ModelSummary,
} from '../../shared/evaluate.js';
import type { JobEvent, JobSummary } from '../../shared/jobs.js';
import { resumeHint, stopReason } from './output.js';
import { percent } from './search.js';

const loss = (v: number): string => (Number.isFinite(v) ? v.toFixed(3) : String(v));
export const millions = (n: number): string => `${(n / 1e6).toFixed(n < 1e5 ? 4 : 3)} M`;

/** `epoch 3/10  train 0.123 / 96.1%  test 0.101 / 96.9%  lr 0.0201  12.3 s` */
export function evaluateEpochLine(d: EvaluateEpochData): string {
  return `epoch ${d.epoch}/${d.epochs}  train ${loss(d.trainLoss)} / ${percent(d.trainAccuracy)}  test ${loss(d.testLoss)} / ${percent(d.testAccuracy)}  lr ${d.lr.toPrecision(3)}  ${d.seconds.toFixed(1)} s`;
}

export function evaluateEventLine(e: JobEvent): string | null {
  return e.type === 'evaluate-epoch' ? evaluateEpochLine(e.data) : null;
}

/** Per-class accuracy, and per-group accuracy with the bias measure when there are groups. */
export function reportLines(t: ClassificationReport): string[] {
  const lines = [`Per class: ${t.perClass.map((c) => `${c.name} ${percent(c.accuracy)}`).join(', ')}.`];
  if (t.perGroup && t.groupStd !== null) {
    lines.push(
      `Per group: ${t.perGroup.map((g) => `${g.group} ${percent(g.accuracy)} (${g.total})`).join(', ')}; std across groups ${(t.groupStd * 100).toFixed(2)} points.`,
    );
  }
  return lines;
}

export function evaluateDoneLines(job: JobSummary, r: EvaluateResult): string[] {
  return [
    `Evaluation ${job.id} done: ${r.network.label}, ${r.epochs} epochs on ${r.backend}.`,
    `Test accuracy ${percent(r.test.accuracy)} (loss ${loss(r.test.loss)}) on ${r.test.images} images.`,
    ...reportLines(r.test),
    `Parameters ${millions(r.parameters)}, multiply-adds ${millions(r.multiplyAdds)} per image; ${r.seconds.toFixed(1)} s training, ${Math.round(r.imagesPerSecond)} images/s.`,
    ...(r.modelId !== null
      ? [
          `Stored as model ${r.modelId}; \`winnow export model ${job.id} --out DIR\` writes model.json, weights.bin, report.json${r.genotypeText ? ' and genotype.json' : ''}.`,
        ]
      : []),
  ];
}

export function evaluateStoppedLine(job: JobSummary, epochsDone: number, epochs: number): string {
  return `Evaluation ${job.id} ${job.state} after ${epochsDone} of ${epochs} epochs${stopReason(job)}${resumeHint(job, 'evaluate')}`;
}

const clip = (s: string, n: number): string => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function sourceText(e: EvaluationSummary): string {
  if (e.source.kind === 'baseline') return `baseline ${e.source.name}`;
  if (e.source.kind === 'search') return `search ${e.source.jobId}`;
  return 'genotype';
}

function evaluationRows(list: EvaluationSummary[]): Array<Record<string, string | number | null>> {
  return list.map((e) => ({
    id: e.jobId,
    state: e.state,
    dataset: e.datasetName === null ? `${e.datasetId} (deleted)` : `${e.datasetId} ${e.datasetName}`,
    source: sourceText(e),
    network: e.network ? clip(e.network.label, 48) : '',
    epochs: `${e.epochsDone}/${e.epochs}`,
    'test acc': e.testAccuracy === null ? '' : percent(e.testAccuracy),
    params: e.parameters === null ? '' : millions(e.parameters),
    madds: e.multiplyAdds === null ? '' : millions(e.multiplyAdds),
    seconds: e.seconds === null ? '' : Math.round(e.seconds),
    'search s': e.search?.seconds == null ? '' : Math.round(e.search.seconds),
    'search images': e.search?.images ?? '',
    model: e.modelId ?? '',
  }));
}

/** `winnow evaluate list`: the API's list as a table, or a hint when there is none yet. */
export const EVALUATION_LIST: ListSpec<EvaluationSummary> = {
  method: 'evaluations.list',
  rows: evaluationRows,
  columns: [
    'id',
    'state',
    'dataset',
    'source',
    'network',
    'epochs',
    'test acc',
    'params',
    'madds',
    'seconds',
    'search s',
    'search images',
    'model',
  ],
  empty: 'No evaluations yet. Start one with `winnow evaluate --dataset <id> --baseline cnn` (or --from-search <job>).',
};

function modelRows(list: ModelSummary[]): Array<Record<string, string | number | null>> {
  return list.map((m) => ({
    id: m.id,
    name: clip(m.name, 56),
    origin: m.origin === 'evaluate' ? `evaluation ${m.jobId ?? '?'}` : 'imported',
    dataset: m.datasetId === null ? '' : `${m.datasetId} ${m.datasetName ?? ''}`.trim(),
    input: `${m.preprocessing.width}x${m.preprocessing.height}x${m.preprocessing.channels}`,
    classes: m.classNames.length,
    'test acc': m.testAccuracy === null ? '' : percent(m.testAccuracy),
    params: millions(m.parameters),
    created: new Date(m.createdAt).toISOString().replace('T', ' ').slice(0, 16),
  }));
}

/** `winnow model list`: the API's list as a table, or a hint when there is none yet. */
export const MODEL_LIST: ListSpec<ModelSummary> = {
  method: 'models.list',
  rows: modelRows,
  columns: ['id', 'name', 'origin', 'dataset', 'input', 'classes', 'test acc', 'params', 'created'],
  empty: 'No models yet. Train one with `winnow evaluate`, or import one with `winnow model import <dir>`.',
};
