/**
 * Reading a command's flags: the options every command takes, the checks that turn a flag's text into a value
 * (each failure a UsageError naming the flag, exit code 2), and the host a command runs against.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { BackendChoice } from '../../shared/backend.js';
import { openHost, workerLogFile, type WinnowHost } from '../api/host.js';
import { resolveDataDir } from '../store/paths.js';
import { forkLauncher } from '../supervisor/launchers.js';
import type { WorkerLauncher } from '../engine/jobs/protocol.js';
import { EXIT_OK, UsageError, printJson, say, table } from './output.js';

export const GLOBAL_OPTIONS = {
  'data-dir': { type: 'string' },
  backend: { type: 'string' },
  json: { type: 'boolean', default: false },
  /** A job-starting command prints what the job would cost (time, images, disk) and exits without starting it. */
  estimate: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export type Options = NonNullable<ParseArgsConfig['options']>;

/** What every command's parsed flags hold. */
export interface GlobalValues {
  'data-dir'?: string;
  backend?: string;
  json: boolean;
  estimate?: boolean;
}

/** Parses `args` with the command's options and the global ones; more than `positionals` bare words is an error. */
export function parse<O extends Options>(args: string[], options: O, positionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length > positionals)
    throw new UsageError(`Unexpected argument: ${parsed.positionals[positionals]}`);
  const backend = (parsed.values as Record<string, unknown>).backend as string | undefined;
  if (backend !== undefined && !BackendChoice.safeParse(backend).success) {
    throw new UsageError(`--backend must be one of ${BackendChoice.options.join(', ')}; got "${backend}".`);
  }
  return parsed;
}

export function intOption(value: unknown, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} must be a whole number from ${min} to ${max}; got "${String(value)}".`);
  return n;
}

/** An id flag or argument: a whole number from 1 up. */
export function idOption(value: unknown, name: string): number | undefined {
  return intOption(value, name, 1, Number.MAX_SAFE_INTEGER);
}

/** Any finite number; the parameter schema checks its range (its message names the flag). */
export function numberOption(value: unknown, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number; got "${String(value)}".`);
  return n;
}

export function oneOf<T extends string>(value: unknown, name: string, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`--${name} must be one of ${allowed.join(', ')}; got "${String(value)}".`);
  return value as T;
}

/** A comma-separated list flag, each item checked by `item` (which throws a UsageError naming the flag). */
export function listOption<T>(value: unknown, item: (text: string) => T): T[] | undefined {
  if (value === undefined) return undefined;
  return String(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(item);
}

/** `--resume <job>` continues a job with the settings it started with: any other flag of `options` is refused. */
export function resumeOption(values: Record<string, unknown>, options: Options, what: string): number | undefined {
  const resumeId = idOption(values.resume, 'resume');
  if (resumeId === undefined) return undefined;
  const extra = Object.keys(options).filter((k) => k !== 'resume' && values[k] !== undefined);
  if (extra.length)
    throw new UsageError(
      `--resume continues ${what} with the settings it was started with; drop ${extra.map((k) => `--${k}`).join(', ')}.`,
    );
  return resumeId;
}

/** How the CLI starts its engine worker: a forked process, unless a caller running it in-process chose otherwise. */
let workerLauncher: ((dataDir: string) => WorkerLauncher) | null = null;

/** Runs the engine with `launcher` instead of a forked worker (tests driving the CLI in-process); null restores. */
export function useWorkerLauncher(launcher: WorkerLauncher | null): void {
  workerLauncher = launcher ? () => launcher : null;
}

/** A host on the data folder of --data-dir / WINNOW_DATA_DIR / the default, with an engine worker. */
export function openCliHost(dataDir: string, transport: 'in-process' | 'http'): Promise<WinnowHost> {
  const launcher = workerLauncher ? workerLauncher(dataDir) : forkLauncher({ logFile: workerLogFile(dataDir) });
  return openHost({ dataDir, transport, launcher });
}

export async function withHost<T>(values: { 'data-dir'?: string }, fn: (host: WinnowHost) => Promise<T>): Promise<T> {
  const host = await openCliHost(resolveDataDir(values['data-dir']), 'in-process');
  try {
    return await fn(host);
  } finally {
    await host.close();
  }
}

/** `winnow <thing> list [--dataset <id>]`: the API's list as JSON, a table, or a hint when there is none yet. */
export async function listCommand<T>(args: string[], spec: ListSpec<T>): Promise<number> {
  const { values } = parse(args, spec.options ?? { dataset: { type: 'string' } });
  const input = spec.input ? spec.input(values) : datasetFilter(values);
  const list = (await withHost(values, (h) => h.api.dispatch(spec.method, input as never))) as T[];
  if (values.json) printJson(list);
  else if (list.length === 0) say(spec.empty);
  else say(table(spec.rows(list), spec.columns));
  return EXIT_OK;
}

/** `--dataset <id>` as a list's filter. */
function datasetFilter(values: Record<string, unknown>): { datasetId?: number } {
  const datasetId = idOption(values.dataset, 'dataset');
  return datasetId ? { datasetId } : {};
}

/** A list command: the API method, the table's rows and columns, the hint when the list is empty. */
export interface ListSpec<T> {
  method:
    | 'searches.list'
    | 'evaluations.list'
    | 'compressions.list'
    | 'models.list'
    | 'autoencoders.list'
    | 'datasets.list'
    | 'jobs.list'
    | 'experiments.list';
  /** The command's flags (default: --dataset <id>) and the API input they make (default: that dataset filter). */
  options?: Options;
  input?(values: Record<string, unknown>): unknown;
  rows(list: T[]): Array<Record<string, string | number | null>>;
  columns: string[];
  empty: string;
}
