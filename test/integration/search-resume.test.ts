/**
 * "resume continues exactly": a search stopped after its first epoch and resumed from the checkpoint ends with the
 * same α, losses and genotype, bit for bit, as the same search run straight through — for both
 * spaces. Runs the engine's search handler in-process on a small synthetic dataset.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SearchParams, type SearchEpochData, type SearchResult } from '../../shared/search.js';
import type { JobEvent } from '../../shared/jobs.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImageWriter } from '../../main/data/tensor-store.js';
import { JobCancelledError, createJobContext } from '../../main/engine/jobs/context.js';
import { searchHandler } from '../../main/engine/search/darts.js';
import type { SearchJobContext } from '../../main/engine/search/context.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import { tempDir } from '../helpers/tmp.js';

const SIZE = 12;
const CLASSES = 3;
const PER_CLASS = 8;

let tmp: { dir: string; cleanup: () => void };
let host: SearchJobContext;

beforeAll(() => {
  tmp = tempDir('winnow-search-resume-');
  const datasetDir = path.join(tmp.dir, 'dataset');
  fs.mkdirSync(datasetDir);
  const writer = new PackedImageWriter(path.join(datasetDir, IMAGES_FILE), { width: SIZE, height: SIZE, channels: 1 });
  const rng = mulberry32(5);
  const labels: number[] = [];
  const halves: Array<'w' | 'a' | null> = [];
  for (let c = 0; c < CLASSES; c++) {
    for (let i = 0; i < PER_CLASS; i++) {
      // class c: a bright band at row 4c, plus noise
      const px = new Uint8Array(SIZE * SIZE);
      for (let k = 0; k < px.length; k++) px[k] = Math.floor(rng() * 60) + (Math.floor(Math.floor(k / SIZE) / 4) === c ? 180 : 0);
      writer.append(px);
      labels.push(c);
      halves.push(i % 2 ? 'a' : 'w');
    }
  }
  writer.close();
  host = {
    datasetId: 1,
    datasetName: 'bands',
    datasetDir,
    datasetHash: 'sha256:test',
    shape: { width: SIZE, height: SIZE, channels: 1 },
    labels,
    halves,
    classNames: ['a', 'b', 'c'],
    app: 'winnow test',
  };
});

afterAll(() => tmp.cleanup());

async function runSearch(jobDir: string, params: SearchParams, opts: { resume: boolean; stopAfterEpoch?: number }): Promise<{ result: SearchResult | null; epochs: SearchEpochData[] }> {
  const abort = new AbortController();
  const epochs: SearchEpochData[] = [];
  const sink = (e: JobEvent) => {
    if (e.type !== 'search-epoch') return;
    epochs.push(e.data);
    if (opts.stopAfterEpoch === e.data.epoch) abort.abort();
  };
  const ctx = createJobContext({ jobId: 1, jobDir, resume: opts.resume, backendPreference: 'wasm', signal: abort.signal, hostContext: host }, sink);
  try {
    return { result: await searchHandler.run(ctx, params), epochs };
  } catch (e) {
    if (e instanceof JobCancelledError) return { result: null, epochs };
    throw e;
  }
}

describe.each(['darts', 'nb201'] as const)('search resume (%s)', (space) => {
  it('stopping after epoch 1 and resuming gives the same epoch 2 and result as running straight through', async () => {
    const params = SearchParams.parse({ datasetId: 1, space, epochs: 2, batch: 6, channels: 4, cells: space === 'darts' ? 3 : 1, seed: 7, backend: 'wasm' });
    const straight = await runSearch(path.join(tmp.dir, `${space}-straight`), params, { resume: false });
    expect(straight.result).not.toBeNull();

    const dir = path.join(tmp.dir, `${space}-resumed`);
    const first = await runSearch(dir, params, { resume: false, stopAfterEpoch: 1 });
    expect(first.result).toBeNull(); // cancelled at the first step of epoch 2
    expect(first.epochs.map((e) => e.epoch)).toEqual([1]);
    const resumed = await runSearch(dir, params, { resume: true });
    expect(resumed.epochs.map((e) => e.epoch)).toEqual([2]);

    const a = straight.epochs[1]!;
    const b = resumed.epochs[0]!;
    expect(b.alphas).toEqual(a.alphas);
    expect(b.trainLoss).toBe(a.trainLoss);
    expect(b.valLoss).toBe(a.valLoss);
    expect(b.genotype).toEqual(a.genotype);
    expect(resumed.result!.genotypeText).toBe(straight.result!.genotypeText);
    expect(resumed.result!.alphas).toEqual(straight.result!.alphas);
  }, 180_000);
});
