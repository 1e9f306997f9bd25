/** `winnow ae`: train, list, show, map and delete similarity autoencoders. */
import fs from 'node:fs';
import path from 'node:path';
import { AeTrainParams, type AeDetail, type AeMetrics, type AeSummary } from '../../../shared/autoencoder.js';
import { jpegStageLabel } from '../../../shared/compress-defaults.js';
import { scatterPng, scatterSvg } from '../../data/scatter.js';
import { ApiError } from '../../api/errors.js';
import { idOption, listCommand, parse, withHost, type Options } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, printJson, say } from '../output.js';
import { flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { runJobCommand } from '../run-job.js';

const TRAIN_FLAGS = paramFlags(AeTrainParams, {
  preset: true,
  losses: { flag: 'loss', separator: '+' },
  kendall: true,
  dim: true,
  epochs: true,
  batch: true,
  lr: { range: true },
  lrSchedule: true,
  seed: true,
  untrained: true,
  jpegQuality: true,
  jpegSubsampling: true,
});

const TRAIN_OPTIONS = { dataset: { type: 'string' }, ...flagOptions(TRAIN_FLAGS) } satisfies Options;

async function train(args: string[]): Promise<number> {
  const { values } = parse(args, TRAIN_OPTIONS);
  const datasetId = idOption(values.dataset, 'dataset');
  if (datasetId === undefined)
    throw new UsageError('Usage: winnow ae train --dataset <id> [options] (see `winnow dataset list`)');
  const params = parseWithFlags(
    AeTrainParams,
    { datasetId, ...readFlags(TRAIN_FLAGS, values), backend: values.backend ?? 'auto' },
    TRAIN_FLAGS,
  );
  return runJobCommand({
    values,
    kind: 'autoencoder',
    params,
    report: (_host, job, json) => {
      const result = job.result as { autoencoderId: number; metrics: AeMetrics } | null;
      if (json)
        printJson(
          job.state === 'done' && result
            ? { id: result.autoencoderId, jobId: job.id, ...result.metrics }
            : { jobId: job.id, state: job.state, error: job.message },
        );
      else if (job.state === 'done' && result) {
        const m = result.metrics;
        say(
          `Autoencoder ${result.autoencoderId}: k-NN agreement ${m.knnAgreement.toFixed(3)}, silhouette ${m.silhouette.toFixed(3)}, PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)} (${m.trainSeconds} s training).`,
        );
      } else say(`Autoencoder training ${job.state}: ${job.message ?? ''}`);
      return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
    },
  });
}

export async function aeCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'train':
      return train(rest);
    case 'list': {
      return listCommand<AeSummary>(rest, {
        method: 'autoencoders.list',
        rows: (list) =>
          list.map((a) => ({
            id: a.id,
            dataset: `${a.datasetId} ${a.datasetName}`,
            preset: a.untrained ? `${a.preset} (untrained)` : a.preset,
            N: a.dim,
            epochs: a.epochs,
            images: jpegStageLabel(a) ?? 'originals',
            knn: a.metrics.knnAgreement.toFixed(3),
            silhouette: a.metrics.silhouette.toFixed(3),
            psnr: a.metrics.psnr.toFixed(2),
            ssim: a.metrics.ssim.toFixed(3),
          })),
        columns: ['id', 'dataset', 'preset', 'N', 'epochs', 'images', 'knn', 'silhouette', 'psnr', 'ssim'],
        empty: 'No autoencoders yet. Train one with `winnow ae train --dataset <id>`.',
      });
    }
    case 'show':
    case 'rm':
    case 'map': {
      const { values, positionals } = parse(rest, { out: { type: 'string' } }, 1);
      const id = idOption(positionals[0], 'id');
      if (id === undefined)
        throw new UsageError(`Usage: winnow ae ${sub} <id>${sub === 'map' ? ' --out map.png' : ''}`);
      if (sub === 'rm') {
        const out = await withHost(values, (h) => h.api.dispatch('autoencoders.delete', { id }));
        if (values.json) printJson(out);
        else say(`Deleted autoencoder ${id}.`);
        return EXIT_OK;
      }
      const a = (await withHost(values, (h) => h.api.dispatch('autoencoders.get', { id }))) as AeDetail;
      if (sub === 'map') {
        if (!values.out) throw new UsageError('Usage: winnow ae map <id> --out map.png (or .svg)');
        if (a.map.length === 0)
          throw new ApiError('conflict', `Autoencoder ${id} has no map (it was trained with mapPoints 0).`);
        const svg = scatterSvg(
          a.map,
          a.classNames,
          `Autoencoder ${a.id} on ${a.datasetName}: ${a.mapMethod} of ${a.map.length} latent codes`,
        );
        const out = path.resolve(values.out);
        fs.writeFileSync(out, out.toLowerCase().endsWith('.svg') ? svg : await scatterPng(svg));
        if (values.json) printJson({ id, out, points: a.map.length, method: a.mapMethod });
        else say(`Wrote ${out} (${a.map.length} points, ${a.mapMethod}).`);
        return EXIT_OK;
      }
      if (values.json) printJson(a);
      else {
        say(
          `Autoencoder ${a.id} on dataset ${a.datasetId} "${a.datasetName}": ${a.preset}${a.untrained ? ' (untrained)' : ''}, ${a.losses.join(' + ')}${a.kendall ? ' under Kendall weighting' : ''}, N=${a.dim}, ${a.epochs} epochs, batch ${a.batch}, seed ${a.seed}, ${a.backend}${a.jpegQuality == null ? '' : `, on images at ${jpegStageLabel(a)}`}`,
        );
        const m = a.metrics;
        say(
          `k-NN agreement ${m.knnAgreement.toFixed(3)}, silhouette ${m.silhouette.toFixed(3)}, PSNR ${m.psnr.toFixed(2)} dB, SSIM ${m.ssim.toFixed(3)}, ${m.trainSeconds} s training`,
        );
      }
      return EXIT_OK;
    }
    default:
      throw new UsageError('Usage: winnow ae train --dataset <id> | list | show <id> | map <id> --out FILE | rm <id>');
  }
}
