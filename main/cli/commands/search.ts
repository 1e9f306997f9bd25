/** `winnow search`: start or resume an architecture search, or list searches. */
import { SearchParams, type SearchDetail, type SearchResult } from '../../../shared/search.js';
import { idOption, listCommand, parse, resumeOption, type Options } from '../args.js';
import { UsageError, say } from '../output.js';
import { flagHelp, flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { epochProgress, runStudyCommand } from '../run-job.js';
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
  epochs: true,
  batch: true,
  channels: true,
  cells: true,
  seed: true,
  limitPerClass: true,
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
  return parseWithFlags(SearchParams, { datasetId, ...given, backend: values.backend ?? 'auto' }, FLAGS);
}

/** `winnow search --help`: the flags with their ranges, defaults and help from the schema. */
export function searchHelp(): string {
  return [
    'Usage: winnow search --dataset <id> [options] | winnow search --resume <job> | winnow search list [--dataset <id>]',
    ...flagHelp(FLAGS),
    `Strategy flags: ${Object.entries(FLAG_STRATEGIES)
      .map(([flag, s]) => `--${flag} (${s.join(', ')})`)
      .join(', ')}.`,
  ].join('\n');
}

export async function searchCommand(args: string[]): Promise<number> {
  if (args[0] === 'list') return listCommand(args.slice(1), SEARCH_LIST);
  const { values } = parse(args, OPTIONS);
  const resumeId = resumeOption(values, OPTIONS, 'a search');
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
