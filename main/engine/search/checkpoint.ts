/**
 * Job checkpoints (search, evaluation, the compression study's trainings): a JSON document (epoch, history,
 * strategy state, the index of the arrays), one binary file of float32 arrays, and a manifest with each file's
 * length and SHA-256. A checkpoint is written into a fresh folder and verified (read back and hashed) before it
 * replaces anything; the one it replaces is kept as `<dir>.prev`. Reading verifies too: a damaged checkpoint
 * falls back to the previous one and says so; when none is usable the error names the damaged file and says how
 * to restart the job from scratch.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { JobUserError } from '../jobs/context.js';
import { dataDirOf, describeWriteError } from '../jobs/disk.js';

const META = 'checkpoint.json';
const DATA = 'arrays.f32';
const MANIFEST = 'manifest.json';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointMeta<M> {
  version: number;
  meta: M;
  arrays: Array<{ name: string; offset: number; length: number }>;
}

interface Manifest {
  version: 1;
  files: Record<string, { bytes: number; sha256: string }>;
}

/** No checkpoint of the job can be used; the message names the damaged files and how to restart. */
export class CheckpointDamagedError extends JobUserError {
  override name = 'CheckpointDamagedError';
}

const sha256 = (b: Uint8Array): string => crypto.createHash('sha256').update(b).digest('hex');

function writeSynced(file: string, data: Uint8Array): void {
  const fd = fs.openSync(file, 'w');
  try {
    let off = 0;
    while (off < data.length) off += fs.writeSync(fd, data, off, data.length - off);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export function writeCheckpoint<M>(dir: string, meta: M, arrays: ReadonlyMap<string, Float32Array>): void {
  const tmp = `${dir}.tmp`;
  const prev = `${dir}.prev`;
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true });
  const index: CheckpointMeta<M>['arrays'] = [];
  let offset = 0;
  for (const [name, a] of arrays) {
    index.push({ name, offset, length: a.length });
    offset += a.length;
  }
  const all = new Float32Array(offset);
  for (const { name, offset: o } of index) all.set(arrays.get(name)!, o);
  const data = new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
  const doc = Buffer.from(
    JSON.stringify({ version: CHECKPOINT_VERSION, meta, arrays: index } satisfies CheckpointMeta<M>),
  );
  try {
    writeSynced(path.join(tmp, DATA), data);
    writeSynced(path.join(tmp, META), doc);
    const manifest: Manifest = {
      version: 1,
      files: {
        [DATA]: { bytes: data.length, sha256: sha256(data) },
        [META]: { bytes: doc.length, sha256: sha256(doc) },
      },
    };
    writeSynced(path.join(tmp, MANIFEST), Buffer.from(JSON.stringify(manifest)));
    // what is on disk is what was meant, before it replaces anything
    const problem = inspect<M>(tmp);
    if ('problem' in problem) throw new Error(`The new checkpoint did not read back intact (${problem.problem}).`);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    // a full disk: the job needs room for this checkpoint beside the current and the previous one
    throw describeWriteError(e, dataDirOf(dir), data.length + doc.length);
  }
  if (fs.existsSync(dir)) {
    if ('problem' in inspect<M>(dir)) {
      fs.rmSync(dir, { recursive: true, force: true }); // a damaged current one never replaces a good previous one
    } else {
      fs.rmSync(prev, { recursive: true, force: true });
      fs.renameSync(dir, prev);
    }
  }
  fs.renameSync(tmp, dir);
  fs.rmSync(`${dir}.old`, { recursive: true, force: true }); // the layout of earlier versions
}

type Inspected<M> = { meta: M; arrays: Map<string, Float32Array> } | { problem: string };

/** Reads and verifies one checkpoint folder; a version mismatch throws (it is not damage). */
function inspect<M>(dir: string): Inspected<M> {
  const name = path.basename(dir);
  const read = (file: string): Buffer | null => {
    try {
      return fs.readFileSync(path.join(dir, file));
    } catch {
      return null;
    }
  };
  const metaBytes = read(META);
  if (!metaBytes) return { problem: `${name}/${META} is missing` };
  const data = read(DATA);
  if (!data) return { problem: `${name}/${DATA} is missing` };
  let doc: CheckpointMeta<M>;
  try {
    doc = JSON.parse(metaBytes.toString('utf8')) as CheckpointMeta<M>;
  } catch {
    return { problem: `${name}/${META} is damaged (${metaBytes.length} bytes that are not a whole JSON document)` };
  }
  if (typeof doc?.version === 'number' && doc.version !== CHECKPOINT_VERSION) {
    throw new JobUserError(
      `The checkpoint in ${dir} has version ${doc.version}; this Winnow reads version ${CHECKPOINT_VERSION}. Start the search again.`,
    );
  }
  const manifestBytes = read(MANIFEST);
  if (manifestBytes) {
    let manifest: Manifest;
    try {
      manifest = JSON.parse(manifestBytes.toString('utf8')) as Manifest;
    } catch {
      return { problem: `${name}/${MANIFEST} is damaged` };
    }
    for (const [file, bytes] of [
      [META, metaBytes],
      [DATA, data],
    ] as const) {
      const want = manifest.files?.[file];
      if (!want) return { problem: `${name}/${MANIFEST} does not list ${file}` };
      if (bytes.length !== want.bytes)
        return {
          problem: `${name}/${file} has ${bytes.length} bytes, ${want.bytes} were written (cut short or overwritten)`,
        };
      if (sha256(bytes) !== want.sha256)
        return { problem: `${name}/${file} does not match its checksum (its content changed after it was written)` };
    }
  }
  // structure: also the only check for checkpoints written before manifests existed
  const total = Array.isArray(doc.arrays) ? doc.arrays.reduce((n, a) => Math.max(n, a.offset + a.length), 0) : -1;
  if (!Array.isArray(doc.arrays) || data.length % 4 !== 0 || data.length / 4 < total) {
    return { problem: `${name}/${DATA} has ${data.length} bytes, ${Math.max(0, total) * 4} expected` };
  }
  const all = new Float32Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  const arrays = new Map(doc.arrays.map((a) => [a.name, all.slice(a.offset, a.offset + a.length)]));
  return { meta: doc.meta, arrays };
}

/**
 * The checkpoint in `dir`, or null when there is none. A damaged one falls back to `<dir>.prev` (or `<dir>.old`,
 * left by earlier versions) and `log` says so; when checkpoints exist but none is usable, CheckpointDamagedError.
 */
export function readCheckpoint<M>(
  dir: string,
  log?: (message: string) => void,
): { meta: M; arrays: Map<string, Float32Array> } | null {
  const damaged: string[] = [];
  for (const candidate of [dir, `${dir}.prev`, `${dir}.old`]) {
    if (!fs.existsSync(candidate)) continue;
    const got = inspect<M>(candidate);
    if ('problem' in got) {
      damaged.push(got.problem);
      continue;
    }
    if (damaged.length)
      log?.(
        `The latest checkpoint is damaged (${damaged.join('; ')}); continuing from the previous one (${path.basename(candidate)}), so the last epoch runs again.`,
      );
    return got;
  }
  if (damaged.length === 0) return null;
  const jobId = path.basename(path.dirname(dir));
  throw new CheckpointDamagedError(
    `This job's checkpoint cannot be used: ${damaged.join('; ')}. ` +
      `Restart the job from scratch with \`winnow jobs resume ${jobId} --restart\` (its old files are moved to leftovers/), or start a new one.`,
  );
}
