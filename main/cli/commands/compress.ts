/** `winnow compress`: run or resume a JPEG compression study, or list studies. */
import { CompressParams, type CompressResult, type CompressionDetail } from '../../../shared/compress.js';
import { BaselineName } from '../../../shared/evaluate.js';
import { idOption, listCommand, oneOf, parse, resumeOption, type Options } from '../args.js';
import {
  COMPRESSION_LIST,
  COMPRESS_RESULT_COLUMNS,
  compressDoneLines,
  compressResultRows,
  compressStoppedLine,
} from '../compress.js';
import { UsageError, say, table } from '../output.js';
import { flagHelp, flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { runStudyCommand } from '../run-job.js';
import { modelOfEvaluation } from './model.js';

/** The parameters `winnow compress` offers as flags besides the model under study. */
const FLAGS = paramFlags(CompressParams, {
  qualities: true,
  subsampling: true,
  protocols: { flag: 'protocol' },
  mozjpeg: true,
  epochs: true,
  preset: true,
  batch: true,
  lr: true,
  seed: true,
  limitPerClass: true,
  sizeSample: true,
  allowMeaninglessModel: true,
});

const OPTIONS = {
  dataset: { type: 'string' },
  model: { type: 'string' },
  'model-id': { type: 'string' },
  baseline: { type: 'string' },
  ...flagOptions(FLAGS),
  resume: { type: 'string' },
} satisfies Options;

const USAGE =
  'Usage: winnow compress --dataset <id> (--model <job> | --model-id <id> | --baseline cnn|resnet20) [options]';

/** `winnow compress --help`: the flags with their ranges, defaults and help from the schema. */
export const compressHelp = (): string => [USAGE, ...flagHelp(FLAGS)].join('\n');

/** Study parameters from flags (--model <job> is resolved to that evaluation's stored model by the caller). */
function compressParams(values: Record<string, unknown>, modelOfJob: number | null): CompressParams {
  const usage = USAGE;
  const datasetId = idOption(values.dataset, 'dataset');
  if (datasetId === undefined) throw new UsageError(usage);
  const model =
    modelOfJob !== null
      ? { kind: 'model' as const, modelId: modelOfJob }
      : values['model-id'] !== undefined
        ? { kind: 'model' as const, modelId: idOption(values['model-id'], 'model-id')! }
        : { kind: 'baseline' as const, name: oneOf(values.baseline, 'baseline', BaselineName.options)! };
  return parseWithFlags(
    CompressParams,
    { datasetId, model, ...readFlags(FLAGS, values), backend: values.backend ?? 'auto' },
    FLAGS,
  );
}

export async function compressCommand(args: string[]): Promise<number> {
  if (args[0] === 'list') return listCommand(args.slice(1), COMPRESSION_LIST);
  const { values } = parse(args, OPTIONS);
  const resumeId = resumeOption(values, OPTIONS, 'a study');
  if (resumeId === undefined) {
    const sources = (['model', 'model-id', 'baseline'] as const).filter((k) => values[k] !== undefined);
    if (sources.length !== 1)
      throw new UsageError(
        'Give exactly one of --model <evaluate job>, --model-id <stored model> or --baseline cnn|resnet20.',
      );
  }
  const modelJob = idOption(values.model, 'model') ?? null;
  // check the flags before starting a host
  if (resumeId === undefined) compressParams(values, modelJob === null ? null : 1);
  return runStudyCommand<CompressionDetail, CompressResult>(
    {
      values,
      kind: 'compress',
      resumeId,
      lookUpParams: async (host) =>
        compressParams(values, modelJob === null ? null : await modelOfEvaluation(host, modelJob)),
    },
    {
      get: 'compressions.get',
      progress: (d) => ({ rowsDone: d.summary.rowsDone, rowsTotal: d.summary.rowsTotal }),
      resumingLine: (id, d) =>
        `Resuming compression study ${id}: ${d.summary.rowsDone} of ${d.summary.rowsTotal} accuracy rows done.`,
      printDone: (job, _d, result) => {
        for (const line of compressDoneLines(job, result)) say(line);
        say(table(compressResultRows(result), COMPRESS_RESULT_COLUMNS));
      },
      stoppedLine: (job, d) => compressStoppedLine(job, d.summary.rowsDone, d.summary.rowsTotal),
    },
  );
}
