/**
 * Full and read-only disks, said plainly. ENOSPC (or a quota) anywhere a job writes becomes "the disk holding
 * <data folder> is full (needs about N MB)"; EROFS becomes "<folder> is read-only". No stack trace, no errno.
 */
import fs from 'node:fs';
import path from 'node:path';
import { JobUserError } from './context.js';

const FULL_CODES = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const READ_ONLY_CODES = new Set(['EROFS', 'SQLITE_READONLY']);

const codeOf = (e: unknown): string => String((e as { code?: unknown } | null)?.code ?? '');

export const isDiskFull = (e: unknown): boolean => FULL_CODES.has(codeOf(e));
export const isReadOnly = (e: unknown): boolean => READ_ONLY_CODES.has(codeOf(e));

/** The data folder of a job folder (<data folder>/jobs/<id>). */
export const dataDirOfJob = (jobDir: string): string => path.dirname(path.dirname(jobDir));

/** The data folder of anything inside a job folder (the parent of the nearest `jobs` folder above it). */
export function dataDirOf(p: string): string {
  for (let d = path.dirname(p); path.dirname(d) !== d; d = path.dirname(d))
    if (path.basename(d) === 'jobs') return path.dirname(d);
  return path.dirname(p);
}

/** Free bytes on the disk holding `dir`, or null when the platform cannot say. */
export function freeBytes(dir: string): number | null {
  try {
    const s = fs.statfsSync(dir);
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

const MB = 1 << 20;

export function diskFullMessage(folder: string, neededBytes: number): string {
  const needed = Math.max(1, Math.ceil(neededBytes / MB));
  return `The disk holding ${folder} is full (needs about ${needed} MB). Free some space there, then run the job again (resume it, or start it anew).`;
}

export function readOnlyMessage(folder: string): string {
  return `The data folder ${folder} is read-only: Winnow cannot write there. Make it writable, or choose another data folder with --data-dir DIR (or WINNOW_DATA_DIR).`;
}

/** A job ran out of disk space; the message is the one above. */
export class DiskFullError extends JobUserError {
  constructor(
    readonly folder: string,
    readonly neededBytes: number,
  ) {
    super(diskFullMessage(folder, neededBytes));
    this.name = 'DiskFullError';
  }
}

/**
 * A write error as the job's failure: disk full (with what the job needed, when the caller knows it) or read-only
 * become JobUserErrors; anything else is returned unchanged.
 */
export function describeWriteError(e: unknown, folder: string, neededBytes?: number): unknown {
  if (e instanceof DiskFullError || !(e instanceof Error)) return e;
  if (isDiskFull(e)) return new DiskFullError(folder, neededBytes ?? 0);
  if (isReadOnly(e)) return new JobUserError(readOnlyMessage(folder));
  return e;
}
