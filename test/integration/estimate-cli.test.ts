/**
 * `winnow search ... --estimate` through the built CLI: prints the cost (time, images, disk) and exits without
 * starting a job; --json prints the estimate document; a second estimate of the same shape reads the calibration
 * the first kept in the data folder. The autoencoder, the evaluation and the compression study answer the same way
 * (each timing its own network); an evaluation and a study of one network share its calibration, and so do a
 * NASWOT ranking and a DSM-NAS search of one NAS-Bench-201 network.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostEstimate } from '../../shared/cost.js';
import { COST_CACHE_FILE } from '../../main/store/cost-cache.js';
import { TINY_CNN, TINY_NB201_SEARCH, flags, runCli } from '../helpers/cli.js';
import { cliDataFolder, runCliJson, withStoreAt } from '../helpers/cli-data.js';

const data = cliDataFolder(['dataset', 'sample', 'mnist'], 180_000);
const dataDir = data.dir;

describe('winnow search --estimate', () => {
  it('prints the cost and starts nothing', async () => {
    const args = ['search', ...flags({ dataset: data.datasetId, ...TINY_NB201_SEARCH }), '--estimate'];
    const r = await runCli(args, dataDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^Time: about \d+ (s|min)$/m);
    expect(r.stderr).toMatch(/ms per training image on wasm, timed on this machine/);
    // 3 epochs x 20 train_w images (2 per class), then the sample's 2,000 test images
    expect(r.stderr).toMatch(
      /^Images processed: 2,060 \(3 epochs × 20 training images; 2,000 test images at the end\)$/m,
    );
    expect(r.stderr).toMatch(/^Disk: about [\d.]+ [KM]B$/m);
    expect(withStoreAt(dataDir, (s) => s.jobs.list({ limit: 10, kind: 'search' }))).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, COST_CACHE_FILE))).toBe(true);

    // the same network with more epochs: the kept calibration, the count follows the epochs
    const e = await runCliJson<CostEstimate>(
      ['search', ...flags({ dataset: data.datasetId, ...TINY_NB201_SEARCH, epochs: 6 }), '--estimate'],
      dataDir,
    );
    expect(e.images).toBe(6 * 20 + 2000);
    expect(e.basis.calibrated).toBeGreaterThan(0);
    expect(e.quickLook).toBeNull();
  });

  it('refuses --estimate with --resume', async () => {
    const r = await runCli(['search', '--resume', '1', '--estimate'], dataDir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--estimate is for a new job/);
  });
});

describe('--estimate for the other job kinds', () => {
  const noJobs = () =>
    expect(withStoreAt(dataDir, (s) => s.jobs.list({ limit: 10 }).filter((j) => j.kind !== 'import'))).toEqual([]);

  it('winnow ae train: its epochs over the 8,000 training images, then every image embedded', async () => {
    const r = await runCli(
      ['ae', 'train', ...flags({ dataset: data.datasetId, epochs: 2, backend: 'wasm' }), '--estimate'],
      dataDir,
    );
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/ms per training image on wasm, timed on this machine/);
    // 2 x 8,000 trained; 2,048 for the batch-norm statistics, 10,000 embedded, 2,000 test images reconstructed
    expect(r.stderr).toMatch(
      /^Images processed: 30,048 \(2 epochs × 8,000 training images; 10,000 images embedded\)$/m,
    );
    noJobs();
  });

  let evaluateRate = 0;
  it('winnow evaluate: whole batches of the limited training images, a test pass after every epoch', async () => {
    const e = await runCliJson<CostEstimate>(
      ['evaluate', ...flags({ dataset: data.datasetId, ...TINY_CNN, limitPerClass: 4, backend: 'wasm' }), '--estimate'],
      dataDir,
    );
    expect(e.images).toBe(32 + 2000); // 40 images: 2 batches of 16; the 2,000 test images
    expect(e.seconds).toBeGreaterThan(0);
    expect(e.diskBytes).toBeGreaterThan(0);
    evaluateRate = e.basis.calibrated!;
    expect(evaluateRate).toBeGreaterThan(0);
    noJobs();
  });

  it("winnow compress: the grid encoded, the baseline trained, its tests; the evaluation's calibration", async () => {
    const e = await runCliJson<CostEstimate>(
      [
        'compress',
        ...flags({ dataset: data.datasetId, ...TINY_CNN, limitPerClass: 4, qualities: '50,95', backend: 'wasm' }),
        '--estimate',
      ],
      dataDir,
    );
    // 2 points x 10,000 images encoded (grey: one subsampling); 32 training images; tests: the baseline's epoch,
    // the originals, the 2 points
    expect(e.images).toBe(20_000 + 32 + 4 * 2000);
    expect(e.parts[0]).toBe('2 grid points × 10,000 images encoded');
    // the same network at the same batch as the evaluation above: timed once
    expect(e.basis.calibrated).toBe(evaluateRate);
    noJobs();
  });

  // the NAS-Bench-201 kinds' tiny network: C=2, 8x8 input, supernet batch 8, 4 images per class (2 per half)
  let nb201Rate = 0;
  const nb201 = { channels: 2, cells: 1, inputSize: 8, supernetBatch: 8, calibrationBatches: 1, limitPerClass: 4 };

  it("winnow naswot: each cell's mini-batches, the supernet and the checked cells, at the single-path rate", async () => {
    const e = await runCliJson<CostEstimate>(
      [
        'naswot',
        ...flags({
          datasetId: data.datasetId,
          ...nb201,
          sample: 10,
          batch: 8,
          repeats: 1,
          kendall: true,
          kendallSample: 5,
        }),
        ...flags({ supernetEpochs: 1, backend: 'wasm' }),
        '--estimate',
      ],
      dataDir,
    );
    // 10 cells x 1 batch of 8; 20 train_w images: 2 whole batches of 8; 5 cells x (1 BN batch of 8 + 20 train_α)
    expect(e.images).toBe(80 + 16 + 5 * 28);
    expect(e.parts[0]).toBe('10 cells × 1 mini-batch of 8 images, scored without training');
    nb201Rate = e.basis.calibrated!;
    expect(nb201Rate).toBeGreaterThan(0);
    expect(e.diskBytes).toBeGreaterThan(0);
    noJobs();
  });

  it('winnow search --algorithm dsm: the supernet, then K centres and one proposal per iteration', async () => {
    const r = await runCli(
      [
        'search',
        '--algorithm',
        'dsm',
        ...flags({
          dataset: data.datasetId,
          ...nb201,
          iterations: 5,
          subspaces: 2,
          supernetEpochs: 1,
          backend: 'wasm',
        }),
        '--estimate',
      ],
      dataDir,
    );
    expect(r.code, r.stderr).toBe(0);
    // the naswot estimate above timed the same network: its calibration is read, not timed again
    expect(r.stderr).toContain(
      `(${(nb201Rate * 1000).toFixed(1)} ms per training image on wasm, timed on this machine)`,
    );
    // 2 whole batches of 8 train_w images; (2 + 5) cells x 28 images
    expect(r.stderr).toMatch(
      /^Images processed: 212 \(1 supernet epoch × 16 training images; up to 7 cells tested on 28 images each \(no training\)\)$/m,
    );
    noJobs();
  });
});
