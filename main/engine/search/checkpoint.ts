/**
 * Search checkpoints: a JSON document (epoch, history, strategy state, the index of the arrays) plus one binary
 * file of float32 arrays, written into a fresh folder and swapped in by rename, so a kill at any moment leaves
 * either the previous checkpoint or the new one, never half of each.
 */
import fs from 'node:fs';
import path from 'node:path';

const META = 'checkpoint.json';
const DATA = 'arrays.f32';
export const CHECKPOINT_VERSION = 1;

export interface CheckpointMeta<M> {
  version: number;
  meta: M;
  arrays: Array<{ name: string; offset: number; length: number }>;
}

export function writeCheckpoint<M>(dir: string, meta: M, arrays: ReadonlyMap<string, Float32Array>): void {
  const tmp = `${dir}.tmp`;
  const old = `${dir}.old`;
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
  fs.writeFileSync(path.join(tmp, DATA), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  const doc: CheckpointMeta<M> = { version: CHECKPOINT_VERSION, meta, arrays: index };
  fs.writeFileSync(path.join(tmp, META), JSON.stringify(doc));
  // keep a lone `.old` (a kill between the two renames last time) until the new checkpoint is in place
  if (fs.existsSync(dir)) {
    fs.rmSync(old, { recursive: true, force: true });
    fs.renameSync(dir, old);
  }
  fs.renameSync(tmp, dir);
  fs.rmSync(old, { recursive: true, force: true });
}

/** The checkpoint in `dir`, or null when there is none (a kill between the two renames leaves `.old`: use it). */
export function readCheckpoint<M>(dir: string): { meta: M; arrays: Map<string, Float32Array> } | null {
  const candidates = [dir, `${dir}.old`];
  const found = candidates.find((d) => fs.existsSync(path.join(d, META)) && fs.existsSync(path.join(d, DATA)));
  if (!found) return null;
  const doc = JSON.parse(fs.readFileSync(path.join(found, META), 'utf8')) as CheckpointMeta<M>;
  if (doc.version !== CHECKPOINT_VERSION) throw new Error(`The checkpoint in ${found} has version ${doc.version}; this Winnow reads version ${CHECKPOINT_VERSION}. Start the search again.`);
  const buf = fs.readFileSync(path.join(found, DATA));
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const arrays = new Map(doc.arrays.map((a) => [a.name, all.slice(a.offset, a.offset + a.length)]));
  return { meta: doc.meta, arrays };
}
