/**
 * `jobs.estimate` through the API with the engine in this process: the first estimate of a shape times its
 * network (a short calibration, kept in the data folder), the next is read back, a finished run of the same shape
 * refines it, and a job above 30 minutes gets the quick-look preset. The dataset's rows are in the store without
 * pixels: the calibration times random inputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { QUICK_LOOK_SECONDS, WARN_SECONDS, secondsFor, type CostEstimate } from '../../shared/cost.js';
import { searchCount } from '../../shared/cost-kinds.js';
import type { WinnowHost } from '../../main/api/host.js';
import { COST_CACHE_FILE, CostCache } from '../../main/store/cost-cache.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { addSearchDataset } from '../helpers/store.js';

/** Two classes of 8x8 grey images: per class 20 train_w, 20 train_α and 10 test images. */
const addDataset = (h: WinnowHost) => addSearchDataset(h, 'tiny', ['a', 'b'], { w: 20, a: 20, test: 10 });

const estimate = (h: WinnowHost, params: Record<string, unknown>) =>
  h.api.dispatch('jobs.estimate', { kind: 'search', params } as never) as Promise<CostEstimate>;

describe('jobs.estimate', () => {
  it('times the network once, reads it back, and refines it by a finished run', async () => {
    const h = await openTestHost();
    const datasetId = addDataset(h);
    // the NAS-Bench-201 supernet at C = 4: the calibration is a few steps of about 0.2 s on an idle machine
    const params = { datasetId, space: 'nb201', channels: 4, batch: 8, epochs: 2 };
    const first = await estimate(h, params);
    const rate = first.basis.calibrated!;
    expect(rate).toBeGreaterThan(0);
    expect(first.basis.runs).toBe(0);
    // 2 epochs x 40 train_w images, then 20 test images
    expect(first.images).toBe(2 * 40 + 20);
    const count = searchCount(
      { strategy: 'full', epochs: 2, limitPerClass: null, defaultSubset: 100, pruneEvery: 5, pruneTrain: 0.2 },
      {
        classes: 2,
        width: 8,
        height: 8,
        channels: 1,
        perClassHalves: [
          { w: 20, a: 20 },
          { w: 20, a: 20 },
        ],
        testImages: 20,
      },
    );
    expect(first.seconds).toBeCloseTo(secondsFor(count, rate));
    expect(first.diskBytes).toBeGreaterThan(0);
    expect(first.quickLook).toBeNull();
    expect(fs.existsSync(path.join(h.dataDir, COST_CACHE_FILE))).toBe(true);

    // the same shape with other epochs: the calibration is read back, not measured again
    const again = await estimate(h, { ...params, epochs: 4 });
    expect(again.basis.calibrated).toBe(rate);
    expect(again.images).toBe(4 * 40 + 20);

    // a finished run that took three times the calibrated time moves the rate half way to its own
    const job = h.store.jobs.create('search', { ...params, backend: 'auto' }, process.pid);
    const start = Date.now() - 60_000;
    h.store.jobs.appendEvent(job.id, { type: 'state', state: 'running' }, start);
    h.store.jobs.appendEvent(job.id, { type: 'state', state: 'done' }, start + secondsFor(count, 3 * rate) * 1000);
    // one of another shape does not count
    const other = h.store.jobs.create('search', { ...params, channels: 6 }, process.pid);
    h.store.jobs.appendEvent(other.id, { type: 'state', state: 'running' }, start);
    h.store.jobs.appendEvent(other.id, { type: 'state', state: 'done' }, start + 1000);
    const refined = await estimate(h, params);
    expect(refined.basis.runs).toBe(1);
    expect(refined.basis.secondsPerImage! / rate).toBeCloseTo(2, 1);
  });

  it('offers a quick look above 30 minutes that fits in 2', async () => {
    const h = await openTestHost();
    const datasetId = addDataset(h);
    const params = { datasetId, space: 'nb201', channels: 4, batch: 8, epochs: 50 };
    const first = await estimate(h, params);
    // make this shape slow: 2 s per training image (a big network on a slow machine)
    const cache = new CostCache(h.dataDir);
    const key = Object.keys(JSON.parse(fs.readFileSync(path.join(h.dataDir, COST_CACHE_FILE), 'utf8')).entries)[0]!;
    cache.set(key, { ...cache.get(key)!, secondsPerImage: 2 });
    const slow = await estimate(h, params);
    expect(first.basis.calibrated).not.toBe(2);
    expect(slow.seconds).toBeGreaterThan(WARN_SECONDS);
    const look = slow.quickLook!;
    expect(look.seconds).toBeLessThanOrEqual(QUICK_LOOK_SECONDS);
    expect(look.patch.epochs).toBe(3);
    expect(look.changes[0]).toBe('epochs 50 → 3');
    // the patch, estimated, is what the preset says
    const applied = await estimate(h, { ...params, ...look.patch });
    expect(applied.seconds).toBeCloseTo(look.seconds);
    expect(applied.quickLook).toBeNull();
  });

  it('answers what Start would refuse with the refusal, and refuses what it cannot estimate', async () => {
    const h = await openTestHost();
    const datasetId = addDataset(h);
    expect((await estimate(h, { datasetId: datasetId + 1 })).refusal).toMatch(/There is no dataset/);
    const bad = await estimate(h, { datasetId, space: 'nb201', algorithm: 'pc-darts' });
    expect(bad.refusal).toMatch(/PC-DARTS/);
    expect(bad.seconds).toBeNull();
    expect((await rejection(estimate(h, { datasetId, epochs: 0 }))).code).toBe('bad_input');
    const none = await rejection(h.api.dispatch('jobs.estimate', { kind: 'selftest', params: {} } as never));
    expect(none.message).toMatch(/no cost estimate/);
  });
});
