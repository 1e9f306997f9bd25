/**
 * `winnow`: the command line. Thin: parses arguments, opens a host (store + engine worker), calls the API
 * registry, prints. Every command takes --data-dir and --json.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BackendChoice } from '../../shared/backend.js';
import { isFinished, type JobEvent, type JobSummary, type SelftestResult } from '../../shared/jobs.js';
import { formatGenotype } from '../../shared/genotype/text.js';
import { BaselineName, EVALUATE_LIMITS, EvalPreset, EvaluateParams, withPresetRecipe, ModelFileName, type EvaluateResult, type EvaluationDetail, type EvaluationSummary, type ModelFile, type ModelSummary } from '../../shared/evaluate.js';
import { BDP_MIN_PRUNE_EVERY, FIDELITY_OPTIONS, GenotypeExportFormat, SearchParams, SearchSpace, SelectionStrategy, type GenotypeExport, type SearchDetail, type SearchResult, type SearchSummary } from '../../shared/search.js';
import type { SystemInfo } from '../../shared/api.js';
import { AeLoss, AePreset, AeTrainParams, type AeDetail, type AeMetrics, type AeSummary } from '../../shared/autoencoder.js';
import { scatterPng, scatterSvg } from '../data/scatter.js';
import {
  ImportFormat,
  ImportParams,
  ResizeFit,
  type DatasetDetail,
  type DatasetSummary,
  type ImportResult,
  type Rejection,
} from '../../shared/datasets.js';
import { ApiError } from '../api/errors.js';
import { openHost, workerLogFile, type WinnowHost } from '../api/host.js';
import { APP_VERSION } from '../api/version.js';
import { runDoctor } from '../store/doctor.js';
import { resolveDataDir } from '../store/paths.js';
import { forkLauncher } from '../supervisor/launchers.js';
import { isLoopbackHost, startWebServer } from '../web/server.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, ProgressBar, UsageError, describeFailure, formatDuration, printJson, say, table } from './output.js';
import { SEARCH_COLUMNS, doneLines, epochLine, searchRows, stoppedLine } from './search.js';
import { COMPRESSION_COLUMNS, COMPRESS_RESULT_COLUMNS, compressDoneLines, compressPointLine, compressResultRows, compressStoppedLine, compressionRows } from './compress.js';
import { CompressParams, CompressProtocol, Subsampling, type CompressResult, type CompressionDetail, type CompressionSummary } from '../../shared/compress.js';
import { setupCommand } from './setup.js';
import { EVALUATION_COLUMNS, MODEL_COLUMNS, evaluateDoneLines, evaluateEpochLine, evaluateStoppedLine, evaluationRows, millions, modelRows } from './evaluate.js';

const HELP = `Winnow ${APP_VERSION}: data-efficient neural architecture search on your own image datasets.

Usage: winnow <command> [options]

Commands:
  system info [--json] [--refresh]       Version, data folder, database, CPU, memory and the backend ladder
  selftest [--steps N] [--batch N]       Train a small CNN on random data; report steps/s and the backend
  serve [--port N] [--host H] [--open]   Serve the UI and API to your browser (127.0.0.1, token-protected)
  setup tensorflow [--gpu] [--wheel FILE] [--force]
                                         Build the native TensorFlow engine offline from a TensorFlow wheel
                                         (--wheel, $WINNOW_TF_WHEEL, else pip download); --gpu: the CUDA build
  dataset import <path> [options]        Import class folders, IDX, CIFAR binaries or a CSV manifest
      --format auto|folder|idx|cifar10|cifar100|csv   --size N   --channels 1|3
      --fit cover|contain|fill   --name S   --drop-duplicates   --cifar100-labels fine|coarse
      --test-fraction F   --seed S   --again (import a source that was imported before)
  dataset sample mnist                   The 10,000 MNIST digits shipped with Winnow, as a dataset
  dataset synth chroma [--n N] [--size N] [--seed S]
                                         A procedural colour dataset (classes differ in fine colour detail)
  dataset list | show <id> | rm <id>     Datasets, one dataset's classes and splits, delete one
  ae train --dataset <id> [options]      Train a similarity autoencoder; prints its id and metrics
      --preset mnist-like|rgb   --loss contractive|mse|triplet|cosine|circle[+...]   --kendall
      --dim N   --epochs N   --batch N   --lr X   --lr-schedule constant|cosine   --seed S
      --untrained (random weights: the ablation)
  ae list [--dataset <id>] | show <id> | rm <id>
  ae map <id> --out map.png|map.svg      The 2-D map of its latent space, coloured by class
  search --dataset <id> [options]        Architecture search (DARTS first-order over a supernet); prints the genotype
      --space darts|nb201   --strategy full|random|dds|dds-untrained|bdp   --epochs N   --batch N
      --channels C   --cells N   --lr X   --alpha-lr X   --seed S
      --limit-per-class N (images per class, split over train_w / train_a)
      --augment auto|on|off (crop + flip of the weight and α batches; auto: RGB only)
      random/dds: --subset S --val-mode resample-each-epoch|fixed|with-subset (the α steps' subset, one policy)
      dds: --mastery m --mastery-by correct|easy (latest top-1 over the subset | fraction easy) --hardness h
           --replace-pool global|unseen-first (any image not in the subset | unseen first) --warmup-epochs N
           --ae <id> | --train-ae EPOCHS (batch 8, Adam lr 1e-3, constant: the autoencoder job's defaults)
      bdp: --prune-every T --prune-train p --prune-val p --no-balance
  search --resume <job>                  Continue an interrupted, cancelled or failed search from its checkpoint
  search list [--dataset <id>]           Searches, newest first, with their latest genotype
  export genotype <job> [--format darts|nb201|json|svg] [--cell normal|reduce] [--out FILE]
                                         A search's genotype (default: its own text format) to FILE or stdout
  evaluate --dataset <id> (--from-search <job> | --genotype <file|text> | --baseline cnn|resnet20) [options]
                                         Train the network from scratch; report test accuracy, params, multiply-adds
      --preset tiny|small|thesis-mnist|thesis-fashion|thesis-cifar|darts-paper   --channels C   --layers L
      (thesis-*: 300 epochs, batch 32, lr 0.01; darts-paper: 600 epochs, batch 96, lr 0.025, unless given)
      --epochs N   --batch N   --lr X   --seed S   --aux   --drop-path P   --augment auto|on|off
      --limit-per-class N (training images per class)
  evaluate --resume <job>                Continue an interrupted, cancelled or failed evaluation
  evaluate list [--dataset <id>]         Evaluations, newest first, with accuracy, size and the search's cost
  compress --dataset <id> (--model <job> | --model-id <id> | --baseline cnn|resnet20) [options]
                                         JPEG compression study: accuracy and per-group bias at each quality x subsampling
      --qualities 5,10,15,50,75,95   --subsampling 4:2:0,4:4:4   --protocol test,retrain,mixed   --mozjpeg
      --epochs N (baseline and each retraining)   --preset P (baseline size)   --batch N   --lr X   --seed S
      --limit-per-class N (training images per class)   --size-sample N (images encoded one by one for file sizes)
  compress --resume <job>                Continue an interrupted, cancelled or failed study (finished points are kept)
  compress list [--dataset <id>]         Compression studies, newest first
  export table <job> --out FILE.csv      A compression study's whole table as CSV
  export model <job> --out DIR           An evaluation's model: model.json + weights.bin (TensorFlow.js), report.json,
                                         genotype.json
  model list [--dataset <id>] | show <id> | import <dir> [--name S] | rm <id>
                                         Stored models (trained by evaluations or imported)
  jobs list [--json] [--limit N]         Jobs, newest first
  jobs show <id> [--json]                One job with its result and recent log
  jobs cancel <id>                       Cancel a queued or running job
  jobs resume <id> [--restart]           Resume an interrupted, cancelled or failed job; --restart runs it from the
                                         start (its files, e.g. a damaged checkpoint, are moved to leftovers/)
  doctor [--repair]                      Full database integrity check; folders and rows that disagree. --repair
                                         removes partial outputs of stopped jobs, moves orphan folders to leftovers/

Options for every command:
  --data-dir DIR     Where Winnow keeps its database and files (env WINNOW_DATA_DIR;
                     default $XDG_DATA_HOME/winnow or ~/.local/share/winnow)
  --backend B        auto | tensorflow-gpu | tensorflow | wasm | cpu (default: the saved setting, else auto)
  --json             Print one JSON document on stdout and nothing else
  -h, --help         This help;  -v, --version  the version

With --json, an error is one JSON document too: {"error": {"code": "...", "message": "..."}}.
Exit codes: 0 ok; 1 failure (a failed job, damaged or unreadable data, a refused data folder); 2 bad arguments.`;

const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

type Options = ParseArgsConfig['options'];

function parse<O extends Options>(args: string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > positionals) throw new UsageError(`Unexpected argument: ${parsed.positionals[positionals]}`);
  const backend = (parsed.values as Record<string, unknown>).backend as string | undefined;
  if (backend !== undefined && !BackendChoice.safeParse(backend).success) {
    throw new UsageError(`--backend must be one of ${BackendChoice.options.join(', ')}; got "${backend}".`);
  }
  return parsed;
}

function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${String(value)}".`);
  return n;
}

/** A host on the data folder of --data-dir / WINNOW_DATA_DIR / the default, with a forked engine worker. */
function openCliHost(dataDir: string, transport: 'in-process' | 'http'): Promise<WinnowHost> {
  return openHost({ dataDir, transport, launcher: forkLauncher({ logFile: workerLogFile(dataDir) }) });
}

async function withHost<T>(values: { 'data-dir'?: string }, fn: (host: WinnowHost) => Promise<T>): Promise<T> {
  const host = await openCliHost(resolveDataDir(values['data-dir']), 'in-process');
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}

// ---- commands ---------------------------------------------------------------------------------

async function systemInfo(args: string[]): Promise<number> {
  const { values } = parse(args, { refresh: { type: 'boolean', default: false } });
  const info = await withHost(values, (host) =>
    host.api.dispatch('system.info', { refresh: true, ...(values.backend ? { backend: values.backend } : {}) }),
  ) as SystemInfo;
  if (values.json) {
    printJson(info);
    return EXIT_OK;
  }
  say(`${info.app.name} ${info.app.version}  (Node ${info.nodeVersion}, ${info.platform}/${info.arch})`);
  say(`Data folder: ${info.dataDir}`);
  say(`Database:    ${info.dbPath}`);
  say(`CPU:         ${info.cpu.model} x ${info.cpu.cores}`);
  say(`Memory:      ${(info.memory.totalBytes / 2 ** 30).toFixed(1)} GiB (${(info.memory.freeBytes / 2 ** 30).toFixed(1)} GiB free)`);
  say(`Backend:     ${info.backend.selected} (asked for ${info.backend.preference})`);
  say('');
  say(
    table(
      info.backend.attempts.map((a) => ({ backend: a.name, package: a.packageName, loaded: a.ok ? 'yes' : 'no', why: a.reason ?? '' })),
      ['backend', 'package', 'loaded', 'why'],
    ),
  );
  return EXIT_OK;
}

/**
 * Starts a job, shows its progress, waits for its end; Ctrl-C cancels it. `eventLine` turns one of the job's
 * events into a line for stderr (printed above the progress bar), or null to print nothing.
 */
async function runJob(host: WinnowHost, start: () => Promise<JobSummary>, json: boolean, eventLine?: (e: JobEvent) => string | null): Promise<JobSummary> {
  const bar = new ProgressBar();
  let jobId = 0;
  let settle: (job: JobSummary) => void = () => {};
  const finished = new Promise<JobSummary>((r) => (settle = r));
  const unsubscribe = host.api.subscribe((m) => {
    if (m.channel === 'job.event') {
      const line = m.jobId === jobId && eventLine ? eventLine(m.event) : null;
      if (line !== null) {
        bar.done();
        say(line);
      }
      return;
    }
    if (m.job.id !== jobId) return;
    const job = m.job;
    if (job.progress && job.state === 'running') bar.update(job.progress.fraction, job.progress.message ?? '', job.progress.etaSeconds);
    if (isFinished(job.state)) settle(job);
  });
  const onSigint = () => {
    if (jobId) {
      say('\nCancelling…');
      void host.api.dispatch('jobs.cancel', { id: jobId }).catch(() => {});
    }
  };
  process.on('SIGINT', onSigint);
  try {
    const job = await start();
    jobId = job.id;
    if (!json) say(`Job ${job.id} (${job.kind}) started.`);
    const current = host.store.jobs.get(job.id);
    if (current && isFinished(current.state)) settle(current);
    return await finished;
  } finally {
    bar.done();
    unsubscribe();
    process.off('SIGINT', onSigint);
  }
}

async function selftest(args: string[]): Promise<number> {
  const { values } = parse(args, { steps: { type: 'string' }, batch: { type: 'string' }, seed: { type: 'string' } });
  const steps = intOption(values.steps, 'steps', 1, 100_000);
  const batch = intOption(values.batch, 'batch', 1, 512);
  const seed = intOption(values.seed, 'seed', 0, 2 ** 31 - 1);
  return withHost(values, async (host) => {
    const job = await runJob(
      host,
      () =>
        host.api.dispatch('jobs.start', {
          kind: 'selftest',
          params: { ...(steps ? { steps } : {}), ...(batch ? { batch } : {}), ...(seed !== undefined ? { seed } : {}), backend: values.backend ?? 'auto' },
        }) as Promise<JobSummary>,
      values.json,
    );
    const result = job.result as SelftestResult | null;
    if (values.json) {
      printJson({ jobId: job.id, state: job.state, message: job.message, ...(result ?? {}) });
    } else if (job.state === 'done' && result) {
      say(`Self-test on ${result.backend}: ${result.stepsPerSecond} steps/s, ${result.imagesPerSecond} images/s (batch ${result.batch}, ${result.steps} steps, ${result.seconds}s).`);
      say(`Loss ${result.initialLoss.toFixed(4)} -> ${result.finalLoss.toFixed(4)}.`);
    } else {
      say(`Self-test ${job.state}: ${job.message ?? ''}`);
    }
    return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
  });
}

function openInBrowser(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'cmd' : 'xdg-open';
  const args = process.platform === 'win32' ? ['/c', 'start', '', url] : [url];
  try {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.on('error', () => say(`Could not open a browser; open ${url} yourself.`));
    child.unref();
  } catch {
    say(`Could not open a browser; open ${url} yourself.`);
  }
}

async function serve(args: string[]): Promise<number> {
  const { values } = parse(args, { port: { type: 'string' }, host: { type: 'string' }, open: { type: 'boolean', default: false } });
  const port = intOption(values.port, 'port', 0, 65535) ?? 4780;
  const bindHost = values.host ?? '127.0.0.1';
  if (!isLoopbackHost(bindHost)) {
    say(`Warning: serving on ${bindHost}, reachable from other machines. Anyone with the URL's token can use Winnow.`);
  }
  const dataDir = resolveDataDir(values['data-dir']);
  const host = await openCliHost(dataDir, 'http');
  if (values.backend) host.store.settings.update({ backend: BackendChoice.parse(values.backend) });
  const staticDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'renderer');
  let server;
  try {
    server = await startWebServer({ api: host.api, staticDir, host: bindHost, port });
  } catch (e) {
    await host.close();
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new ApiError('conflict', `Port ${port} is in use: pick another with --port N (or --port 0 for any free port).`);
    throw e;
  }
  if (values.json) printJson({ url: server.urlWithToken, port: server.port, dataDir });
  else {
    say(`Winnow is serving ${dataDir}`);
    say(`Open: ${server.urlWithToken}`);
    say('Press Ctrl-C to stop.');
  }
  if (values.open) openInBrowser(server.urlWithToken);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await server.close();
  await host.close();
  return EXIT_OK;
}

function printJob(job: JobSummary): void {
  say(`Job ${job.id}: ${job.kind}, ${job.state}${job.message ? ` — ${job.message}` : ''}`);
  say(`Created ${new Date(job.createdAt).toISOString()}${job.startedAt ? `, started ${new Date(job.startedAt).toISOString()}` : ''}${job.endedAt && job.startedAt ? `, ran ${formatDuration((job.endedAt - job.startedAt) / 1000)}` : ''}`);
  say(`Params: ${JSON.stringify(job.params)}`);
  if (job.progress && !isFinished(job.state)) say(`Progress: ${Math.round(job.progress.fraction * 100)}% ${job.progress.message ?? ''}`);
  if (job.result !== null && job.result !== undefined) say(`Result: ${JSON.stringify(job.result, null, 2)}`);
}

async function jobs(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'list') {
    const { values } = parse(rest, { limit: { type: 'string' }, kind: { type: 'string' } });
    const limit = intOption(values.limit, 'limit', 1, 1000) ?? 50;
    const list = (await withHost(values, (h) => h.api.dispatch('jobs.list', { limit, ...(values.kind ? { kind: values.kind } : {}) }))) as JobSummary[];
    if (values.json) printJson(list);
    else if (list.length === 0) say('No jobs yet. Try `winnow selftest`.');
    else
      say(
        table(
          list.map((j) => ({
            id: j.id,
            kind: j.kind,
            state: j.state,
            created: new Date(j.createdAt).toISOString().replace('T', ' ').slice(0, 19),
            progress: j.progress ? `${Math.round(j.progress.fraction * 100)}%` : '',
            message: j.message ?? '',
          })),
          ['id', 'kind', 'state', 'created', 'progress', 'message'],
        ),
      );
    return EXIT_OK;
  }
  if (sub === 'show' || sub === 'cancel' || sub === 'resume') {
    const { values, positionals } = parse(rest, sub === 'resume' ? { restart: { type: 'boolean', default: false } } : {}, 1);
    const id = intOption(positionals[0], 'id', 1, Number.MAX_SAFE_INTEGER);
    if (id === undefined) throw new UsageError(`Usage: winnow jobs ${sub} <id>`);
    if (sub === 'show') {
      const out = await withHost(values, async (h) => ({
        job: (await h.api.dispatch('jobs.get', { id })) as JobSummary,
        events: await h.api.dispatch('jobs.events', { id, limit: 10_000 }),
      }));
      if (values.json) printJson(out);
      else printJob(out.job);
      return EXIT_OK;
    }
    const job = (await withHost(values, async (h) => {
      const restart = (values as { restart?: boolean }).restart === true;
      const j = (await h.api.dispatch(sub === 'cancel' ? 'jobs.cancel' : 'jobs.resume', sub === 'resume' ? { id, restart } : { id })) as JobSummary;
      if (sub === 'resume') {
        // the job runs in this process's worker: wait for it, as `winnow selftest` does
        return runJob(h, async () => j, values.json, searchEpochLine);
      }
      return j;
    })) as JobSummary;
    if (values.json) printJson(job);
    else printJob(job);
    return job.state === 'failed' || job.state === 'interrupted' ? EXIT_FAILURE : EXIT_OK;
  }
  throw new UsageError('Usage: winnow jobs list|show <id>|cancel <id>|resume <id>');
}

const IMPORT_OPTIONS = {
  format: { type: 'string' },
  size: { type: 'string' },
  channels: { type: 'string' },
  fit: { type: 'string' },
  name: { type: 'string' },
  'drop-duplicates': { type: 'boolean', default: false },
  'cifar100-labels': { type: 'string' },
  'test-fraction': { type: 'string' },
  seed: { type: 'string' },
  again: { type: 'boolean', default: false },
} as const satisfies Options;

function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${String(value)}".`);
  return value as T;
}

/** Import options from flags; the import job applies the defaults (shared/datasets.ts). */
function importParams(values: Record<string, unknown>, source: ImportParams['source']): ImportParams {
  const size = intOption(values.size, 'size', 8, 256);
  const channels = oneOf(values.channels, 'channels', ['1', '3'] as const);
  const fit = oneOf(values.fit, 'fit', ResizeFit.options);
  const labels = oneOf(values['cifar100-labels'], 'cifar100-labels', ['fine', 'coarse'] as const);
  const seed = intOption(values.seed, 'seed', 0, 2 ** 31 - 1);
  let testFraction: number | undefined;
  if (values['test-fraction'] !== undefined) {
    testFraction = Number(values['test-fraction']);
    if (!(testFraction >= 0.05 && testFraction <= 0.5)) throw new UsageError('--test-fraction must be a number from 0.05 to 0.5.');
  }
  const parsed = ImportParams.safeParse({
    source,
    ...(size !== undefined ? { size } : {}),
    ...(channels ? { channels: Number(channels) } : {}),
    ...(fit ? { fit } : {}),
    ...(typeof values.name === 'string' ? { name: values.name } : {}),
    duplicates: values['drop-duplicates'] ? 'drop' : 'keep',
    ...(labels ? { cifar100Labels: labels } : {}),
    ...(testFraction !== undefined ? { testFraction } : {}),
    ...(seed !== undefined ? { seed } : {}),
    ifExists: values.again ? 'import-again' : 'refuse',
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  return parsed.data;
}

async function runImport(values: Record<string, unknown> & { json: boolean; 'data-dir'?: string }, params: ImportParams): Promise<number> {
  return withHost(values, async (host) => {
    const job = await runJob(host, () => host.api.dispatch('jobs.start', { kind: 'import', params }) as Promise<JobSummary>, values.json);
    const result = job.result as (ImportResult & { rejected: Rejection[] }) | { rejected?: Rejection[] } | null;
    if (values.json) {
      printJson(job.state === 'done' ? result : { jobId: job.id, state: job.state, error: job.message, rejected: result?.rejected ?? [] });
    } else if (job.state === 'done' && result && 'id' in result) {
      say(`Dataset ${result.id} "${result.name}": ${result.images} images, ${result.classes} classes (train ${result.splits.train}, test ${result.splits.test}).`);
      if (result.duplicates.count) say(`${result.duplicates.count} exact duplicate(s) ${result.duplicates.dropped ? 'dropped' : 'kept'} (e.g. ${result.duplicates.examples[0]?.path} = ${result.duplicates.examples[0]?.sameAs}).`);
      if (result.rejected.length) {
        say(`${result.rejected.length} file(s) rejected:`);
        for (const r of result.rejected.slice(0, 20)) say(`  ${r.path}: ${r.reason}`);
        if (result.rejected.length > 20) say(`  … and ${result.rejected.length - 20} more (winnow dataset show ${result.id} --json lists all).`);
      }
    } else {
      say(`Import ${job.state}: ${job.message ?? ''}`);
      for (const r of (result?.rejected ?? []).slice(0, 20)) say(`  ${r.path}: ${r.reason}`);
    }
    return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
  });
}

async function dataset(args: string[]): Promise<number> {
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
      if (positionals[0] !== 'chroma') throw new UsageError('Usage: winnow dataset synth chroma [--n N] [--size N] [--seed S]');
      const n = intOption(values.n, 'n', 20, 200_000) ?? 2000;
      const size = intOption(values.size, 'size', 16, 128) ?? 32;
      const seed = intOption(values.seed, 'seed', 0, 2 ** 31 - 1) ?? 0;
      return runImport(values, importParams(values, { kind: 'synth-chroma', n, size, seed }));
    }
    case 'list': {
      const { values } = parse(rest, {});
      const list = (await withHost(values, (h) => h.api.dispatch('datasets.list', {}))) as DatasetSummary[];
      if (values.json) printJson(list);
      else if (list.length === 0) say('No datasets yet. Try `winnow dataset sample mnist` or `winnow dataset import <folder>`.');
      else
        say(
          table(
            list.map((d) => ({
              id: d.id,
              name: d.name,
              images: d.images,
              classes: d.classes,
              size: `${d.width}x${d.height}x${d.channels}`,
              'train/test': `${d.splits.train}/${d.splits.test}`,
              source: d.source,
            })),
            ['id', 'name', 'images', 'classes', 'size', 'train/test', 'source'],
          ),
        );
      return EXIT_OK;
    }
    case 'show':
    case 'rm': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = intOption(positionals[0], 'id', 1, Number.MAX_SAFE_INTEGER);
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
      say(`${d.images} images of ${d.width}x${d.height}x${d.channels}, ${d.classes} classes; train ${d.splits.train}, test ${d.splits.test}`);
      say(table(d.perClass.map((c) => ({ label: c.label, class: c.name, train: c.train, test: c.test, train_w: c.trainW, train_a: c.trainA })), ['label', 'class', 'train', 'test', 'train_w', 'train_a']));
      if (d.groups.length) say(table(d.groups.map((g) => ({ group: g.group, train: g.train, test: g.test })), ['group', 'train', 'test']));
      if (d.rejected.length) say(`${d.rejectedCount} file(s) rejected at import (first: ${d.rejected[0]!.path}: ${d.rejected[0]!.reason}).`);
      return EXIT_OK;
    }
    default:
      throw new UsageError('Usage: winnow dataset import <path> | sample mnist | synth chroma | list | show <id> | rm <id>');
  }
}

async function autoencoder(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'train': {
      const { values } = parse(rest, {
        dataset: { type: 'string' },
        preset: { type: 'string' },
        loss: { type: 'string' },
        kendall: { type: 'boolean' },
        dim: { type: 'string' },
        epochs: { type: 'string' },
        batch: { type: 'string' },
        lr: { type: 'string' },
        'lr-schedule': { type: 'string' },
        seed: { type: 'string' },
        untrained: { type: 'boolean', default: false },
      });
      const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
      if (datasetId === undefined) throw new UsageError('Usage: winnow ae train --dataset <id> [options] (see `winnow dataset list`)');
      const losses = typeof values.loss === 'string' ? values.loss.split('+').map((l) => oneOf(l.trim(), 'loss', AeLoss.options)!) : undefined;
      const lr = values.lr === undefined ? undefined : Number(values.lr);
      if (lr !== undefined && !(lr > 0 && lr <= 1)) throw new UsageError('--lr must be a number in (0, 1].');
      const parsed = AeTrainParams.safeParse({
        datasetId,
        ...(values.preset !== undefined ? { preset: oneOf(values.preset, 'preset', AePreset.options) } : {}),
        ...(losses ? { losses } : {}),
        ...(values.kendall !== undefined ? { kendall: values.kendall } : {}),
        ...(values.dim !== undefined ? { dim: intOption(values.dim, 'dim', 2, 128) } : {}),
        ...(values.epochs !== undefined ? { epochs: intOption(values.epochs, 'epochs', 1, 500) } : {}),
        ...(values.batch !== undefined ? { batch: intOption(values.batch, 'batch', 2, 1024) } : {}),
        ...(lr !== undefined ? { lr } : {}),
        ...(values['lr-schedule'] !== undefined ? { lrSchedule: oneOf(values['lr-schedule'], 'lr-schedule', ['constant', 'cosine'] as const) } : {}),
        ...(values.seed !== undefined ? { seed: intOption(values.seed, 'seed', 0, 2 ** 31 - 1) } : {}),
        untrained: values.untrained,
        backend: values.backend ?? 'auto',
      });
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
      return withHost(values, async (host) => {
        const job = await runJob(host, () => host.api.dispatch('jobs.start', { kind: 'autoencoder', params: parsed.data }) as Promise<JobSummary>, values.json);
        const result = job.result as { autoencoderId: number; metrics: AeMetrics } | null;
        if (values.json) printJson(job.state === 'done' && result ? { id: result.autoencoderId, jobId: job.id, ...result.metrics } : { jobId: job.id, state: job.state, error: job.message });
        else if (job.state === 'done' && result) {
          const m = result.metrics;
          say(`Autoencoder ${result.autoencoderId}: k-NN agreement ${m.knnAgreement.toFixed(3)}, silhouette ${m.silhouette.toFixed(3)}, PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)} (${m.trainSeconds} s training).`);
        } else say(`Autoencoder training ${job.state}: ${job.message ?? ''}`);
        return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
      });
    }
    case 'list': {
      const { values } = parse(rest, { dataset: { type: 'string' } });
      const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
      const list = (await withHost(values, (h) => h.api.dispatch('autoencoders.list', datasetId ? { datasetId } : {}))) as AeSummary[];
      if (values.json) printJson(list);
      else if (list.length === 0) say('No autoencoders yet. Train one with `winnow ae train --dataset <id>`.');
      else
        say(
          table(
            list.map((a) => ({
              id: a.id,
              dataset: `${a.datasetId} ${a.datasetName}`,
              preset: a.untrained ? `${a.preset} (untrained)` : a.preset,
              N: a.dim,
              epochs: a.epochs,
              knn: a.metrics.knnAgreement.toFixed(3),
              silhouette: a.metrics.silhouette.toFixed(3),
              psnr: a.metrics.psnr.toFixed(2),
              ssim: a.metrics.ssim.toFixed(3),
            })),
            ['id', 'dataset', 'preset', 'N', 'epochs', 'knn', 'silhouette', 'psnr', 'ssim'],
          ),
        );
      return EXIT_OK;
    }
    case 'show':
    case 'rm':
    case 'map': {
      const { values, positionals } = parse(rest, { out: { type: 'string' } }, 1);
      const id = intOption(positionals[0], 'id', 1, Number.MAX_SAFE_INTEGER);
      if (id === undefined) throw new UsageError(`Usage: winnow ae ${sub} <id>${sub === 'map' ? ' --out map.png' : ''}`);
      if (sub === 'rm') {
        const out = await withHost(values, (h) => h.api.dispatch('autoencoders.delete', { id }));
        if (values.json) printJson(out);
        else say(`Deleted autoencoder ${id}.`);
        return EXIT_OK;
      }
      const a = (await withHost(values, (h) => h.api.dispatch('autoencoders.get', { id }))) as AeDetail;
      if (sub === 'map') {
        if (!values.out) throw new UsageError('Usage: winnow ae map <id> --out map.png (or .svg)');
        if (a.map.length === 0) throw new ApiError('conflict', `Autoencoder ${id} has no map (it was trained with mapPoints 0).`);
        const svg = scatterSvg(a.map, a.classNames, `Autoencoder ${a.id} on ${a.datasetName}: ${a.mapMethod} of ${a.map.length} latent codes`);
        const out = path.resolve(values.out);
        fs.writeFileSync(out, out.toLowerCase().endsWith('.svg') ? svg : await scatterPng(svg));
        if (values.json) printJson({ id, out, points: a.map.length, method: a.mapMethod });
        else say(`Wrote ${out} (${a.map.length} points, ${a.mapMethod}).`);
        return EXIT_OK;
      }
      if (values.json) printJson(a);
      else {
        say(`Autoencoder ${a.id} on dataset ${a.datasetId} "${a.datasetName}": ${a.preset}${a.untrained ? ' (untrained)' : ''}, ${a.losses.join(' + ')}${a.kendall ? ' under Kendall weighting' : ''}, N=${a.dim}, ${a.epochs} epochs, batch ${a.batch}, seed ${a.seed}, ${a.backend}`);
        const m = a.metrics;
        say(`k-NN agreement ${m.knnAgreement.toFixed(3)}, silhouette ${m.silhouette.toFixed(3)}, PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)}, ${m.trainSeconds} s training`);
      }
      return EXIT_OK;
    }
    default:
      throw new UsageError('Usage: winnow ae train --dataset <id> | list | show <id> | map <id> --out FILE | rm <id>');
  }
}

const SEARCH_OPTIONS = {
  dataset: { type: 'string' },
  space: { type: 'string' },
  strategy: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  channels: { type: 'string' },
  cells: { type: 'string' },
  seed: { type: 'string' },
  'limit-per-class': { type: 'string' },
  lr: { type: 'string' },
  'alpha-lr': { type: 'string' },
  resume: { type: 'string' },
  subset: { type: 'string' },
  mastery: { type: 'string' },
  'mastery-by': { type: 'string' },
  'replace-pool': { type: 'string' },
  'val-mode': { type: 'string' },
  augment: { type: 'string' },
  hardness: { type: 'string' },
  'warmup-epochs': { type: 'string' },
  ae: { type: 'string' },
  'train-ae': { type: 'string' },
  'prune-every': { type: 'string' },
  'prune-train': { type: 'string' },
  'prune-val': { type: 'string' },
  'no-balance': { type: 'boolean' },
} as const satisfies Options;

function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n)) throw new UsageError(`--${name} must be a number; got "${String(value)}".`);
  return n;
}

/** Search parameters from flags; the schema's defaults fill the rest, and its limits are checked here. */
function searchParams(values: Record<string, unknown>): SearchParams {
  const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
  if (datasetId === undefined) throw new UsageError('Usage: winnow search --dataset <id> [options] (see `winnow dataset list`), or winnow search --resume <job>');
  const flags: Array<[keyof SearchParams, unknown]> = [
    ['space', oneOf(values.space, 'space', SearchSpace.options)],
    ['strategy', oneOf(values.strategy, 'strategy', SelectionStrategy.options)],
    ['epochs', intOption(values.epochs, 'epochs', 1, 500)],
    ['batch', intOption(values.batch, 'batch', 2, 512)],
    ['channels', intOption(values.channels, 'channels', 2, 128)],
    ['cells', intOption(values.cells, 'cells', 1, 30)],
    ['seed', intOption(values.seed, 'seed', 0, 2 ** 31 - 1)],
    ['limitPerClass', intOption(values['limit-per-class'], 'limit-per-class', 2, 1_000_000)],
    ['lr', numberOption(values.lr, 'lr')],
    ['alphaLr', numberOption(values['alpha-lr'], 'alpha-lr')],
    ['subset', intOption(values.subset, 'subset', 2, 1_000_000)],
    ['mastery', numberOption(values.mastery, 'mastery')],
    ['masteryBy', oneOf(values['mastery-by'], 'mastery-by', FIDELITY_OPTIONS.masteryBy.values)],
    ['replacePool', oneOf(values['replace-pool'], 'replace-pool', FIDELITY_OPTIONS.replacePool.values)],
    ['valMode', oneOf(values['val-mode'], 'val-mode', FIDELITY_OPTIONS.valMode.values)],
    ['augment', oneOf(values.augment, 'augment', FIDELITY_OPTIONS.augment.values)],
    ['hardness', numberOption(values.hardness, 'hardness')],
    ['warmupEpochs', intOption(values['warmup-epochs'], 'warmup-epochs', 0, 500)],
    ['autoencoderId', intOption(values.ae, 'ae', 1, Number.MAX_SAFE_INTEGER)],
    ['trainAutoencoderEpochs', intOption(values['train-ae'], 'train-ae', 1, 500)],
    ['pruneEvery', intOption(values['prune-every'], 'prune-every', BDP_MIN_PRUNE_EVERY, 500)],
    ['pruneTrain', numberOption(values['prune-train'], 'prune-train')],
    ['pruneVal', numberOption(values['prune-val'], 'prune-val')],
    ['balance', values['no-balance'] === true ? false : undefined],
  ];
  // a flag of another strategy would be recorded and do nothing: say so instead
  const strategy = (values.strategy as string | undefined) ?? 'full';
  const owners: Record<string, readonly string[]> = {
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
  for (const [flag, strategies] of Object.entries(owners)) {
    if (values[flag] !== undefined && !strategies.includes(strategy)) {
      throw new UsageError(`--${flag} applies to --strategy ${strategies.join(' or ')}, not ${strategy}.`);
    }
  }
  if (values.ae !== undefined && values['train-ae'] !== undefined) throw new UsageError('Give --ae <id> (a stored autoencoder) or --train-ae N (train one first), not both.');
  const parsed = SearchParams.safeParse({
    datasetId,
    ...Object.fromEntries(flags.filter(([, v]) => v !== undefined)),
    backend: values.backend ?? 'auto',
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'input').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Prints each finished epoch of the search being waited on. */
function searchEpochLine(e: JobEvent): string | null {
  return e.type === 'search-epoch' ? epochLine(e.data, formatGenotype(e.data.genotype)) : null;
}

async function search(args: string[]): Promise<number> {
  if (args[0] === 'list') {
    const { values } = parse(args.slice(1), { dataset: { type: 'string' } });
    const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
    const list = (await withHost(values, (h) => h.api.dispatch('searches.list', datasetId ? { datasetId } : {}))) as SearchSummary[];
    if (values.json) printJson(list);
    else if (list.length === 0) say('No searches yet. Start one with `winnow search --dataset <id>`.');
    else say(table(searchRows(list), SEARCH_COLUMNS));
    return EXIT_OK;
  }
  const { values } = parse(args, SEARCH_OPTIONS);
  const resumeId = intOption(values.resume, 'resume', 1, Number.MAX_SAFE_INTEGER);
  let params: SearchParams | null = null;
  if (resumeId !== undefined) {
    const extra = Object.keys(SEARCH_OPTIONS).filter((k) => k !== 'resume' && (values as Record<string, unknown>)[k] !== undefined);
    if (extra.length) throw new UsageError(`--resume continues a search with the settings it was started with; drop ${extra.map((k) => `--${k}`).join(', ')}.`);
  } else params = searchParams(values);

  return withHost(values, async (host) => {
    let job: JobSummary;
    if (resumeId !== undefined) {
      const before = (await host.api.dispatch('searches.get', { id: resumeId })) as SearchDetail;
      if (!values.json) say(`Resuming search ${resumeId}: ${before.summary.epochsDone} of ${before.params.epochs} epochs done.`);
      job = await runJob(host, () => host.api.dispatch('jobs.resume', { id: resumeId }) as Promise<JobSummary>, values.json, searchEpochLine);
    } else {
      job = await runJob(host, () => host.api.dispatch('jobs.start', { kind: 'search', params: params! }) as Promise<JobSummary>, values.json, searchEpochLine);
    }
    const detail = (await host.api.dispatch('searches.get', { id: job.id })) as SearchDetail;
    const result = job.state === 'done' ? (job.result as SearchResult | null) : null;
    if (values.json) {
      printJson(
        result
          ? { jobId: job.id, state: job.state, datasetId: detail.params.datasetId, ...result }
          : { jobId: job.id, state: job.state, error: job.message, epochsDone: detail.summary.epochsDone, epochs: detail.params.epochs },
      );
    } else if (result) {
      for (const line of doneLines(job, detail, result)) say(line);
      process.stdout.write(result.genotypeText + '\n');
    } else say(stoppedLine(job, detail.summary));
    return result ? EXIT_OK : EXIT_FAILURE;
  });
}

async function exportCommand(args: string[]): Promise<number> {
  const [what, ...rest] = args;
  const usage = 'Usage: winnow export genotype <job> [--format darts|nb201|json|svg] [--cell normal|reduce] [--out FILE], winnow export model <job> --out DIR, or winnow export table <job> --out FILE.csv';
  if (what === 'model') return exportModel(rest);
  if (what === 'table') return exportTable(rest);
  if (what !== 'genotype') throw new UsageError(usage);
  const { values, positionals } = parse(rest, { format: { type: 'string' }, cell: { type: 'string' }, out: { type: 'string' } }, 1);
  const id = intOption(positionals[0], 'job', 1, Number.MAX_SAFE_INTEGER);
  if (id === undefined) throw new UsageError(usage);
  const format = oneOf(values.format, 'format', GenotypeExportFormat.options);
  const cell = oneOf(values.cell, 'cell', ['normal', 'reduce'] as const) ?? 'normal';
  const out = await withHost(values, async (h) => {
    const own = format ?? ((await h.api.dispatch('searches.get', { id })) as SearchDetail).params.space;
    return (await h.api.dispatch('searches.export', { id, format: own, cell })) as GenotypeExport;
  });
  if (values.out) {
    const file = path.resolve(values.out);
    try {
      fs.writeFileSync(file, out.text);
    } catch (e) {
      throw new ApiError('bad_input', `Could not write ${file}: ${(e as Error).message}. Choose another --out path.`);
    }
    if (values.json) printJson({ jobId: id, filename: out.filename, mime: out.mime, out: file, bytes: Buffer.byteLength(out.text) });
    else say(`Wrote ${file}.`);
  } else if (values.json) printJson({ jobId: id, ...out });
  else process.stdout.write(out.text);
  return EXIT_OK;
}

const EVALUATE_OPTIONS = {
  dataset: { type: 'string' },
  'from-search': { type: 'string' },
  genotype: { type: 'string' },
  baseline: { type: 'string' },
  preset: { type: 'string' },
  channels: { type: 'string' },
  layers: { type: 'string' },
  epochs: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  aux: { type: 'boolean' },
  'drop-path': { type: 'string' },
  augment: { type: 'string' },
  'limit-per-class': { type: 'string' },
  resume: { type: 'string' },
} as const satisfies Options;

/** --genotype takes a file (DARTS text, NAS-Bench-201 string or genotype JSON) or the text itself. */
function genotypeArgument(value: string): string {
  const file = path.resolve(value);
  if (fs.existsSync(file) && fs.statSync(file).isFile()) return fs.readFileSync(file, 'utf8');
  return value;
}

/** Evaluation parameters from flags; the schema's defaults fill the rest. */
function evaluateParams(values: Record<string, unknown>): EvaluateParams {
  const usage = 'Usage: winnow evaluate --dataset <id> (--from-search <job> | --genotype <file|text> | --baseline cnn|resnet20) [options]';
  const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
  if (datasetId === undefined) throw new UsageError(usage);
  const sources = (['from-search', 'genotype', 'baseline'] as const).filter((k) => values[k] !== undefined);
  if (sources.length !== 1) throw new UsageError(`Give exactly one of --from-search, --genotype or --baseline. ${usage}`);
  const source =
    sources[0] === 'from-search'
      ? { kind: 'search' as const, jobId: intOption(values['from-search'], 'from-search', 1, Number.MAX_SAFE_INTEGER)! }
      : sources[0] === 'genotype'
        ? { kind: 'genotype' as const, text: genotypeArgument(String(values.genotype)) }
        : { kind: 'baseline' as const, name: oneOf(values.baseline, 'baseline', BaselineName.options)! };
  const L = EVALUATE_LIMITS;
  const flags: Array<[keyof EvaluateParams, unknown]> = [
    ['preset', oneOf(values.preset, 'preset', EvalPreset.options)],
    ['channels', intOption(values.channels, 'channels', L.channels.min, L.channels.max)],
    ['layers', intOption(values.layers, 'layers', L.layers.min, L.layers.max)],
    ['epochs', intOption(values.epochs, 'epochs', L.epochs.min, L.epochs.max)],
    ['batch', intOption(values.batch, 'batch', L.batch.min, L.batch.max)],
    ['lr', numberOption(values.lr, 'lr')],
    ['seed', intOption(values.seed, 'seed', 0, 2 ** 31 - 1)],
    ['auxiliary', values.aux === true ? true : undefined],
    ['dropPath', numberOption(values['drop-path'], 'drop-path')],
    ['augment', oneOf(values.augment, 'augment', ['auto', 'on', 'off'] as const)],
    ['limitPerClass', intOption(values['limit-per-class'], 'limit-per-class', 1, 1_000_000)],
  ];
  // a preset that reproduces a paper brings its epochs, batch and lr unless the flags say otherwise
  const given = withPresetRecipe(Object.fromEntries(flags.filter(([, v]) => v !== undefined)) as Partial<EvaluateParams>);
  const parsed = EvaluateParams.safeParse({ datasetId, source, ...given, backend: values.backend ?? 'auto' });
  if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${String(i.path[0] ?? 'input').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.message}`).join('; '));
  return parsed.data;
}

function evaluateEventLine(e: JobEvent): string | null {
  return e.type === 'evaluate-epoch' ? evaluateEpochLine(e.data) : null;
}

async function evaluate(args: string[]): Promise<number> {
  if (args[0] === 'list') {
    const { values } = parse(args.slice(1), { dataset: { type: 'string' } });
    const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
    const list = (await withHost(values, (h) => h.api.dispatch('evaluations.list', datasetId ? { datasetId } : {}))) as EvaluationSummary[];
    if (values.json) printJson(list);
    else if (list.length === 0) say('No evaluations yet. Start one with `winnow evaluate --dataset <id> --baseline cnn` (or --from-search <job>).');
    else say(table(evaluationRows(list), EVALUATION_COLUMNS));
    return EXIT_OK;
  }
  const { values } = parse(args, EVALUATE_OPTIONS);
  const resumeId = intOption(values.resume, 'resume', 1, Number.MAX_SAFE_INTEGER);
  let params: EvaluateParams | null = null;
  if (resumeId !== undefined) {
    const extra = Object.keys(EVALUATE_OPTIONS).filter((k) => k !== 'resume' && (values as Record<string, unknown>)[k] !== undefined);
    if (extra.length) throw new UsageError(`--resume continues an evaluation with the settings it was started with; drop ${extra.map((k) => `--${k}`).join(', ')}.`);
  } else params = evaluateParams(values);
  return withHost(values, async (host) => {
    let job: JobSummary;
    if (resumeId !== undefined) {
      const before = (await host.api.dispatch('evaluations.get', { id: resumeId })) as EvaluationDetail;
      if (!values.json) say(`Resuming evaluation ${resumeId}: ${before.summary.epochsDone} of ${before.params.epochs} epochs done.`);
      job = await runJob(host, () => host.api.dispatch('jobs.resume', { id: resumeId }) as Promise<JobSummary>, values.json, evaluateEventLine);
    } else {
      job = await runJob(host, () => host.api.dispatch('jobs.start', { kind: 'evaluate', params: params! }) as Promise<JobSummary>, values.json, evaluateEventLine);
    }
    const detail = (await host.api.dispatch('evaluations.get', { id: job.id })) as EvaluationDetail;
    const result = job.state === 'done' ? (job.result as EvaluateResult | null) : null;
    if (values.json) {
      printJson(
        result
          ? { jobId: job.id, state: job.state, datasetId: detail.params.datasetId, ...result }
          : { jobId: job.id, state: job.state, error: job.message, epochsDone: detail.summary.epochsDone, epochs: detail.params.epochs },
      );
    } else if (result) for (const line of evaluateDoneLines(job, result)) say(line);
    else say(evaluateStoppedLine(job, detail.summary.epochsDone, detail.params.epochs));
    return result ? EXIT_OK : EXIT_FAILURE;
  });
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

async function exportModel(args: string[]): Promise<number> {
  const usage = 'Usage: winnow export model <job> --out DIR (the evaluate job; see `winnow evaluate list`)';
  const { values, positionals } = parse(args, { out: { type: 'string' } }, 1);
  const id = intOption(positionals[0], 'job', 1, Number.MAX_SAFE_INTEGER);
  if (id === undefined || !values.out) throw new UsageError(usage);
  const out = path.resolve(values.out);
  if (fs.existsSync(out) && (!fs.statSync(out).isDirectory() || fs.readdirSync(out).includes('model.json'))) {
    throw new ApiError('bad_input', `${out} ${fs.statSync(out).isDirectory() ? 'already holds a model.json' : 'is a file'}; choose an empty or new folder for --out.`);
  }
  const { m, files } = await withHost(values, async (h) => {
    const detail = (await h.api.dispatch('evaluations.get', { id })) as EvaluationDetail;
    const modelId = detail.result?.modelId;
    if (modelId == null) throw new ApiError('conflict', `Evaluation ${id} has no stored model: it is ${detail.summary.state}; a model is stored when it finishes.`);
    const model = (await h.api.dispatch('models.get', { id: modelId })) as ModelSummary;
    return { m: model, files: await writeModelFiles(h, model, out) };
  });
  if (values.json) printJson({ jobId: id, modelId: m.id, out, files });
  else say(`Wrote model ${m.id} (${m.name}) to ${out}: ${files.map((f) => path.basename(f)).join(', ')}. Load it with tf.loadLayersModel('.../model.json').`);
  return EXIT_OK;
}

async function model(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'list': {
      const { values } = parse(rest, { dataset: { type: 'string' } });
      const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
      const list = (await withHost(values, (h) => h.api.dispatch('models.list', datasetId ? { datasetId } : {}))) as ModelSummary[];
      if (values.json) printJson(list);
      else if (list.length === 0) say('No models yet. Train one with `winnow evaluate`, or import one with `winnow model import <dir>`.');
      else say(table(modelRows(list), MODEL_COLUMNS));
      return EXIT_OK;
    }
    case 'show': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = intOption(positionals[0], 'model', 1, Number.MAX_SAFE_INTEGER);
      if (id === undefined) throw new UsageError('Usage: winnow model show <id>');
      const m = (await withHost(values, (h) => h.api.dispatch('models.get', { id }))) as ModelSummary;
      if (values.json) printJson(m);
      else {
        const p = m.preprocessing;
        say(`Model ${m.id}: ${m.name} (${m.origin === 'evaluate' ? `trained by evaluation ${m.jobId}` : 'imported'}).`);
        say(`Input ${p.width}x${p.height}x${p.channels}, normalised by mean ${p.mean.map((v) => v.toFixed(4)).join('/')} and std ${p.std.map((v) => v.toFixed(4)).join('/')}; ${m.classNames.length} classes: ${m.classNames.join(', ')}.`);
        say(`Parameters ${millions(m.parameters)}, multiply-adds ${millions(m.multiplyAdds)}${m.testAccuracy === null ? '' : `, test accuracy ${(m.testAccuracy * 100).toFixed(2)}%`}.`);
        if (m.genotypeText) say(`Genotype: ${m.genotypeText}`);
      }
      return EXIT_OK;
    }
    case 'import': {
      const { values, positionals } = parse(rest, { name: { type: 'string' } }, 1);
      if (!positionals[0]) throw new UsageError('Usage: winnow model import <dir> [--name S] (a folder written by `winnow export model`)');
      const m = (await withHost(values, (h) => h.api.dispatch('models.import', { path: positionals[0]!, ...(values.name ? { name: values.name } : {}) }))) as ModelSummary;
      if (values.json) printJson(m);
      else say(`Imported model ${m.id}: ${m.name}.`);
      return EXIT_OK;
    }
    case 'rm':
    case 'delete': {
      const { values, positionals } = parse(rest, {}, 1);
      const id = intOption(positionals[0], 'model', 1, Number.MAX_SAFE_INTEGER);
      if (id === undefined) throw new UsageError('Usage: winnow model rm <id>');
      const r = await withHost(values, (h) => h.api.dispatch('models.delete', { id }));
      if (values.json) printJson(r);
      else say(`Deleted model ${id}.`);
      return EXIT_OK;
    }
    default:
      throw new UsageError('Usage: winnow model list | show <id> | import <dir> [--name S] | rm <id>');
  }
}

const COMPRESS_OPTIONS = {
  dataset: { type: 'string' },
  model: { type: 'string' },
  'model-id': { type: 'string' },
  baseline: { type: 'string' },
  qualities: { type: 'string' },
  subsampling: { type: 'string' },
  protocol: { type: 'string' },
  mozjpeg: { type: 'boolean' },
  epochs: { type: 'string' },
  preset: { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  seed: { type: 'string' },
  'limit-per-class': { type: 'string' },
  'size-sample': { type: 'string' },
  resume: { type: 'string' },
} as const satisfies Options;

/** A comma-separated list flag, each item checked by `item` (which throws a UsageError naming the flag). */
function listOption<T>(value: unknown, item: (text: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(item);
}

/** Study parameters from flags (--model <job> is resolved to that evaluation's stored model by the caller). */
function compressParams(values: Record<string, unknown>, modelOfJob: number | null): CompressParams {
  const usage = 'Usage: winnow compress --dataset <id> (--model <job> | --model-id <id> | --baseline cnn|resnet20) [options]';
  const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
  if (datasetId === undefined) throw new UsageError(usage);
  const model =
    modelOfJob !== null
      ? { kind: 'model' as const, modelId: modelOfJob }
      : values['model-id'] !== undefined
        ? { kind: 'model' as const, modelId: intOption(values['model-id'], 'model-id', 1, Number.MAX_SAFE_INTEGER)! }
        : { kind: 'baseline' as const, name: oneOf(values.baseline, 'baseline', BaselineName.options)! };
  const L = EVALUATE_LIMITS;
  const flags: Array<[keyof CompressParams, unknown]> = [
    ['qualities', listOption(values.qualities, (q) => intOption(q, 'qualities', 1, 100)!)],
    ['subsampling', listOption(values.subsampling, (s) => oneOf(s, 'subsampling', Subsampling.options)!)],
    ['protocols', listOption(values.protocol, (p) => oneOf(p, 'protocol', CompressProtocol.options)!)],
    ['mozjpeg', values.mozjpeg === true ? true : undefined],
    ['epochs', intOption(values.epochs, 'epochs', L.epochs.min, L.epochs.max)],
    ['preset', oneOf(values.preset, 'preset', EvalPreset.options)],
    ['batch', intOption(values.batch, 'batch', L.batch.min, L.batch.max)],
    ['lr', numberOption(values.lr, 'lr')],
    ['seed', intOption(values.seed, 'seed', 0, 2 ** 31 - 1)],
    ['limitPerClass', intOption(values['limit-per-class'], 'limit-per-class', 1, 1_000_000)],
    ['sizeSample', intOption(values['size-sample'], 'size-sample', 1, 100_000)],
  ];
  const parsed = CompressParams.safeParse({ datasetId, model, ...Object.fromEntries(flags.filter(([, v]) => v !== undefined)), backend: values.backend ?? 'auto' });
  if (!parsed.success) {
    const flag: Record<string, string> = { protocols: 'protocol' };
    throw new UsageError(parsed.error.issues.map((i) => `--${flag[String(i.path[0])] ?? String(i.path[0] ?? 'input').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

function compressEventLine(e: JobEvent): string | null {
  return e.type === 'compress-point' ? compressPointLine(e.data) : null;
}

async function compress(args: string[]): Promise<number> {
  if (args[0] === 'list') {
    const { values } = parse(args.slice(1), { dataset: { type: 'string' } });
    const datasetId = intOption(values.dataset, 'dataset', 1, Number.MAX_SAFE_INTEGER);
    const list = (await withHost(values, (h) => h.api.dispatch('compressions.list', datasetId ? { datasetId } : {}))) as CompressionSummary[];
    if (values.json) printJson(list);
    else if (list.length === 0) say('No compression studies yet. Start one with `winnow compress --dataset <id> --baseline cnn`.');
    else say(table(compressionRows(list), COMPRESSION_COLUMNS));
    return EXIT_OK;
  }
  const { values } = parse(args, COMPRESS_OPTIONS);
  const resumeId = intOption(values.resume, 'resume', 1, Number.MAX_SAFE_INTEGER);
  if (resumeId !== undefined) {
    const extra = Object.keys(COMPRESS_OPTIONS).filter((k) => k !== 'resume' && (values as Record<string, unknown>)[k] !== undefined);
    if (extra.length) throw new UsageError(`--resume continues a study with the settings it was started with; drop ${extra.map((k) => `--${k}`).join(', ')}.`);
  } else {
    const sources = (['model', 'model-id', 'baseline'] as const).filter((k) => values[k] !== undefined);
    if (sources.length !== 1) throw new UsageError('Give exactly one of --model <evaluate job>, --model-id <stored model> or --baseline cnn|resnet20.');
  }
  const modelJob = intOption(values.model, 'model', 1, Number.MAX_SAFE_INTEGER) ?? null;
  // check the flags before starting a host
  if (resumeId === undefined) compressParams(values, modelJob === null ? null : 1);
  return withHost(values, async (host) => {
    let job: JobSummary;
    if (resumeId !== undefined) {
      const before = (await host.api.dispatch('compressions.get', { id: resumeId })) as CompressionDetail;
      if (!values.json) say(`Resuming compression study ${resumeId}: ${before.summary.rowsDone} of ${before.summary.rowsTotal} accuracy rows done.`);
      job = await runJob(host, () => host.api.dispatch('jobs.resume', { id: resumeId }) as Promise<JobSummary>, values.json, compressEventLine);
    } else {
      let modelId: number | null = null;
      if (modelJob !== null) {
        const detail = (await host.api.dispatch('evaluations.get', { id: modelJob })) as EvaluationDetail;
        modelId = detail.result?.modelId ?? null;
        if (modelId === null) throw new ApiError('conflict', `Evaluation ${modelJob} has no stored model: it is ${detail.summary.state}; a model is stored when it finishes.`);
      }
      const params = compressParams(values, modelId);
      job = await runJob(host, () => host.api.dispatch('jobs.start', { kind: 'compress', params }) as Promise<JobSummary>, values.json, compressEventLine);
    }
    const detail = (await host.api.dispatch('compressions.get', { id: job.id })) as CompressionDetail;
    const result = job.state === 'done' ? (job.result as CompressResult | null) : null;
    if (values.json) {
      printJson(
        result
          ? { jobId: job.id, state: job.state, datasetId: detail.params.datasetId, ...result }
          : { jobId: job.id, state: job.state, error: job.message, rowsDone: detail.summary.rowsDone, rowsTotal: detail.summary.rowsTotal },
      );
    } else if (result) {
      for (const line of compressDoneLines(job, result)) say(line);
      say(table(compressResultRows(result), COMPRESS_RESULT_COLUMNS));
    } else say(compressStoppedLine(job, detail.summary.rowsDone, detail.summary.rowsTotal));
    return result ? EXIT_OK : EXIT_FAILURE;
  });
}

async function exportTable(args: string[]): Promise<number> {
  const usage = 'Usage: winnow export table <job> --out FILE.csv (a compression study; see `winnow compress list`)';
  const { values, positionals } = parse(args, { out: { type: 'string' } }, 1);
  const id = intOption(positionals[0], 'job', 1, Number.MAX_SAFE_INTEGER);
  if (id === undefined || !values.out) throw new UsageError(usage);
  const out = path.resolve(values.out);
  const t = (await withHost(values, (h) => h.api.dispatch('compressions.table', { id }))) as { filename: string; csv: string };
  try {
    fs.writeFileSync(out, t.csv);
  } catch (e) {
    throw new ApiError('bad_input', `Could not write ${out}: ${(e as Error).message}. Choose another --out path.`);
  }
  const lines = t.csv.trimEnd().split('\n').length - 1;
  if (values.json) printJson({ jobId: id, out, rows: lines, bytes: Buffer.byteLength(t.csv) });
  else say(`Wrote ${lines} rows of study ${id} to ${out}.`);
  return EXIT_OK;
}

/** `winnow doctor [--repair]`: works on a folder that does not open (that is when it is needed), so no host. */
function doctor(args: string[]): number {
  const { values } = parse(args, { repair: { type: 'boolean', default: false } });
  const report = runDoctor(resolveDataDir(values['data-dir']), { repair: values.repair });
  if (values.json) {
    printJson(report);
    return report.healthy ? EXIT_OK : EXIT_FAILURE;
  }
  say(`Data folder: ${report.dataDir}`);
  say(`Database:    ${report.dbPath} (integrity: ${report.integrity})`);
  if (report.problems.length === 0) say('No problems found.');
  for (const p of report.problems) say(`- ${p.message}${p.repaired ? ` Repaired: ${p.repaired}.` : ''}`);
  if (report.leftovers.length) say(`${report.leftovers.length} folder(s) in leftovers/ (moved aside, never deleted): ${report.leftovers.slice(0, 5).join(', ')}${report.leftovers.length > 5 ? ', …' : ''}`);
  if (!report.healthy && !values.repair && report.integrity === 'ok') say('Run `winnow doctor --repair` to clean what is safe to clean.');
  return report.healthy ? EXIT_OK : EXIT_FAILURE;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    say(HELP);
    return command === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (command === '--version' || command === '-v') {
    process.stdout.write(APP_VERSION + '\n');
    return EXIT_OK;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    say(HELP);
    return EXIT_OK;
  }
  switch (command) {
    case 'system':
      if (rest[0] !== 'info') throw new UsageError('Usage: winnow system info [--json]');
      return systemInfo(rest.slice(1));
    case 'selftest':
      return selftest(rest);
    case 'serve':
      return serve(rest);
    case 'jobs':
      return jobs(rest);
    case 'dataset':
    case 'datasets':
      return dataset(rest);
    case 'ae':
    case 'autoencoder':
      return autoencoder(rest);
    case 'search':
      return search(rest);
    case 'export':
      return exportCommand(rest);
    case 'evaluate':
      return evaluate(rest);
    case 'model':
    case 'models':
      return model(rest);
    case 'compress':
      return compress(rest);
    case 'setup':
      return setupCommand(rest);
    case 'doctor':
      return doctor(rest);
    default:
      throw new UsageError(`Unknown command "${command}". Run \`winnow --help\` for the list.`);
  }
}

/** How the process ends for an error: one line on stderr (or one JSON document with --json), the right exit code. */
function fail(e: unknown, json: boolean): never {
  const f = describeFailure(e);
  if (json) printJson({ error: { code: f.code, message: f.message } });
  say(`winnow: ${f.message}`);
  if (process.env.WINNOW_DEBUG && e instanceof Error) say(e.stack ?? '');
  process.exit(f.exit);
}

const argv = process.argv.slice(2);
const json = argv.includes('--json');
// an error outside the command's own flow (an event handler, a timer) still ends as one line, never a stack trace
process.on('uncaughtException', (e) => fail(e, json));
main(argv).then(
  (code) => process.exit(code),
  (e: unknown) => fail(e, json),
);
