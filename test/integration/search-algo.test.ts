/**
 * Every search algorithm runs a search in-process on the small synthetic dataset, with full and with bdp data
 * selection (the selection stays orthogonal), and resumes exactly: stopped after epoch 1 and resumed, it ends with
 * the same α, losses, schedule and genotype, bit for bit, as the same search run straight through. The genotype's
 * provenance records the algorithm and its parameters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { GenotypeJson } from '../../shared/genotype.js';
import type { SearchParams, SearchAlgorithm, SearchEpochData, SearchResult } from '../../shared/search.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import {
  bandsHostPerFile,
  expectResumedLikeStraight,
  runSearchInProcess,
  stoppedAndResumed,
  tinySearchParams,
} from '../fixtures/search-host.js';

const bands = bandsHostPerFile('winnow-search-algo-');

function runSearch(
  jobDir: string,
  params: SearchParams,
  opts: { resume: boolean; stopAfterEpoch?: number },
): Promise<{ result: SearchResult | null; epochs: SearchEpochData[] }> {
  return runSearchInProcess(jobDir, params, { ...opts, backend: 'wasm' }, bands.host);
}

// each algorithm once with resume, on the cheaper space where it has both (the unit tests check the rules on both);
// PC-DARTS with K=2 at C=4 (each edge's operations get 2 channels, FactorizedReduce halves them) and 2 cells (both
// reductions: the normal α is not trained, which resume must carry as it is). 4 images per class: one step an epoch.
const CASES: Array<[SearchAlgorithm, 'darts' | 'nb201', 'full' | 'bdp', Record<string, unknown>]> = [
  ['darts2', 'nb201', 'bdp', {}],
  ['pc-darts', 'darts', 'full', { alphaWarmupEpochs: 1, partialChannels: 2, cells: 2 }],
  ['beta-darts', 'nb201', 'full', {}],
  ['gdas', 'darts', 'full', {}],
  ['gdas', 'nb201', 'bdp', {}],
];

describe.each(CASES)('search --algorithm %s (%s space, %s selection)', (algorithm, space, strategy, extra) => {
  it('runs 2 epochs, records the algorithm, and resumes exactly', async () => {
    const params = tinySearchParams(space, {
      strategy,
      algorithm,
      limitPerClass: 4,
      pruneEvery: 2,
      seed: 3,
      ...extra,
    });
    const straightDir = path.join(bands.dir, `${algorithm}-${space}-${strategy}-straight`);
    const straight = await runSearch(straightDir, params, { resume: false });
    expect(straight.result).not.toBeNull();
    expect(straight.result!.algorithm).toBe(algorithm);
    for (const e of straight.epochs) expect(Number.isFinite(e.trainLoss)).toBe(true);
    const json = GenotypeJson.parse(
      JSON.parse(fs.readFileSync(path.join(straightDir, SEARCH_FILES.genotypeJson), 'utf8')),
    );
    expect(json.provenance.algorithm).toBe(algorithm);
    if (algorithm === 'gdas') {
      const taus = straight.epochs.map((e) => e.algorithm!.tau!);
      expect(taus[0]).toBe(10);
      expect(taus[1]).toBeCloseTo(0.1, 12);
      expect(json.provenance.algorithmParams).toEqual({ tauMax: 10, tauMin: 0.1 });
    }
    if (algorithm === 'pc-darts') {
      // α frozen in the warm-up epoch: unchanged from its start; β reported per edge
      expect(straight.epochs.map((e) => e.algorithm!.alphaFrozen)).toEqual([1, 0]);
      expect(straight.epochs[0]!.alphas.edges!.normal).toHaveLength(14);
      expect(json.provenance.algorithmParams).toMatchObject({ partialChannels: 2, alphaWarmupEpochs: 1 });
    }
    if (algorithm === 'beta-darts') expect(straight.epochs.map((e) => e.algorithm!.betaDecayLambda)).toEqual([0, 12.5]);

    const dir = path.join(bands.dir, `${algorithm}-${space}-${strategy}-resumed`);
    expectResumedLikeStraight(straight, await stoppedAndResumed(dir, params, 1, bands.host), 1);
  }, 300_000);
});
