/**
 * Every search algorithm × {full, dds} × {darts, nb201}: a 2-epoch search in-process on a tiny dataset (3 classes
 * of 8 grey images: 8x8 for full selection, the 28x28 bands fixture for dds, whose autoencoder needs 28 px; C = 4,
 * 2 DARTS cells or 1 NB201 cell per stage, one step an epoch) gives a valid genotype and finite metrics;
 * the combinations an algorithm does not define are refused with the reason. P-DARTS (2 stages of one epoch
 * here) also resumes exactly across its stage boundary: stopped after stage 1 and resumed, it rebuilds stage 2
 * from the same α and ends bit for bit like the straight run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Genotype, GenotypeJson } from '../../shared/genotype.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import {
  SEARCH_ALGORITHMS,
  SEARCH_ALGORITHM_INFO,
  type SearchParams,
  type SearchAlgorithm,
  type SearchSpace,
} from '../../shared/search.js';
import type { SearchJobContext } from '../../main/engine/search/context.js';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import {
  createBandsHost,
  expectResumedLikeStraight,
  runSearchInProcess,
  stoppedAndResumed,
  tinySearchParams,
  writeClassDataset,
} from '../fixtures/search-host.js';
import { tempDir } from '../helpers/tmp.js';
import fs from 'node:fs';
import path from 'node:path';

let dir = '';
/** tiny: 8x8 grey, for full selection; bands: 28x28 grey with stand-in autoencoder codes, for dds (its autoencoder takes 28 px and up). */
const hosts = {} as Record<'full' | 'dds', SearchJobContext>;
let cleanup = (): void => {};

beforeAll(() => {
  const t = tempDir('winnow-search-matrix-');
  ({ dir, cleanup } = t);
  const bands = createBandsHost(dir);
  hosts.dds = { ...bands.host, autoencoder: bands.aeHost };
  const rng = mulberry32(7);
  // class c: rows 2c and 2c+1 bright, plus noise
  const tiny = writeClassDataset(
    dir,
    'tiny',
    { width: 8, height: 8, channels: 1 },
    (k, c) => Math.floor(rng() * 60) + (Math.floor(k / 16) === c ? 180 : 0),
  );
  hosts.full = { ...bands.host, ...tiny, datasetName: 'tiny', shape: { width: 8, height: 8, channels: 1 } };
});
afterAll(() => cleanup());

/** Each algorithm's own settings for a 2-epoch search at C = 4. */
const EXTRA: Record<SearchAlgorithm, Record<string, unknown>> = {
  darts: {},
  darts2: {},
  // K = 2: each edge's operations get 2 channels, which FactorizedReduce halves
  'pc-darts': { partialChannels: 2 },
  'p-darts': { stages: 2, stageCells: [2, 3], skipDropout: [0.3, 0.5] },
  'beta-darts': {},
  gdas: {},
};

function params(algorithm: SearchAlgorithm, space: SearchSpace, strategy: 'full' | 'dds'): SearchParams {
  return tinySearchParams(space, {
    strategy,
    algorithm,
    cells: space === 'darts' ? 2 : 1,
    limitPerClass: 4,
    subset: 4,
    warmupEpochs: 1,
    mastery: 0.01,
    seed: 5,
    ...EXTRA[algorithm],
  });
}

const CASES = SEARCH_ALGORITHMS.flatMap((a) =>
  (['darts', 'nb201'] as const).flatMap((space) => (['full', 'dds'] as const).map((s) => [a, space, s] as const)),
);

describe.each(CASES)('search --algorithm %s on %s with %s selection', (algorithm, space, strategy) => {
  it(
    SEARCH_ALGORITHM_INFO[algorithm].spaces.includes(space) ? 'runs 2 epochs' : 'is refused',
    async () => {
      const jobDir = path.join(dir, `${algorithm}-${space}-${strategy}`);
      const run = runSearchInProcess(
        jobDir,
        params(algorithm, space, strategy),
        { resume: false, backend: 'wasm' },
        hosts[strategy],
      );
      if (!SEARCH_ALGORITHM_INFO[algorithm].spaces.includes(space)) {
        await expect(run).rejects.toThrow(`${SEARCH_ALGORITHM_INFO[algorithm].label} is defined on the DARTS space`);
        return;
      }
      const { result, epochs } = await run;
      expect(epochs).toHaveLength(2);
      for (const e of epochs) {
        for (const v of [e.trainLoss, e.valLoss, e.trainAccuracy, e.valAccuracy]) expect(Number.isFinite(v)).toBe(true);
        for (const row of [...e.alphas.normal, ...(e.alphas.reduce ?? [])])
          expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      }
      expect(Genotype.parse(result!.genotype).space).toBe(space);
      expect(result!.algorithm).toBe(algorithm);
      expect(Number.isFinite(result!.supernetTest!.accuracy)).toBe(true);
    },
    240_000,
  );
});

describe('search --algorithm p-darts', () => {
  it('goes through its stages and resumes exactly across a stage boundary', async () => {
    const p = params('p-darts', 'darts', 'full');
    const straight = await runSearchInProcess(
      path.join(dir, 'pd-straight'),
      p,
      { resume: false, backend: 'wasm' },
      hosts.full,
    );
    const [s1, s2] = straight.epochs.map((e) => e.algorithm!);
    expect(s1).toMatchObject({ stage: 1, stages: 2, stageCells: 2, stageOps: 8, alphaFrozen: 0 });
    expect(s2).toMatchObject({ stage: 2, stages: 2, stageCells: 3, stageOps: 3, alphaFrozen: 0 });
    // one epoch per stage: no warm-up, so the dropout starts at each stage's rate
    expect(s1!.skipDropout).toBe(0.3);
    expect(s2!.skipDropout).toBe(0.5);
    // stage 2 keeps the 3 strongest operations of each edge by stage 1's α
    const kept = straight.epochs[1]!.alphas.kept!;
    const first = straight.epochs[0]!.alphas;
    kept.normal.forEach((cols, e) => {
      expect(cols).toHaveLength(3);
      const row = first.normal[e]!;
      const weakestKept = Math.min(...cols.map((c) => row[c]!));
      row.forEach((v, c) => (cols.includes(c) ? null : expect(v).toBeLessThanOrEqual(weakestKept)));
      straight.epochs[1]!.alphas.normal[e]!.forEach((v, c) => (cols.includes(c) ? null : expect(v).toBe(0)));
    });
    const json = GenotypeJson.parse(
      JSON.parse(fs.readFileSync(path.join(dir, 'pd-straight', SEARCH_FILES.genotypeJson), 'utf8')),
    );
    expect(json.provenance.algorithmParams).toEqual({
      stages: 2,
      stageEpochs: [1, 1],
      stageCells: [2, 3],
      stageOps: [8, 3],
      skipDropout: [0.3, 0.5],
      alphaWarmupEpochs: [0, 0],
      maxSkipConnections: 2,
    });
    const normalSkips = straight.result!.genotype.space === 'darts' ? straight.result!.genotype.normal : [];
    expect(normalSkips.filter(([op]) => op === 'skip_connect').length).toBeLessThanOrEqual(2);

    const resumed = await stoppedAndResumed(path.join(dir, 'pd-resumed'), p, 1, hosts.full);
    expectResumedLikeStraight(straight, resumed, 1);
  }, 240_000);
});
