/**
 * Mined vs random NASWOT mini-batches on the MNIST sample (issue #19, [Poyser-thesis] Table 17): a dds-untrained
 * search on NAS-Bench-201 mines its subset; then, per seed, a `naswot` job ranks the same N random cells twice —
 * batches drawn at random from the training split, and batches from the search's last subset — and the top-1 of each
 * is measured by its validation (train_α) accuracy with weights inherited from one weight-sharing supernet (trained
 * once here, uniform single-path sampling; BN recalibrated per cell). Jobs run through the API, engine in-process.
 *
 *   npx tsx test/bench/naswot-mined.ts [--seeds 5] [--sample 200] [--batch 32] [--repeats 1] [--channels 8]
 *                                      [--search-epochs 4] [--supernet-epochs 10] [--supernet-lr 0.1]
 *                                      [--limit-per-class 200]
 *
 * Prints one JSON document: per source, the top-1 cells and their inherited-weight accuracies, mean ± std over the
 * seeds, the mean NASWOT score of the top-1, and the times.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ImportResult } from '../../shared/datasets.js';
import type { JobSummary } from '../../shared/jobs.js';
import type { NaswotResult } from '../../shared/naswot.js';
import { openHost } from '../../main/api/host.js';
import { searchDatasetFacts } from '../../main/api/searches.js';
import { channelStats } from '../../main/data/batches.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImages } from '../../main/data/tensor-store.js';
import { meanStd } from '../../main/engine/naswot/rank.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../../main/engine/nn/prng.js';
import { searchPools } from '../../main/engine/search/darts.js';
import {
  InheritedWeightEvaluator,
  trainSinglePath,
  type OneShotData,
} from '../../main/engine/search/oneshot/evaluator.js';
import { Nb201SinglePath } from '../../main/engine/spaces/nb201/single-path.js';
import { archFromIndex } from '../../main/engine/spaces/nb201/space.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';

const { values } = parseArgs({
  options: {
    seeds: { type: 'string', default: '5' },
    sample: { type: 'string', default: '200' },
    batch: { type: 'string', default: '32' },
    repeats: { type: 'string', default: '1' },
    channels: { type: 'string', default: '8' },
    'search-epochs': { type: 'string', default: '4' },
    'supernet-epochs': { type: 'string', default: '10' },
    'supernet-lr': { type: 'string', default: '0.1' },
    'limit-per-class': { type: 'string', default: '200' },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
const limitPerClass = n('limit-per-class');
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'winnow-bench-naswot-mined-'));
const host = await openHost({ dataDir, transport: 'in-process', launcher: inProcessLauncher() });

async function run(kind: string, params: Record<string, unknown>): Promise<JobSummary> {
  const started = (await host.api.dispatch('jobs.start', { kind, params })) as JobSummary;
  await host.supervisor.whenIdle();
  const job = host.store.jobs.get(started.id)!;
  if (job.state !== 'done') throw new Error(`${kind} job ${job.id} ended ${job.state}: ${job.message}`);
  return job;
}

try {
  const datasetId = ((await run('import', { source: { kind: 'mnist-sample' } })).result as ImportResult).id;
  let t = performance.now();
  const search = await run('search', {
    datasetId,
    space: 'nb201',
    strategy: 'dds-untrained',
    epochs: n('search-epochs'),
    warmupEpochs: 1,
    channels: 4,
    cells: 1,
    batch: 32,
    limitPerClass,
    seed: 0,
    backend: 'wasm',
  });
  const searchSeconds = (performance.now() - t) / 1000;

  // one weight-sharing supernet for every top-1
  const facts = searchDatasetFacts(host.store, datasetId)!;
  const context = { labels: facts.labels, halves: facts.halves, classNames: facts.detail.classNames };
  const pools = searchPools(context, limitPerClass, 0);
  const shape = { width: facts.detail.width, height: facts.detail.height, channels: facts.detail.channels };
  const images = PackedImages.load(path.join(host.store.datasets.dir(datasetId)!, IMAGES_FILE), shape);
  const data: OneShotData = { images, labels: facts.labels, norm: channelStats(images, pools.train), size: null };
  const net = new Nb201SinglePath({
    channels: n('channels'),
    cells: 1,
    inChannels: shape.channels,
    classes: facts.detail.classNames.length,
    seed: 1,
  });
  t = performance.now();
  const trained = await trainSinglePath(net, data, pools.train, {
    epochs: n('supernet-epochs'),
    batch: 64,
    lr: n('supernet-lr'),
    lrMin: 0.001,
    momentum: 0.9,
    weightDecay: 3e-4,
    gradClip: 5,
    seed: 1,
  });
  const supernetSeconds = (performance.now() - t) / 1000;
  console.error(
    `search ${search.id} done in ${searchSeconds.toFixed(0)} s; supernet trained in ${supernetSeconds.toFixed(0)} s, loss ${trained.loss.toFixed(3)}`,
  );
  const rng = mulberry32(deriveSeed(1, 'bench-calibration'));
  const evaluator = new InheritedWeightEvaluator(net, data, {
    calibration: Array.from({ length: 4 }, () => (shuffleInPlace([...pools.train], rng) as number[]).slice(0, 64)),
    validation: pools.val,
    batch: 128,
  });

  const sources: Record<string, { cells: string[]; accuracies: number[]; scores: number[]; seconds: number[] }> = {};
  for (const source of ['random', 'mined'] as const) {
    const out = (sources[source] = {
      cells: [] as string[],
      accuracies: [] as number[],
      scores: [] as number[],
      seconds: [] as number[],
    });
    for (let seed = 0; seed < n('seeds'); seed++) {
      const job = await run('naswot', {
        datasetId,
        sample: n('sample'),
        channels: n('channels'),
        cells: 1,
        batch: n('batch'),
        repeats: n('repeats'),
        limitPerClass,
        seed,
        backend: 'wasm',
        minedFrom: source === 'mined' ? search.id : null,
      });
      const r = job.result as NaswotResult;
      out.cells.push(r.chosen.text);
      out.accuracies.push(evaluator.accuracy(archFromIndex(r.top[0]!.index)));
      out.scores.push(r.chosen.mean ?? -Infinity);
      out.seconds.push(r.seconds);
      console.error(`${source} seed ${seed}: ${r.chosen.text} ${(out.accuracies.at(-1)! * 100).toFixed(1)}%`);
    }
  }
  const summary = Object.fromEntries(
    Object.entries(sources).map(([k, v]) => [
      k,
      { top1Accuracy: meanStd(v.accuracies), top1Score: meanStd(v.scores), ...v },
    ]),
  );
  console.log(
    JSON.stringify(
      {
        bench: 'naswot-mined',
        dataset: 'MNIST sample',
        settings: { ...values },
        search: { id: search.id, seconds: searchSeconds },
        supernet: {
          seconds: supernetSeconds,
          loss: trained.loss,
          trainImages: pools.train.length,
          valImages: pools.val.length,
        },
        results: summary,
      },
      null,
      2,
    ),
  );
  net.dispose();
} finally {
  await host.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
