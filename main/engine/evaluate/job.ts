/**
 * The `evaluate` job: build the network the host resolved (from a search's genotype, a pasted genotype or a
 * baseline), train it from scratch on the training split, test it on the test split after every epoch, and export
 * the trained inference model (model.json + weights.bin + report.json + genotype.json) for the host to store.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  augmentationFor,
  EvaluateParams,
  type EvaluateResult,
  type ModelReportFile,
} from '../../../shared/evaluate.js';
import { channelStats, cropPadding } from '../../data/batches.js';
import { jpegStageOf } from '../../../shared/jpeg-stage.js';
import { encodingPhases, jobImages } from '../compress/job-images.js';
import { selectBackend } from '../backend/ladder.js';
import { explainOutOfMemory } from '../backend/out-of-memory.js';
import { JobUserError, type JobContext } from '../jobs/context.js';
import type { JobHandler } from '../jobs/handler.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { EVALUATE_FILES, evaluateRefusal, type EvaluateJobContext } from './context.js';
import { saveModelFolder } from './model-io.js';
import { buildNetwork, countMultiplyAdds, countParameters, specOf } from './networks/index.js';
import { trainClassifier } from './train.js';

/** Training rows: every training image, or at most `limitPerClass` per class (a seeded choice). */
export function trainingRows(
  c: Pick<EvaluateJobContext, 'labels' | 'splits' | 'classNames'>,
  limitPerClass: number | null,
  seed: number,
): number[] {
  const byClass = c.classNames.map(() => [] as number[]);
  c.splits.forEach((s, row) => {
    if (s === 'train') byClass[c.labels[row]!]!.push(row);
  });
  if (limitPerClass == null) return byClass.flat().sort((a, b) => a - b);
  const rng = mulberry32(deriveSeed(seed, 'evaluate-limit'));
  return byClass
    .flatMap((rows) =>
      rows.length > limitPerClass ? (shuffleInPlace([...rows], rng) as number[]).slice(0, limitPerClass) : rows,
    )
    .sort((a, b) => a - b);
}

/** What must match between a checkpoint and the resumed job for "continue exactly" to hold. */
function fingerprintOf(p: EvaluateParams, c: EvaluateJobContext): string {
  return JSON.stringify({ ...p, backend: undefined, dataset: c.datasetHash, network: c.network });
}

async function run(ctx: JobContext<EvaluateJobContext>, params: EvaluateParams): Promise<EvaluateResult> {
  const c = ctx.hostContext;
  const report = await selectBackend(params.backend === 'auto' ? ctx.backendPreference : params.backend);
  const backend = report.selected;
  const trainRows = trainingRows(c, params.limitPerClass, params.seed);
  const testRows = c.splits.flatMap((s, row) => (s === 'test' ? [row] : []));
  const refusal = evaluateRefusal(params, c.network, {
    name: c.datasetName,
    classes: c.classNames.length,
    ...c.shape,
    trainImages: trainRows.length,
    testImages: testRows.length,
  });
  if (refusal) throw new JobUserError(refusal);

  const jpeg = jpegStageOf(params);
  // one training phase (each epoch ends with its test pass); the images' compression first, when asked for
  if (jpeg) ctx.phases([...encodingPhases(jpeg), { name: 'training', weight: 1 }]);
  // with a JPEG quality the training and the test images are both the compressed ones (compressed at evaluation)
  const images = await jobImages(ctx, c, jpeg);
  const norm = channelStats(images, trainRows);
  const input = {
    height: c.shape.height,
    width: c.shape.width,
    channels: c.shape.channels,
    classes: c.classNames.length,
  };
  const n = c.network;
  const net = buildNetwork(specOf(n), input, params.seed);
  try {
    const parameters = countParameters(net.inference);
    const multiplyAdds = countMultiplyAdds(net.inference);
    const augment = augmentationFor(params.augment, c.shape.channels);
    const batch = params.batch;
    const steps = Math.max(1, Math.floor(trainRows.length / batch));
    ctx.log(
      'info',
      `Backend ${backend}. ${n.label}: ${(parameters / 1e6).toFixed(3)} M parameters, ${(multiplyAdds / 1e6).toFixed(1)} M multiply-adds per image. ` +
        `${trainRows.length} training and ${testRows.length} test images, ${steps} steps per epoch, augmentation ${augment ? 'crop + flip' : 'off'}.`,
    );
    const outcome = await trainClassifier(
      net,
      {
        train: { source: images, rows: trainRows, labels: c.labels },
        test: { source: images, rows: testRows, labels: c.labels, groups: c.groups },
      },
      norm,
      {
        epochs: params.epochs,
        batch,
        lr: params.lr,
        lrMin: params.lrMin,
        momentum: params.momentum,
        weightDecay: params.weightDecay,
        gradClip: params.gradClip,
        auxWeight: n.auxiliary ? params.auxWeight : 0,
        dropPath: n.dropPath,
        cropPad: augment ? cropPadding(c.shape) : 0,
        // digits and other grey images are not mirror-symmetric; RGB photos mostly are (DARTS flips CIFAR)
        flip: augment && c.shape.channels === 3,
        seed: params.seed,
        classNames: c.classNames,
      },
      {
        onStep: async ({ epoch, step, steps: perEpoch, done, total }) => {
          // one phase: each epoch ends with its test pass, so training and testing alternate within it
          ctx.progress({
            done,
            total,
            phase: 'training',
            message: `Epoch ${epoch + 1}/${params.epochs}, step ${step + 1}/${perEpoch}`,
          });
          // let the worker's message loop run (cancel requests, progress flushes)
          await new Promise((r) => setImmediate(r));
          ctx.checkCancelled();
        },
        onEpoch: (data) => {
          const at = { epoch: data.epoch };
          ctx.metric('train_loss', data.trainLoss, at);
          ctx.metric('train_accuracy', data.trainAccuracy, at);
          ctx.metric('test_loss', data.testLoss, at);
          ctx.metric('test_accuracy', data.testAccuracy, at);
          ctx.metric('lr', data.lr, at);
          ctx.metric('epoch_seconds', data.seconds, at);
          ctx.emit({ type: 'evaluate-epoch', data });
        },
        log: (level, message) => ctx.log(level, message),
        checkpoint: {
          dir: path.join(ctx.jobDir, EVALUATE_FILES.checkpointDir),
          resume: ctx.resume,
          fingerprint: fingerprintOf(params, c),
        },
      },
    ).catch((e: unknown) => {
      throw explainOutOfMemory(e, { job: 'evaluation', batch, channels: n.channels }, backend);
    });

    const staging = path.join(ctx.jobDir, EVALUATE_FILES.modelStaging);
    fs.rmSync(staging, { recursive: true, force: true });
    const modelReport: ModelReportFile = {
      format: 'winnow-model',
      version: 1,
      app: c.app,
      createdAt: new Date().toISOString(),
      name: `${n.label} on ${c.datasetName}`,
      network: n,
      genotypeText: c.genotypeText,
      classNames: c.classNames,
      preprocessing: {
        height: c.shape.height,
        width: c.shape.width,
        channels: c.shape.channels,
        mean: norm.mean,
        std: norm.std,
      },
      parameters,
      multiplyAdds,
      dataset: { id: c.datasetId, name: c.datasetName, hash: c.datasetHash },
      training: {
        params: { ...params },
        epochs: params.epochs,
        seconds: outcome.seconds,
        backend,
        history: outcome.history,
      },
      test: outcome.test,
    };
    await saveModelFolder(staging, net.inference, modelReport, c.genotypeJson ?? undefined);
    return {
      network: n,
      genotypeText: c.genotypeText,
      parameters,
      multiplyAdds,
      test: outcome.test,
      epochs: params.epochs,
      seconds: outcome.seconds,
      imagesPerSecond: outcome.seconds > 0 ? outcome.images / outcome.seconds : 0,
      backend,
      modelId: null,
    };
  } finally {
    net.dispose();
  }
}

export const evaluateHandler: JobHandler<EvaluateParams, EvaluateResult, EvaluateJobContext> = {
  kind: 'evaluate',
  params: EvaluateParams,
  resumable: true,
  run,
};
