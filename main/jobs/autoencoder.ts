/** Autoencoder training: the similarity autoencoder whose latent space DDS's kd-trees are built over. */
import fs from 'node:fs';
import path from 'node:path';
import type { AeTrainParams } from '../../shared/autoencoder.js';
import { jpegCacheDir } from '../api/compressions.js';
import { datasetContentHash } from '../api/searches.js';
import { moveStagedFolder } from '../data/staged.js';
import { readSummary } from '../engine/embed/ae-files.js';
import { AE_STAGING, autoencoderHandler, type AeJobContext, type AeJobResult } from '../engine/embed/ae-job.js';
import type { Store } from '../store/index.js';
import { autoencoderDirFor } from '../store/paths.js';
import { autoencoderEstimatePlan } from './autoencoder-estimate.js';
import { defineJobKind } from './kind.js';

function autoencoderContext(store: Store, dataDir: string, params: AeTrainParams): AeJobContext {
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new Error(`There is no dataset ${params.datasetId}: it may have been deleted. Choose another dataset.`);
  if (d.classes < 2)
    throw new Error(`Dataset "${d.name}" has ${d.classes} class; the autoencoder's metrics need at least two.`);
  const rows = store.datasets.labels(params.datasetId);
  return {
    datasetName: d.name,
    datasetDir: store.datasets.dir(params.datasetId)!,
    datasetHash: datasetContentHash(store, d.id, d)!,
    cacheDir: jpegCacheDir(dataDir),
    shape: { width: d.width, height: d.height, channels: d.channels },
    labels: Array.from(rows.label),
    splits: rows.split,
    classNames: d.classNames,
  };
}

/** Moves the staged autoencoder into its own folder and adds its row; the staging folder goes either way. */
function commitAutoencoder(
  store: Store,
  dataDir: string,
  job: { id: number; jobDir: string },
): { autoencoderId: number; metrics: AeJobResult['metrics'] } {
  const staging = path.join(job.jobDir, AE_STAGING);
  try {
    const s = readSummary(staging);
    if (!store.datasets.get(s.datasetId))
      throw new Error(`Dataset ${s.datasetId} was deleted while the autoencoder trained; nothing was saved.`);
    const row = {
      datasetId: s.datasetId,
      jobId: job.id,
      preset: s.preset,
      losses: s.losses,
      kendall: s.kendall,
      dim: s.dim,
      epochs: s.epochs,
      batch: s.batch,
      seed: s.seed,
      untrained: s.untrained,
      jpegQuality: s.jpeg?.quality ?? null,
      jpegSubsampling: s.jpeg?.subsampling ?? null,
      backend: s.backend,
      metrics: s.metrics,
      history: s.history,
      mapMethod: s.mapMethod,
    };
    const id = store.autoencoders.insert(row, (newId) => moveStagedFolder(staging, autoencoderDirFor(dataDir, newId)));
    return { autoencoderId: id, metrics: s.metrics };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export const autoencoderKind = defineJobKind({
  engine: autoencoderHandler,
  prepare: (host, job) => autoencoderContext(host.store, host.dataDir, job.params),
  finalize: (host, job) => commitAutoencoder(host.store, host.dataDir, job),
  discard: (_host, job) => fs.rmSync(path.join(job.jobDir, AE_STAGING), { recursive: true, force: true }),
  estimate: (host, params) => autoencoderEstimatePlan(host.store, params),
  cli: { command: 'ae', summary: 'train a similarity autoencoder on a dataset (DDS uses its latent space)' },
  ui: { label: 'Autoencoder', noun: 'autoencoder training', page: 'autoencoder' },
});
