/** `winnow export genotype|model|table`: a search's genotype, an evaluation's model, a study's table, to files. */
import fs from 'node:fs';
import path from 'node:path';
import { ModelFileName, type ModelFile, type ModelSummary } from '../../../shared/evaluate.js';
import { GenotypeExportFormat, type GenotypeExport, type SearchDetail } from '../../../shared/search.js';
import { ApiError } from '../../api/errors.js';
import type { WinnowHost } from '../../api/host.js';
import { idOption, oneOf, parse, withHost } from '../args.js';
import { EXIT_OK, UsageError, printJson, say } from '../output.js';
import { modelOfEvaluation } from './model.js';

export async function exportCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  const usage =
    'Usage: winnow export genotype <job> [--format darts|nb201|json|svg] [--cell normal|reduce] [--out FILE], winnow export model <job> --out NAME.zip|DIR, or winnow export table <job> --out FILE.csv';
  if (what === 'model') return exportModel(rest);
  if (what === 'table') return exportTable(rest);
  if (what !== 'genotype') throw new UsageError(usage);
  const { values, positionals } = parse(
    rest,
    { format: { type: 'string' }, cell: { type: 'string' }, out: { type: 'string' } },
    1,
  );
  const id = idOption(positionals[0], 'job');
  if (id === undefined) throw new UsageError(usage);
  const format = oneOf(values.format, 'format', GenotypeExportFormat.options);
  const cell = oneOf(values.cell, 'cell', ['normal', 'reduce'] as const) ?? 'normal';
  const out = await withHost(values, async (h) => {
    const own = format ?? ((await h.api.dispatch('searches.get', { id })) as SearchDetail).params.space;
    return (await h.api.dispatch('searches.export', { id, format: own, cell })) as GenotypeExport;
  });
  if (values.out) {
    const file = path.resolve(values.out);
    writeOut(file, out.text);
    if (values.json)
      printJson({ jobId: id, filename: out.filename, mime: out.mime, out: file, bytes: Buffer.byteLength(out.text) });
    else say(`Wrote ${file}.`);
  } else if (values.json) printJson({ jobId: id, ...out });
  else process.stdout.write(out.text);
  return EXIT_OK;
}

/** Writes a model's files into `dir` (created if needed); returns the files written. */
async function writeModelFiles(h: WinnowHost, m: ModelSummary, dir: string): Promise<string[]> {
  fs.mkdirSync(dir, { recursive: true });
  const written: string[] = [];
  for (const file of ModelFileName.options) {
    if (file === 'genotype.json' && m.genotypeText === null) continue;
    const f = (await h.api.dispatch('models.file', { id: m.id, file })) as ModelFile;
    const target = path.join(dir, f.filename);
    fs.writeFileSync(target, f.encoding === 'base64' ? Buffer.from(f.data, 'base64') : f.data);
    written.push(target);
  }
  return written;
}

/** `<job> --out PATH`, both required: the job id, the absolute path and the global flags. */
function jobAndOut(args: string[], usage: string) {
  const { values, positionals } = parse(args, { out: { type: 'string' } }, 1);
  const id = idOption(positionals[0], 'job');
  if (id === undefined || !values.out) throw new UsageError(usage);
  return { values, id, out: path.resolve(values.out) };
}

/** Writes an export's file; a path that cannot be written is the user's to change (bad_input). */
function writeOut(file: string, text: string | Buffer): void {
  try {
    fs.writeFileSync(file, text);
  } catch (e) {
    throw new ApiError('bad_input', `Could not write ${file}: ${(e as Error).message}. Choose another --out path.`);
  }
}

async function exportModel(args: string[]): Promise<number> {
  const { values, id, out } = jobAndOut(
    args,
    'Usage: winnow export model <job> --out NAME.zip|DIR (the evaluate job; see `winnow evaluate list`): one .zip file (what the app downloads; `winnow model import` takes it), or a folder of loose files',
  );
  const archive = out.toLowerCase().endsWith('.zip');
  if (archive && fs.existsSync(out))
    throw new ApiError('bad_input', `${out} already exists; choose a new file name for --out.`);
  if (
    !archive &&
    fs.existsSync(out) &&
    (!fs.statSync(out).isDirectory() || fs.readdirSync(out).includes('model.json'))
  ) {
    throw new ApiError(
      'bad_input',
      `${out} ${fs.statSync(out).isDirectory() ? 'already holds a model.json' : 'is a file'}; choose an empty or new folder for --out.`,
    );
  }
  const { m, files } = await withHost(values, async (h) => {
    const model = (await h.api.dispatch('models.get', { id: await modelOfEvaluation(h, id) })) as ModelSummary;
    if (!archive) return { m: model, files: await writeModelFiles(h, model, out) };
    const zip = (await h.api.dispatch('models.archive', { id: model.id })) as ModelFile;
    writeOut(out, Buffer.from(zip.data, 'base64'));
    return { m: model, files: [out] };
  });
  if (values.json) printJson({ jobId: id, modelId: m.id, out, files });
  else if (archive)
    say(`Wrote model ${m.id} (${m.name}) to ${out}. Import it elsewhere with \`winnow model import ${out}\`.`);
  else
    say(
      `Wrote model ${m.id} (${m.name}) to ${out}: ${files.map((f) => path.basename(f)).join(', ')}. Load it with tf.loadLayersModel('.../model.json').`,
    );
  return EXIT_OK;
}

async function exportTable(args: string[]): Promise<number> {
  const { values, id, out } = jobAndOut(
    args,
    'Usage: winnow export table <job> --out FILE.csv (a compression study; see `winnow compress list`)',
  );
  const t = (await withHost(values, (h) => h.api.dispatch('compressions.table', { id }))) as {
    filename: string;
    csv: string;
  };
  writeOut(out, t.csv);
  const lines = t.csv.trimEnd().split('\n').length - 1;
  if (values.json) printJson({ jobId: id, out, rows: lines, bytes: Buffer.byteLength(t.csv) });
  else say(`Wrote ${lines} rows of study ${id} to ${out}.`);
  return EXIT_OK;
}
