/**
 * `winnow search ... --estimate` through the built CLI: prints the cost (time, images, disk) and exits without
 * starting a job; --json prints the estimate document; a second estimate of the same shape reads the calibration
 * the first kept in the data folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CostEstimate } from '../../shared/cost.js';
import { COST_CACHE_FILE } from '../../main/store/cost-cache.js';
import { TINY_NB201_SEARCH, flags, runCli } from '../helpers/cli.js';
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
