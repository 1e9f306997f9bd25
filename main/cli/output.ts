/**
 * CLI output rules: `--json` prints exactly one JSON document on stdout and nothing else, errors included
 * (`{"error": {"code", "message"}}`); everything for people (tables, progress bars, messages) goes to stderr.
 * Exit codes: 0 ok, 1 failure (a failed job, damaged or unreadable data, a refused data folder), 2 bad arguments
 * only (an unknown flag, a value out of range, a path that does not exist, a request the API refuses as input).
 */
import { ApiError } from '../api/errors.js';
import { forCli } from '../../shared/cli-hint.js';
import { isResumable, type JobProgress, type JobSummary } from '../../shared/jobs.js';
import { phaseTitle } from '../../shared/progress.js';
import { DataFolderError } from '../store/data-folder.js';
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** An error as the CLI reports it: a stable code, a message a person can act on (its command hints shown), the exit code. */
export function describeFailure(e: unknown): { code: string; message: string; exit: number } {
  const failure = failureOf(e);
  return { ...failure, message: forCli(failure.message) };
}

function failureOf(e: unknown): { code: string; message: string; exit: number } {
  if (e instanceof UsageError) return { code: 'usage', message: e.message, exit: EXIT_USAGE };
  if (e instanceof ApiError)
    return { code: e.code, message: e.message, exit: e.code === 'bad_input' ? EXIT_USAGE : EXIT_FAILURE };
  if (e instanceof DataFolderError) return { code: 'data_folder', message: e.message, exit: EXIT_FAILURE };
  const code = String((e as { code?: unknown } | null)?.code ?? '');
  const message = e instanceof Error ? e.message || e.name : String(e);
  if (code === 'ENOSPC' || code === 'SQLITE_FULL')
    return {
      code: 'disk_full',
      message: `The disk is full: ${message}. Free some space in the data folder, then try again.`,
      exit: EXIT_FAILURE,
    };
  return { code: 'failure', message, exit: EXIT_FAILURE };
}

export const say = (line = ''): void => void process.stderr.write(line + '\n');
export const printJson = (value: unknown): void => void process.stdout.write(JSON.stringify(value, null, 2) + '\n');

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/** A one-line progress bar redrawn in place on a TTY; silent otherwise. */
/** The progress bar's label: the phase under way, then the engine's message ("Embedding (part 2 of 2): …"). */
export function progressLabel(p: Pick<JobProgress, 'message' | 'phase' | 'phaseIndex' | 'phaseCount'>): string {
  const phase = phaseTitle(p);
  return [phase, p.message].filter(Boolean).join(': ');
}

export class ProgressBar {
  private lastLen = 0;
  constructor(private readonly stream: NodeJS.WriteStream = process.stderr) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  update(fraction: number, label: string, etaSeconds?: number): void {
    if (!this.enabled) return;
    const width = 28;
    const filled = Math.round(Math.min(1, Math.max(0, fraction)) * width);
    const eta = etaSeconds !== undefined ? `, ETA ${formatDuration(etaSeconds)}` : '';
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}% ${label}${eta}`;
    this.stream.write('\r' + line.padEnd(this.lastLen));
    this.lastLen = line.length;
  }

  done(): void {
    if (this.enabled && this.lastLen > 0) this.stream.write('\n');
    this.lastLen = 0;
  }
}

export function table(rows: Array<Record<string, string | number | null>>, columns: string[]): string {
  const cell = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    line(columns),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(columns.map((c) => cell(r[c])))),
  ].join('\n');
}

/** `: why.` for a stopped job's line, with a full stop unless its message ends a sentence. */
export function stopReason(job: JobSummary): string {
  return job.message ? `: ${job.message}${/[.!?]$/.test(job.message.trim()) ? '' : '.'}` : '.';
}

/** ` Continue it with \`winnow <command> --resume N\`.` for a job that can continue and whose message does not say so. */
export function resumeHint(job: JobSummary, command: string): string {
  return isResumable(job.state) && !/resume/i.test(job.message ?? '')
    ? ` Continue it with \`winnow ${command} --resume ${job.id}\`.`
    : '';
}
