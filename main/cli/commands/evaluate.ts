/** `winnow evaluate`: train a searched network or a baseline from scratch, resume one, or list evaluations. */
import fs from 'node:fs';
import path from 'node:path';
import {
  BaselineName,
  EvaluateParams,
  withPresetRecipe,
  type EvaluateResult,
  type EvaluationDetail,
} from '../../../shared/evaluate.js';
import { idOption, listCommand, oneOf, parse, resumeOption, type Options } from '../args.js';
import { EVALUATION_LIST, evaluateDoneLines, evaluateStoppedLine } from '../evaluate.js';
import { UsageError, say } from '../output.js';
import { flagHelp, flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { epochProgress, runStudyCommand } from '../run-job.js';

/** The parameters `winnow evaluate` offers as flags besides the network's source. */
const FLAGS = paramFlags(EvaluateParams, {
  preset: true,
  channels: true,
  layers: true,
  epochs: true,
  batch: true,
  lr: true,
  seed: true,
  auxiliary: { flag: 'aux' },
  dropPath: true,
  augment: true,
  limitPerClass: true,
  jpegQuality: true,
  jpegSubsampling: true,
});

const OPTIONS = {
  dataset: { type: 'string' },
  'from-search': { type: 'string' },
  genotype: { type: 'string' },
  baseline: { type: 'string' },
  resume: { type: 'string' },
  ...flagOptions(FLAGS),
} satisfies Options;

/** --genotype takes a file (DARTS text, NAS-Bench-201 string or genotype JSON) or the text itself. */
function genotypeArgument(value: string): string {
  const file = path.resolve(value);
  if (fs.existsSync(file) && fs.statSync(file).isFile()) return fs.readFileSync(file, 'utf8');
  return value;
}

const USAGE =
  'Usage: winnow evaluate --dataset <id> (--from-search <job> | --genotype <file|text> | --baseline cnn|resnet20) [options]';

/** `winnow evaluate --help`: the flags with their ranges, defaults and help from the schema. */
export const evaluateHelp = (): string => [USAGE, ...flagHelp(FLAGS)].join('\n');

/** Evaluation parameters from flags; the schema's defaults fill the rest. */
function evaluateParams(values: Record<string, unknown>): EvaluateParams {
  const usage = USAGE;
  const datasetId = idOption(values.dataset, 'dataset');
  if (datasetId === undefined) throw new UsageError(usage);
  const sources = (['from-search', 'genotype', 'baseline'] as const).filter((k) => values[k] !== undefined);
  if (sources.length !== 1)
    throw new UsageError(`Give exactly one of --from-search, --genotype or --baseline. ${usage}`);
  const source =
    sources[0] === 'from-search'
      ? { kind: 'search' as const, jobId: idOption(values['from-search'], 'from-search')! }
      : sources[0] === 'genotype'
        ? { kind: 'genotype' as const, text: genotypeArgument(String(values.genotype)) }
        : { kind: 'baseline' as const, name: oneOf(values.baseline, 'baseline', BaselineName.options)! };
  // a preset that reproduces a paper brings its epochs, batch and lr unless the flags say otherwise
  const given = withPresetRecipe(readFlags(FLAGS, values) as Partial<EvaluateParams>);
  return parseWithFlags(EvaluateParams, { datasetId, source, ...given, backend: values.backend ?? 'auto' }, FLAGS);
}

export async function evaluateCommand(args: string[]): Promise<number> {
  if (args[0] === 'list') return listCommand(args.slice(1), EVALUATION_LIST);
  const { values } = parse(args, OPTIONS);
  const resumeId = resumeOption(values, OPTIONS, 'an evaluation');
  return runStudyCommand<EvaluationDetail, EvaluateResult>(
    { values, kind: 'evaluate', resumeId, params: resumeId === undefined ? evaluateParams(values) : undefined },
    {
      get: 'evaluations.get',
      progress: epochProgress,
      resumingLine: (id, d) => `Resuming evaluation ${id}: ${d.summary.epochsDone} of ${d.params.epochs} epochs done.`,
      printDone: (job, _d, result) => {
        for (const line of evaluateDoneLines(job, result)) say(line);
      },
      stoppedLine: (job, d) => evaluateStoppedLine(job, d.summary.epochsDone, d.params.epochs),
    },
  );
}
