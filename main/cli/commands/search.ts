/** `winnow search`: start or resume an architecture search, or list searches. */
import type { JobSummary } from '../../../shared/jobs.js';
import {
  SEARCH_ALGORITHMS,
  SEARCH_ALGORITHM_INFO,
  SearchParams,
  withAlgorithmDefaults,
  type SearchDetail,
  type SearchResult,
} from '../../../shared/search.js';
import { jobKind } from '../../jobs/registry.js';
import { idOption, listCommand, oneOf, parse, resumeOption, withHost, type Options } from '../args.js';
import { UsageError, say } from '../output.js';
import { flagHelp, flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { epochProgress, runStudyCommand } from '../run-job.js';
import { jobKindCommand } from './job-kind.js';
import { SEARCH_LIST, doneLines, stoppedLine } from '../search.js';

/** The parameters `winnow search` offers as flags (the rest keep the schema's defaults). */
const FLAGS = paramFlags(SearchParams, {
  space: true,
  strategy: true,
  algorithm: true,
  partialChannels: true,
  alphaWarmupEpochs: true,
  betaDecayLambda: true,
  betaDecayOn: true,
  tauMax: true,
  tauMin: true,
  stages: true,
  stageCells: true,
  stageOps: true,
  skipDropout: true,
  epochs: true,
  batch: true,
  channels: true,
  cells: true,
  seed: true,
  limitPerClass: true,
  jpegQuality: true,
  jpegSubsampling: true,
  lr: true,
  alphaLr: true,
  subset: true,
  mastery: true,
  masteryBy: true,
  replacePool: true,
  valMode: true,
  augment: true,
  hardness: true,
  warmupEpochs: true,
  autoencoderId: { flag: 'ae' },
  trainAutoencoderEpochs: { flag: 'train-ae' },
  pruneEvery: true,
  pruneTrain: true,
  pruneVal: true,
  balance: { flag: 'no-balance' },
});

const OPTIONS = { dataset: { type: 'string' }, resume: { type: 'string' }, ...flagOptions(FLAGS) } satisfies Options;

/** The strategies each strategy-specific flag applies to: given with another, it would be recorded and do nothing. */
const FLAG_STRATEGIES: Record<string, readonly string[]> = {
  subset: ['random', 'dds', 'dds-untrained'],
  mastery: ['dds', 'dds-untrained'],
  'mastery-by': ['dds', 'dds-untrained'],
  'replace-pool': ['dds', 'dds-untrained'],
  'val-mode': ['random', 'dds', 'dds-untrained'],
  hardness: ['dds', 'dds-untrained'],
  'warmup-epochs': ['dds', 'dds-untrained'],
  ae: ['dds'],
  'train-ae': ['dds'],
  'prune-every': ['bdp'],
  'prune-train': ['bdp'],
  'prune-val': ['bdp'],
  'no-balance': ['bdp'],
};

/** Search parameters from flags; the schema's defaults fill the rest, and its limits are checked here. */
function searchParams(values: Record<string, unknown>): SearchParams {
  const datasetId = idOption(values.dataset, 'dataset');
  if (datasetId === undefined)
    throw new UsageError(
      'Usage: winnow search --dataset <id> [options] (see `winnow dataset list`), or winnow search --resume <job>',
    );
  const given = readFlags(FLAGS, values);
  const strategy = (values.strategy as string | undefined) ?? 'full';
  for (const [flag, strategies] of Object.entries(FLAG_STRATEGIES)) {
    if (values[flag] !== undefined && !strategies.includes(strategy)) {
      throw new UsageError(`--${flag} applies to --strategy ${strategies.join(' or ')}, not ${strategy}.`);
    }
  }
  if (values.ae !== undefined && values['train-ae'] !== undefined)
    throw new UsageError('Give --ae <id> (a stored autoencoder) or --train-ae N (train one first), not both.');
  return parseWithFlags(
    SearchParams,
    withAlgorithmDefaults({ datasetId, ...given, backend: values.backend ?? 'auto' }),
    FLAGS,
  );
}

/**
 * `--algorithm dsm` is DSM-NAS, a job kind of its own (`dsm-search`, its flags: `winnow dsm-search --help`); every
 * other algorithm is the search kind's `algorithm` parameter (SEARCH_ALGORITHMS in shared/search.ts).
 */
const ALGORITHM_KINDS = { dsm: 'dsm-search' } as const;
const ALL_ALGORITHMS = [...SEARCH_ALGORITHMS, ...(Object.keys(ALGORITHM_KINDS) as Array<keyof typeof ALGORITHM_KINDS>)];

/**
 * The job kind `--algorithm A` (or `--algorithm=A`) hands the command to, with the flag taken out; null (and the
 * arguments unchanged) for the search kind's own algorithms. An unknown value is refused with the valid ones.
 */
export function takeAlgorithm(args: readonly string[]): { kind: string | null; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--algorithm') {
      if (i + 1 >= args.length) throw new UsageError(`--algorithm needs a value: ${ALL_ALGORITHMS.join(', ')}.`);
      value = args[++i];
    } else if (a.startsWith('--algorithm=')) value = a.slice('--algorithm='.length);
    else rest.push(a);
  }
  const algorithm = oneOf(value, 'algorithm', ALL_ALGORITHMS);
  if (algorithm && algorithm in ALGORITHM_KINDS) return { kind: ALGORITHM_KINDS[algorithm as 'dsm'], rest };
  return { kind: null, rest: [...args] };
}

/** `--dataset` spelled as the generic kind command's `--dataset-id` (what `winnow search` users type). */
const datasetAsId = (args: string[]) =>
  args.map((a) =>
    a === '--dataset' ? '--dataset-id' : a.startsWith('--dataset=') ? `--dataset-id=${a.slice(10)}` : a,
  );

/** `winnow search --help`: the flags with their ranges, defaults and help from the schema. */
export function searchHelp(): string {
  return [
    'Usage: winnow search --dataset <id> [options] | winnow search --resume <job> | winnow search list [--dataset <id>]',
    ...flagHelp(FLAGS),
    ...SEARCH_ALGORITHMS.map((name) => {
      const i = SEARCH_ALGORITHM_INFO[name];
      const only = i.spaces.length === 1 ? ` (${i.spaces[0]} space only)` : '';
      return `  --algorithm ${name}  ${i.label}: ${i.summary}${only} [${i.reference}]`;
    }),
    '  --algorithm dsm  DSM-NAS over NAS-Bench-201 with supernet-inherited weights, a job of its own: its flags are `winnow dsm-search --help`',
    `Strategy flags: ${Object.entries(FLAG_STRATEGIES)
      .map(([flag, s]) => `--${flag} (${s.join(', ')})`)
      .join(', ')}.`,
  ].join('\n');
}

/**
 * `winnow search --resume <job>` for a job that `--algorithm` handed to a kind of its own (a DSM-NAS search): that
 * kind, so the job resumes where it stopped instead of being refused as "not a search"; null for a search job.
 */
async function resumedAlgorithmKind(values: Record<string, unknown>, id: number): Promise<string | null> {
  const job = (await withHost(values, (host) => host.api.dispatch('jobs.get', { id }))) as JobSummary;
  return (Object.values(ALGORITHM_KINDS) as string[]).includes(job.kind) ? job.kind : null;
}

export async function searchCommand(all: string[]): Promise<number> {
  if (all[0] === 'list') return listCommand(all.slice(1), SEARCH_LIST);
  const { kind, rest: args } = takeAlgorithm(all);
  if (kind) return jobKindCommand(jobKind(kind), datasetAsId(args));
  const { values } = parse(args, OPTIONS);
  const resumeId = resumeOption(values, OPTIONS, 'a search');
  const handedTo = resumeId === undefined ? null : await resumedAlgorithmKind(values, resumeId);
  if (handedTo) return jobKindCommand(jobKind(handedTo), args);
  const params = resumeId === undefined ? searchParams(values) : undefined;
  return runStudyCommand<SearchDetail, SearchResult>(
    { values, kind: 'search', resumeId, params },
    {
      get: 'searches.get',
      progress: epochProgress,
      resumingLine: (id, d) => `Resuming search ${id}: ${d.summary.epochsDone} of ${d.params.epochs} epochs done.`,
      printDone: (job, d, result) => {
        for (const line of doneLines(job, d, result)) say(line);
        process.stdout.write(result.genotypeText + '\n');
      },
      stoppedLine: (job, d) => stoppedLine(job, d.summary),
    },
  );
}
