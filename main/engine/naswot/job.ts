/**
 * The `naswot` job: rank NAS-Bench-201 cells without training [NASWOT]. Each cell of the sample (all 15,625 or N
 * drawn at random) is scored on `repeats` mini-batches, repeat r with its own network initialisation and batch,
 * drawn at random from the training split or from the subset a DDS search mined last ([Poyser-thesis] §4.5,
 * Table 17); the score is the mean, the spread their standard deviation. Scores stream out per chunk (a live
 * histogram). Optionally a weight-sharing supernet is trained (search/oneshot/) and Kendall's τ between the
 * scores and the cells' inherited-weight validation accuracy is reported.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { formatNb201 } from '../../../shared/genotype/text.js';
import { NaswotParams, type NaswotRanked, type NaswotResult } from '../../../shared/naswot.js';
import { channelStats } from '../../data/batches.js';
import { IMAGES_FILE } from '../../data/staged.js';
import { PackedImages } from '../../data/tensor-store.js';
import { selectBackend } from '../backend/ladder.js';
import { JobUserError, type JobContext } from '../jobs/context.js';
import type { JobHandler } from '../jobs/handler.js';
import { writeGenotypeFile } from '../jobs/genotype-file.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { searchPools } from '../search/darts.js';
import {
  InheritedWeightEvaluator,
  batchOf,
  calibrationRows,
  saveSupernet,
  trainJobSupernet,
  type OneShotData,
} from '../search/oneshot/evaluator.js';
import { Nb201SinglePath } from '../spaces/nb201/single-path.js';
import { archFromIndex, archText, genotypeOfArch, sampleIndices } from '../spaces/nb201/space.js';
import { NASWOT_FILES, naswotRefusal, type NaswotJobContext } from './context.js';
import { byScore, evenlySpaced, kendallTau, meanStd } from './rank.js';
import { naswotScore } from './score.js';

/** Cells per `naswot-chunk` event. */
export const NASWOT_CHUNK = 25;

interface Scored {
  index: number;
  scores: number[];
  mean: number | null;
  std: number | null;
}

/** The sample of cell indices for a seed, ascending. */
export function naswotSample(params: Pick<NaswotParams, 'sample' | 'seed'>): number[] {
  return sampleIndices(params.sample, mulberry32(deriveSeed(params.seed, 'naswot-sample'))).sort((a, b) => a - b);
}

/** Repeat r's mini-batch: `batch` rows of the pool in a seeded order. */
export function naswotBatchRows(pool: readonly number[], batch: number, seed: number, repeat: number): number[] {
  return (shuffleInPlace([...pool], mulberry32(deriveSeed(seed, `naswot-batch:${repeat}`))) as number[]).slice(
    0,
    batch,
  );
}

function csvOf(rows: Scored[], repeats: number): string {
  const head = ['index', 'cell', 'mean', 'std', ...Array.from({ length: repeats }, (_, r) => `score_${r + 1}`)].join(
    ',',
  );
  return `${[head, ...rows.map((s) => [s.index, archText(s.index), s.mean ?? '', s.std ?? '', ...s.scores.map((v) => (Number.isFinite(v) ? v : '-inf'))].join(','))].join('\n')}\n`;
}

async function run(ctx: JobContext<NaswotJobContext>, params: NaswotParams): Promise<NaswotResult> {
  const c = ctx.hostContext;
  // scoring needs no training; the optional check trains a supernet, then tests the sampled cells on it
  ctx.phases([
    { name: 'scoring', weight: 1 },
    ...(params.kendall
      ? [
          { name: 'training', weight: 3 },
          { name: 'checking', weight: 1 },
        ]
      : []),
  ]);
  const backend = (await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend)).selected;
  const classes = c.classNames.length;
  const pools = searchPools(c, params.limitPerClass, params.seed);
  const pool = c.mined ? c.mined.rows : [...pools.train, ...pools.val].sort((a, b) => a - b);
  const refusal = naswotRefusal(params, {
    name: c.datasetName,
    classes,
    ...c.shape,
    pool: pool.length,
    trainW: pools.train.length,
    trainA: pools.val.length,
  });
  if (refusal) throw new JobUserError(refusal);
  const size = params.inputSize ?? c.shape.width;
  const images = PackedImages.load(path.join(c.datasetDir, IMAGES_FILE), c.shape);
  const data: OneShotData = {
    images,
    labels: c.labels,
    norm: channelStats(images, pools.train.length ? pools.train : pool),
    size,
  };
  const sample = naswotSample(params);
  const config = (seed: number) => ({
    channels: params.channels,
    cells: params.cells,
    inChannels: c.shape.channels,
    classes,
    seed,
  });
  const nets = Array.from(
    { length: params.repeats },
    (_, r) => new Nb201SinglePath(config(deriveSeed(params.seed, `naswot-init:${r}`))),
  );
  const batches = Array.from({ length: params.repeats }, (_, r) =>
    batchOf(data, naswotBatchRows(pool, params.batch, params.seed, r)),
  );
  const source = c.mined
    ? `the ${pool.length} images search ${c.mined.searchId} mined in its epoch ${c.mined.epoch}`
    : `random training images (pool of ${pool.length})`;
  ctx.log(
    'info',
    `Backend ${backend}. Scoring ${sample.length.toLocaleString('en')} NAS-Bench-201 cells at C=${params.channels}, ${params.cells} cell${params.cells === 1 ? '' : 's'} per stage, ${size}x${size} input, ${params.repeats} mini-batch${params.repeats === 1 ? '' : 'es'} of ${params.batch} from ${source}.`,
  );
  const scored: Scored[] = [];
  const t0 = performance.now();
  let supernetPath: string | null = null;
  try {
    for (let start = 0; start < sample.length; start += NASWOT_CHUNK) {
      const chunk = sample.slice(start, start + NASWOT_CHUNK);
      const out: Scored[] = [];
      for (const index of chunk) {
        ctx.checkCancelled();
        const arch = archFromIndex(index);
        const scores = nets.map((net, r) => naswotScore(net, arch, batches[r]!.x));
        out.push({ index, scores, ...meanStd(scores) });
      }
      scored.push(...out);
      ctx.emit({
        type: 'naswot-chunk',
        data: { done: scored.length, total: sample.length, indices: chunk, scores: out.map((s) => s.mean) },
      });
      ctx.progress({
        done: scored.length,
        total: sample.length,
        phase: 'scoring',
        message: `Scored ${scored.length} of ${sample.length} cells`,
      });
      await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - t0) / 1000;
    const ranked = [...scored].sort(byScore);
    const best = ranked[0]!;
    const chosen = genotypeOfArch(archFromIndex(best.index));
    ctx.log(
      'info',
      `Scored ${scored.length} cells in ${seconds.toFixed(1)} s (${(scored.length / seconds).toFixed(1)} cells/s). Best: ${formatNb201(chosen)} (${best.mean?.toFixed(2) ?? '−∞'} ± ${best.std?.toFixed(2) ?? '−'}).`,
    );
    fs.mkdirSync(ctx.jobDir, { recursive: true });
    const scoresCsv = path.join(ctx.jobDir, NASWOT_FILES.scoresCsv);
    fs.writeFileSync(scoresCsv, csvOf(ranked, params.repeats));
    ctx.emit({ type: 'artifact', name: 'scores', path: scoresCsv, mime: 'text/csv' });

    let kendall: NaswotResult['kendall'] = null;
    const accuracies = new Map<number, number>();
    if (params.kendall) {
      const t1 = performance.now();
      const net = new Nb201SinglePath(config(deriveSeed(params.seed, 'oneshot-init')));
      try {
        const trained = await trainJobSupernet(ctx, net, data, pools.train, {
          epochs: params.supernetEpochs,
          batch: params.supernetBatch,
          lr: params.supernetLr,
          seed: params.seed,
        });
        supernetPath = path.join(ctx.jobDir, NASWOT_FILES.supernetDir);
        saveSupernet(supernetPath, net, {
          epochs: params.supernetEpochs,
          steps: trained.steps,
          loss: trained.loss,
          seed: params.seed,
          inputSize: size,
        });
        ctx.emit({ type: 'artifact', name: 'supernet', path: supernetPath });
        const supernetSeconds = (performance.now() - t1) / 1000;
        const calibration = calibrationRows(pools.train, params.calibrationBatches, params.supernetBatch, params.seed);
        const evaluator = new InheritedWeightEvaluator(net, data, {
          calibration,
          validation: pools.val,
          batch: params.supernetBatch,
        });
        const picks = evenlySpaced(ranked.length, params.kendallSample).map((i) => ranked[i]!);
        const t2 = performance.now();
        for (const [i, s] of picks.entries()) {
          ctx.checkCancelled();
          accuracies.set(s.index, evaluator.accuracy(archFromIndex(s.index)));
          ctx.progress({
            done: i + 1,
            total: picks.length,
            phase: 'checking',
            message: `Inherited-weight accuracy: ${i + 1} of ${picks.length} cells`,
          });
          await new Promise((r) => setImmediate(r));
        }
        const tau = kendallTau(
          picks.map((s) => s.mean ?? -Infinity),
          picks.map((s) => accuracies.get(s.index)!),
        );
        const top = picks.reduce((a, s) => (accuracies.get(s.index)! > accuracies.get(a.index)! ? s : a));
        kendall = {
          tau,
          cells: picks.length,
          supernetSeconds,
          evaluateSeconds: (performance.now() - t2) / 1000,
          chosenAccuracy: accuracies.get(best.index)!,
          best: { text: archText(top.index), accuracy: accuracies.get(top.index)! },
        };
        ctx.metric('kendall_tau', tau);
        ctx.log(
          'info',
          `Kendall's τ between NASWOT score and inherited-weight accuracy over ${picks.length} cells: ${tau.toFixed(3)}. The chosen cell: ${(kendall.chosenAccuracy * 100).toFixed(1)}%.`,
        );
      } finally {
        net.dispose();
      }
    }

    const top: NaswotRanked[] = ranked.slice(0, params.top).map((s) => ({
      index: s.index,
      text: archText(s.index),
      mean: s.mean,
      std: s.std,
      ...(accuracies.has(s.index) ? { accuracy: accuracies.get(s.index)! } : {}),
    }));
    const genotypeJson = path.join(ctx.jobDir, NASWOT_FILES.genotypeJson);
    writeGenotypeFile(ctx, genotypeJson, chosen, {
      space: 'nb201',
      strategy: c.mined ? `naswot-mined:${c.mined.searchId}` : 'naswot-random',
      seed: params.seed,
      epochs: 0,
      alphas: null,
      metrics: {
        ...(best.mean !== null ? { naswotMean: best.mean, naswotStd: best.std! } : {}),
        cellsScored: scored.length,
        seconds,
        ...(kendall ? { kendallTau: kendall.tau, inheritedAccuracy: kendall.chosenAccuracy } : {}),
      },
    });
    ctx.metric('cells_per_second', scored.length / seconds);
    return {
      space: 'nb201',
      scored: scored.length,
      repeats: params.repeats,
      batch: params.batch,
      inputSize: size,
      channels: params.channels,
      images: { source: c.mined ? 'mined' : 'random', searchId: c.mined?.searchId ?? null, pool: pool.length },
      top,
      chosen: { genotype: chosen, text: formatNb201(chosen), mean: best.mean, std: best.std },
      seconds,
      cellsPerSecond: scored.length / seconds,
      kendall,
      backend,
      files: { scoresCsv, genotypeJson, supernet: supernetPath },
    };
  } finally {
    for (const n of nets) n.dispose();
    for (const b of batches) tf.dispose([b.x, b.labels]);
  }
}

export const naswotHandler: JobHandler<NaswotParams, NaswotResult, NaswotJobContext> = {
  kind: 'naswot',
  params: NaswotParams,
  // a ranking takes minutes at most; resume runs it again (same seed, same scores)
  resumable: false,
  run,
};
