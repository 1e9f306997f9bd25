/**
 * The `dsm-search` job: DSM-NAS ([DSM-NAS] Algorithm 1) over NAS-Bench-201 with weights inherited from a
 * single-path supernet (search/oneshot/). Line 1: the supernet is trained here (uniform single-path sampling) or
 * reused from a finished naswot / dsm-search job. Lines 2–3: K centres, random or given (DSM-NAS+), evaluated, and
 * the subspace graph. Lines 4–17, once per iteration: the global policy picks a subspace, the local policy a
 * proposal β within distance M of its centre α, the reward is R(β|α) = acc(β, w_β) − acc(α, w_α), β replaces α
 * when it is better, and both policies take one REINFORCE step. The best centre is the searched cell.
 *
 * Every iteration ends with a checkpoint (controller weights, Adam's moments, the baseline, the centres, the cache
 * of evaluated cells, the replacements and the history file's length); iteration t draws its random numbers from
 * its own stream (seed, t), so a resumed search continues exactly as a straight one.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { DsmCell, DsmReplacement, DsmResult } from '../../../../shared/dsm.js';
import { DsmParams } from '../../../../shared/dsm.js';
import { NB201_OPS } from '../../../../shared/genotype/ops.js';
import { formatNb201 } from '../../../../shared/genotype/text.js';
import { channelStats } from '../../../data/batches.js';
import { IMAGES_FILE } from '../../../data/staged.js';
import { PackedImages } from '../../../data/tensor-store.js';
import { selectBackend } from '../../backend/ladder.js';
import { JobUserError, type JobContext } from '../../jobs/context.js';
import { writeGenotypeFile } from '../../jobs/genotype-file.js';
import type { JobHandler } from '../../jobs/handler.js';
import type { OptimizerState } from '../../nn/optim.js';
import { deriveSeed, mulberry32 } from '../../nn/prng.js';
import { Nb201SinglePath } from '../../spaces/nb201/single-path.js';
import { archFromIndex, genotypeOfArch, indexOfArch } from '../../spaces/nb201/space.js';
import type { SupernetConfig } from '../../spaces/supernet.js';
import { readCheckpoint, writeCheckpoint } from '../checkpoint.js';
import { searchPools } from '../darts.js';
import {
  InheritedWeightEvaluator,
  calibrationRows,
  loadSupernet,
  saveSupernet,
  trainJobSupernet,
  type OneShotData,
} from '../oneshot/evaluator.js';
import { DSM_FILES, dsmRefusal, type DsmJobContext } from './context.js';
import { DsmController, type ControllerGraph } from './controller.js';
import { Reinforce } from './reinforce.js';
import { SubspaceGraph, cellOf, changedPositions, initialCentres } from './subspaces.js';

/** One iteration as the history file keeps it. */
export interface DsmHistoryRow {
  iteration: number;
  subspace: number;
  centre: number;
  centreAccuracy: number;
  proposal: number;
  proposalAccuracy: number;
  reward: number;
  baseline: number;
  entropy: number;
  replaced: boolean;
}

const HISTORY_HEAD =
  'iteration,subspace,centre,centre_accuracy,proposal,proposal_accuracy,reward,baseline,entropy,replaced';

function historyLine(r: DsmHistoryRow): string {
  return `${[r.iteration, r.subspace, cellOf(r.centre, 0).text, r.centreAccuracy, cellOf(r.proposal, 0).text, r.proposalAccuracy, r.reward, r.baseline, r.entropy, r.replaced ? 1 : 0].join(',')}\n`;
}

/** The rewards of a history file's rows (numbers are written in full: String(x) reads back exactly). */
function rewardsOf(text: string): number[] {
  return text
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => Number(l.split(',')[6]));
}

interface SupernetMeta {
  config: SupernetConfig;
  inputSize: number;
  epochs: number;
}

/** What a checkpoint keeps besides the controller's weights and Adam's moments (those are its arrays). */
interface DsmCheckpointMeta {
  /** Iterations done. */
  iteration: number;
  centres: number[];
  accuracies: number[];
  initial: DsmCell[];
  baseline: number;
  optimizerStep: number;
  /** [cell index, accuracy] of every evaluated cell. */
  cache: Array<[number, number]>;
  replacements: DsmReplacement[];
  historyBytes: number;
  evalMs: number;
  evaluations: number;
  controllerMs: number;
  searchMs: number;
  supernetSeconds: number;
}

async function run(ctx: JobContext<DsmJobContext>, params: DsmParams): Promise<DsmResult> {
  const c = ctx.hostContext;
  // training the supernet (unless one is reused), then the controller's iterations
  ctx.phases([...(c.supernet ? [] : [{ name: 'training', weight: 1 }]), { name: 'searching', weight: 1 }]);
  const backend = (await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend)).selected;
  const classes = c.classNames.length;
  const pools = searchPools(c, params.limitPerClass, params.seed);
  const refusal = dsmRefusal(params, {
    name: c.datasetName,
    classes,
    ...c.shape,
    trainW: pools.train.length,
    trainA: pools.val.length,
  });
  if (refusal) throw new JobUserError(refusal);
  const images = PackedImages.load(path.join(c.datasetDir, IMAGES_FILE), c.shape);
  fs.mkdirSync(ctx.jobDir, { recursive: true });

  // ---- Algorithm 1 line 1: the supernet
  let net: Nb201SinglePath;
  let supernetDir: string;
  let supernetMeta: SupernetMeta;
  let supernetSeconds = 0;
  if (c.supernet) {
    const stored = readCheckpoint<SupernetMeta>(c.supernet.dir);
    if (!stored)
      throw new JobUserError(
        `Job ${c.supernet.jobId} has no supernet in ${c.supernet.dir}. Choose another job, or leave out --supernet-from to train one.`,
      );
    const cfg = stored.meta.config;
    if (cfg.inChannels !== c.shape.channels || cfg.classes !== classes)
      throw new JobUserError(
        `Job ${c.supernet.jobId}'s supernet takes ${cfg.inChannels}-channel images of ${cfg.classes} classes; dataset "${c.datasetName}" has ${c.shape.channels} and ${classes}. Choose a job of this dataset.`,
      );
    net = new Nb201SinglePath(cfg);
    net.weights.restore(stored.arrays);
    supernetDir = c.supernet.dir;
    supernetMeta = stored.meta;
    ctx.log(
      'info',
      `Reusing the supernet of job ${c.supernet.jobId} (C=${cfg.channels}, ${cfg.cells} cell(s) per stage).`,
    );
  } else {
    const size = params.inputSize ?? c.shape.width;
    const config: SupernetConfig = {
      channels: params.channels,
      cells: params.cells,
      inChannels: c.shape.channels,
      classes,
      seed: deriveSeed(params.seed, 'oneshot-init'),
    };
    net = new Nb201SinglePath(config);
    supernetDir = path.join(ctx.jobDir, DSM_FILES.supernetDir);
    supernetMeta = { config, inputSize: size, epochs: params.supernetEpochs };
    if (ctx.resume && loadSupernet(supernetDir, net)) {
      ctx.log('info', 'Continuing with the supernet this search trained before it stopped.');
    } else {
      const t0 = performance.now();
      const data: OneShotData = { images, labels: c.labels, norm: channelStats(images, pools.train), size };
      const trained = await trainJobSupernet(ctx, net, data, pools.train, {
        epochs: params.supernetEpochs,
        batch: params.supernetBatch,
        lr: params.supernetLr,
        seed: params.seed,
      });
      saveSupernet(supernetDir, net, { ...supernetMeta, steps: trained.steps, loss: trained.loss, seed: params.seed });
      ctx.emit({ type: 'artifact', name: 'supernet', path: supernetDir });
      supernetSeconds = (performance.now() - t0) / 1000;
    }
  }

  const controller = new DsmController({
    subspaces: params.subspaces,
    distance: params.distance,
    hidden: params.controllerHidden,
    seed: deriveSeed(params.seed, 'dsm-controller'),
  });
  try {
    const data: OneShotData = {
      images,
      labels: c.labels,
      norm: channelStats(images, pools.train),
      size: supernetMeta.inputSize,
    };
    const evaluator = new InheritedWeightEvaluator(net, data, {
      calibration: calibrationRows(pools.train, params.calibrationBatches, params.supernetBatch, params.seed),
      validation: pools.val,
      batch: params.supernetBatch,
    });
    const reinforce = new Reinforce(controller, {
      lr: params.controllerLr,
      entropyWeight: params.entropyWeight,
      baselineDecay: params.baselineDecay,
    });
    const cache = new Map<number, number>();
    let evalMs = 0;
    let evaluations = 0;
    const accuracyOf = (index: number): number => {
      const hit = cache.get(index);
      if (hit !== undefined) return hit;
      const t0 = performance.now();
      const acc = evaluator.accuracy(archFromIndex(index));
      evalMs += performance.now() - t0;
      evaluations++;
      cache.set(index, acc);
      return acc;
    };

    const cpDir = path.join(ctx.jobDir, DSM_FILES.checkpointDir);
    const historyCsv = path.join(ctx.jobDir, DSM_FILES.historyCsv);
    const cp = ctx.resume ? readCheckpoint<DsmCheckpointMeta>(cpDir, (m) => ctx.log('warn', m)) : null;
    let sub: SubspaceGraph;
    let initial: DsmCell[];
    let start = 0;
    let replacements: DsmReplacement[] = [];
    let controllerMs = 0;
    let searchMs = 0;
    if (cp) {
      const m = cp.meta;
      controller.params.restore(
        new Map([...cp.arrays].flatMap(([k, v]) => (k.startsWith('w:') ? [[k.slice(2), v]] : []))),
      );
      const buffers: OptimizerState['buffers'] = {};
      for (const [k, v] of cp.arrays) if (k.startsWith('opt:')) buffers[k.slice(4)] = v;
      reinforce.restore({ baseline: m.baseline, optimizer: { step: m.optimizerStep, buffers } });
      for (const [k, v] of m.cache) cache.set(k, v);
      sub = new SubspaceGraph(m.centres, m.accuracies);
      initial = m.initial;
      start = m.iteration;
      replacements = m.replacements;
      ({ evalMs, evaluations, controllerMs, searchMs } = m);
      supernetSeconds += m.supernetSeconds;
      // rows written after the checkpoint belong to the attempt that was cut off
      const text = fs.readFileSync(historyCsv).subarray(0, m.historyBytes);
      fs.writeFileSync(historyCsv, text);
      ctx.log('info', `Resuming after iteration ${start} of ${params.iterations}.`);
    } else {
      // Algorithm 1 lines 2–3
      const centres = initialCentres(params.subspaces, params.init, mulberry32(deriveSeed(params.seed, 'dsm-init')));
      sub = new SubspaceGraph(
        centres,
        centres.map((i) => accuracyOf(i)),
      );
      initial = sub.cells();
      fs.writeFileSync(historyCsv, `${HISTORY_HEAD}\n`);
      ctx.log(
        'info',
        `Backend ${backend}. DSM-NAS: ${params.iterations} iterations over K=${params.subspaces} subspaces of radius M=${params.distance}${params.init.length ? `, ${params.init.length} starting cell(s) given` : ''}; the best starting centre has ${(sub.accuracies[sub.best()]! * 100).toFixed(1)}%.`,
      );
    }

    const save = (iteration: number) => {
      const state = reinforce.state();
      const arrays = new Map<string, Float32Array>();
      for (const [k, v] of controller.params.snapshot()) arrays.set(`w:${k}`, v);
      for (const [k, v] of Object.entries(state.optimizer.buffers)) arrays.set(`opt:${k}`, v);
      const meta: DsmCheckpointMeta = {
        iteration,
        centres: sub.centres,
        accuracies: sub.accuracies,
        initial,
        baseline: state.baseline,
        optimizerStep: state.optimizer.step,
        cache: [...cache],
        replacements,
        historyBytes: fs.statSync(historyCsv).size,
        evalMs,
        evaluations,
        controllerMs,
        searchMs,
        supernetSeconds,
      };
      writeCheckpoint(cpDir, meta, arrays);
    };

    for (let t = start; t < params.iterations; t++) {
      ctx.checkCancelled();
      const t0 = performance.now();
      const rng = mulberry32(deriveSeed(params.seed, `dsm-iteration:${t}`));
      const graph: ControllerGraph = { centres: sub.centres.map(archFromIndex), edges: sub.edges() };
      const s = controller.sample(graph, rng);
      const t1 = performance.now();
      const k = s.action.subspace;
      const alpha = sub.centres[k]!;
      const alphaAcc = sub.accuracies[k]!;
      const beta = indexOfArch(s.action.ops);
      const betaAcc = accuracyOf(beta);
      const reward = betaAcc - alphaAcc;
      const t2 = performance.now();
      const { baseline } = reinforce.step(graph, s.action, reward, s.entropy);
      const stepMs = t1 - t0 + (performance.now() - t2);
      controllerMs += stepMs;
      const replaced = sub.replace(k, s.action.ops, betaAcc);
      if (replaced)
        replacements.push({ iteration: t + 1, subspace: k, from: cellOf(alpha, alphaAcc), to: cellOf(beta, betaAcc) });
      const best = sub.best();
      const alphaArch = archFromIndex(alpha);
      ctx.emit({
        type: 'dsm-iteration',
        data: {
          iteration: t + 1,
          iterations: params.iterations,
          subspace: k,
          centre: cellOf(alpha, alphaAcc),
          proposal: {
            ...cellOf(beta, betaAcc),
            changes: changedPositions(alphaArch, s.action.ops).map((position) => ({
              position,
              from: NB201_OPS[alphaArch[position]!]!,
              to: NB201_OPS[s.action.ops[position]!]!,
            })),
          },
          reward,
          baseline,
          entropy: s.entropy,
          logProb: s.logProb,
          replaced,
          centres: sub.cells(),
          edges: sub.edges(),
          best: { subspace: best, accuracy: sub.accuracies[best]! },
          evaluated: cache.size,
          controllerMs: stepMs,
        },
      });
      ctx.metric('reward', reward, { step: t + 1 });
      ctx.metric('best_accuracy', sub.accuracies[best]!, { step: t + 1 });
      fs.appendFileSync(
        historyCsv,
        historyLine({
          iteration: t + 1,
          subspace: k,
          centre: alpha,
          centreAccuracy: alphaAcc,
          proposal: beta,
          proposalAccuracy: betaAcc,
          reward,
          baseline,
          entropy: s.entropy,
          replaced,
        }),
      );
      searchMs += performance.now() - t0;
      save(t + 1);
      ctx.progress({
        done: t + 1,
        total: params.iterations,
        phase: 'searching',
        message: `Iteration ${t + 1} of ${params.iterations}: best ${(sub.accuracies[best]! * 100).toFixed(1)}%, ${cache.size} cells evaluated`,
      });
      await new Promise((r) => setImmediate(r));
    }

    const bestNode = sub.best();
    const bestCell = cellOf(sub.centres[bestNode]!, sub.accuracies[bestNode]!);
    const genotype = genotypeOfArch(archFromIndex(bestCell.index));
    const rewards = rewardsOf(fs.readFileSync(historyCsv, 'utf8'));
    const seconds = searchMs / 1000;
    ctx.emit({ type: 'artifact', name: 'history', path: historyCsv, mime: 'text/csv' });
    const genotypeJson = path.join(ctx.jobDir, DSM_FILES.genotypeJson);
    writeGenotypeFile(ctx, genotypeJson, genotype, {
      space: 'nb201',
      strategy: params.init.length ? 'dsm-nas+' : 'dsm-nas',
      seed: params.seed,
      epochs: supernetMeta.epochs,
      alphas: null,
      metrics: {
        inheritedAccuracy: bestCell.accuracy,
        iterations: params.iterations,
        subspaces: params.subspaces,
        distance: params.distance,
        cellsEvaluated: cache.size,
        seconds,
      },
    });
    ctx.log(
      'info',
      `DSM-NAS finished: best centre ${formatNb201(genotype)} with ${(bestCell.accuracy * 100).toFixed(1)}% (inherited weights), ${replacements.length} replacement(s), ${cache.size} cells evaluated.`,
    );
    const iterationsDone = Math.max(1, params.iterations);
    return {
      space: 'nb201',
      best: { ...bestCell, genotype, subspace: bestNode },
      centres: sub.cells(),
      initial,
      replacements,
      rewards,
      iterations: params.iterations,
      subspaces: params.subspaces,
      distance: params.distance,
      evaluated: cache.size,
      seconds,
      controllerStepMs: controllerMs / iterationsDone,
      archsPerSecond: evalMs > 0 ? evaluations / (evalMs / 1000) : 0,
      supernet: {
        source: c.supernet ? 'reused' : 'trained',
        jobId: c.supernet ? c.supernet.jobId : ctx.jobId,
        channels: supernetMeta.config.channels,
        cells: supernetMeta.config.cells,
        inputSize: supernetMeta.inputSize,
        epochs: supernetMeta.epochs,
        seconds: supernetSeconds,
      },
      backend,
      files: { genotypeJson, historyCsv, supernet: supernetDir },
    };
  } finally {
    controller.dispose();
    net.dispose();
  }
}

export const dsmHandler: JobHandler<DsmParams, DsmResult, DsmJobContext> = {
  kind: 'dsm-search',
  params: DsmParams,
  resumable: true,
  run,
};
