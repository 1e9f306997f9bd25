/** `winnow dataset`: import, the MNIST sample, the synthetic colour dataset; list, show and delete datasets. */
import path from 'node:path';
import {
  ImportFormat,
  ImportParams,
  ImportSource,
  type DatasetDetail,
  type DatasetSummary,
  type ImportResult,
  type Rejection,
} from '../../../shared/datasets.js';
import {
  idOption,
  listCommand,
  oneOf,
  parse,
  withHost,
  type GlobalValues,
  type ListSpec,
  type Options,
} from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, printJson, say, table } from '../output.js';
import { flagOptions, paramFlags, readFlags } from '../param-flags.js';
import { runJobCommand } from '../run-job.js';

/** The import parameters `winnow dataset import|sample|synth` offer as flags; --drop-duplicates and --again below. */
const IMPORT_FLAGS = paramFlags(ImportParams, {
  size: true,
  channels: true,
  fit: true,
  name: true,
  cifar100Labels: true,
  testFraction: { range: true },
  seed: true,
});

const IMPORT_OPTIONS = {
  format: { type: 'string' },
  ...flagOptions(IMPORT_FLAGS),
  'drop-duplicates': { type: 'boolean', default: false },
  again: { type: 'boolean', default: false },
} as const satisfies Options;

/** The synthetic dataset's own flags (its --size and --seed are also the import's). */
const SYNTH_FLAGS = paramFlags(
  ImportSource.options.find((o) => o.shape.kind.value === 'synth-chroma')!,
  { n: true, size: true, seed: true },
);

/** Import options from flags; the import job applies the defaults (shared/datasets.ts). */
function importParams(values: Record<string, unknown>, source: ImportSource): ImportParams {
  const parsed = ImportParams.safeParse({
    source,
    ...readFlags(IMPORT_FLAGS, values),
    duplicates: values['drop-duplicates'] ? 'drop' : 'keep',
    ifExists: values.again ? 'import-again' : 'refuse',
  });
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

function runImport(values: GlobalValues, params: ImportParams): Promise<number> {
  return runJobCommand({
    values,
    kind: 'import',
    params,
    report: (_host, job) => {
      const result = job.result as (ImportResult & { rejected: Rejection[] }) | { rejected?: Rejection[] } | null;
      if (values.json) {
        printJson(
          job.state === 'done'
            ? result
            : { jobId: job.id, state: job.state, error: job.message, rejected: result?.rejected ?? [] },
        );
      } else if (job.state === 'done' && result && 'id' in result) {
        say(
          `Dataset ${result.id} "${result.name}": ${result.images} images, ${result.classes} classes (train ${result.splits.train}, test ${result.splits.test}).`,
        );
        if (result.duplicates.count)
          say(
            `${result.duplicates.count} exact duplicate(s) ${result.duplicates.dropped ? 'dropped' : 'kept'} (e.g. ${result.duplicates.examples[0]?.path} = ${result.duplicates.examples[0]?.sameAs}).`,
          );
        if (result.rejected.length) {
          say(`${result.rejected.length} file(s) rejected:`);
          for (const r of result.rejected.slice(0, 20)) say(`  ${r.path}: ${r.reason}`);
          if (result.rejected.length > 20)
            say(`  … and ${result.rejected.length - 20} more (winnow dataset show ${result.id} --json lists all).`);
        }
      } else {
        say(`Import ${job.state}: ${job.message ?? ''}`);
        for (const r of (result?.rejected ?? []).slice(0, 20)) say(`  ${r.path}: ${r.reason}`);
      }
      return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
    },
  });
}

/** `winnow dataset list`. */
const DATASET_LIST: ListSpec<DatasetSummary> = {
  method: 'datasets.list',
  options: {},
  input: () => ({}),
  rows: (list) =>
    list.map((d) => ({
      id: d.id,
      name: d.name,
      images: d.images,
      classes: d.classes,
      size: `${d.width}x${d.height}x${d.channels}`,
      'train/test': `${d.splits.train}/${d.splits.test}`,
      source: d.source,
    })),
  columns: ['id', 'name', 'images', 'classes', 'size', 'train/test', 'source'],
  empty: 'No datasets yet. Try `winnow dataset sample mnist` or `winnow dataset import <folder>`.',
};

export async function datasetCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'import': {
      const { values, positionals } = parse(rest, IMPORT_OPTIONS, 1);
      if (!positionals[0]) throw new UsageError('Usage: winnow dataset import <path> [options]');
      const format = oneOf(values.format, 'format', ImportFormat.options) ?? 'auto';
      return runImport(values, importParams(values, { kind: 'path', path: path.resolve(positionals[0]), format }));
    }
    case 'sample': {
      const { values, positionals } = parse(rest, IMPORT_OPTIONS, 1);
      if (positionals[0] !== 'mnist') throw new UsageError('Usage: winnow dataset sample mnist');
      return runImport(values, importParams(values, { kind: 'mnist-sample' }));
    }
    case 'synth': {
      const { values, positionals } = parse(rest, { ...IMPORT_OPTIONS, n: { type: 'string' } }, 1);
      if (positionals[0] !== 'chroma')
        throw new UsageError('Usage: winnow dataset synth chroma [--n N] [--size N] [--seed S]');
      const source = { kind: 'synth-chroma' as const, n: 2000, size: 32, seed: 0, ...readFlags(SYNTH_FLAGS, values) };
      return runImport(values, importParams(values, source));
    }
    case 'list': {
      return listCommand(rest, DATASET_LIST);
    }
    case 'show':
    case 'rm': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = idOption(positionals[0], 'id');
      if (id === undefined) throw new UsageError(`Usage: winnow dataset ${sub} <id>`);
      if (sub === 'rm') {
        const out = await withHost(values, (h) => h.api.dispatch('datasets.delete', { id }));
        if (values.json) printJson(out);
        else say(`Deleted dataset ${id}.`);
        return EXIT_OK;
      }
      const d = (await withHost(values, async (h) => ({
        ...((await h.api.dispatch('datasets.get', { id })) as DatasetDetail),
        rejected: ((await h.api.dispatch('datasets.rejections', { id, limit: 1000 })) as { items: Rejection[] }).items,
      }))) as DatasetDetail & { rejected: Rejection[] };
      if (values.json) {
        printJson(d);
        return EXIT_OK;
      }
      say(`Dataset ${d.id} "${d.name}" (${d.format}) from ${d.source}`);
      say(
        `${d.images} images of ${d.width}x${d.height}x${d.channels}, ${d.classes} classes; train ${d.splits.train}, test ${d.splits.test}`,
      );
      say(
        table(
          d.perClass.map((c) => ({
            label: c.label,
            class: c.name,
            train: c.train,
            test: c.test,
            train_w: c.trainW,
            train_a: c.trainA,
          })),
          ['label', 'class', 'train', 'test', 'train_w', 'train_a'],
        ),
      );
      if (d.groups.length)
        say(
          table(
            d.groups.map((g) => ({ group: g.group, train: g.train, test: g.test })),
            ['group', 'train', 'test'],
          ),
        );
      if (d.rejected.length)
        say(`${d.rejectedCount} file(s) rejected at import (first: ${d.rejected[0]!.path}: ${d.rejected[0]!.reason}).`);
      return EXIT_OK;
    }
    default:
      throw new UsageError(
        'Usage: winnow dataset import <path> | sample mnist | synth chroma | list | show <id> | rm <id>',
      );
  }
}
