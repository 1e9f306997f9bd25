/**
 * The host's part of each job kind (see JobHostHooks): what the engine needs from the store before a job
 * starts, and how a finished job's staged files become rows and folders. The engine never touches the store.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AeTrainParams } from '../../shared/autoencoder.js';
import { commitImport, discardImport } from '../data/commit.js';
import type { ImportJobContext } from '../data/import-job.js';
import { moveStagedFolder } from '../data/staged.js';
import { AE_STAGING, type AeJobContext, type AeJobResult } from '../engine/embed/ae-job.js';
import { readSummary } from '../engine/embed/ae-files.js';
import type { Store } from '../store/index.js';
import { compressJobContext } from './compressions.js';
import { commitEvaluation, discardEvaluation, evaluateJobContext } from './evaluations.js';
import { searchJobContext } from './searches.js';
import { autoencoderDirFor } from '../store/paths.js';
import type { JobHostHooks } from '../supervisor/supervisor.js';
import type { JobKind } from '../../shared/jobs.js';

function autoencoderContext(store: Store, params: AeTrainParams): AeJobContext {
  const d = store.datasets.detail(params.datasetId);
  if (!d) throw new Error(`There is no dataset ${params.datasetId}: it may have been deleted. Choose another dataset.`);
  if (d.classes < 2) throw new Error(`Dataset "${d.name}" has ${d.classes} class; the autoencoder's metrics need at least two.`);
  const rows = store.datasets.labels(params.datasetId);
  return {
    datasetName: d.name,
    datasetDir: store.datasets.dir(params.datasetId)!,
    shape: { width: d.width, height: d.height, channels: d.channels },
    labels: Array.from(rows.label),
    splits: rows.split,
    classNames: d.classNames,
  };
}

function commitAutoencoder(store: Store, dataDir: string, job: { id: number; jobDir: string; result: unknown }): { autoencoderId: number; metrics: AeJobResult['metrics'] } {
  const staging = path.join(job.jobDir, AE_STAGING);
  try {
    const s = readSummary(staging);
    if (!store.datasets.get(s.datasetId)) throw new Error(`Dataset ${s.datasetId} was deleted while the autoencoder trained; nothing was saved.`);
    const id = store.autoencoders.insert(
      {
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
        backend: s.backend,
        metrics: s.metrics,
        history: s.history,
        mapMethod: s.mapMethod,
      },
      (newId) => moveStagedFolder(staging, autoencoderDirFor(dataDir, newId)),
    );
    return { autoencoderId: id, metrics: s.metrics };
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

export function jobHostHooks(store: Store, dataDir: string): Partial<Record<JobKind, JobHostHooks>> {
  return {
    import: {
      prepare: (): ImportJobContext => ({ existing: store.datasets.fingerprints() }),
      finalize: (job) => commitImport(store, dataDir, job.id, job.jobDir),
      discard: (job) => discardImport(job.jobDir),
    },
    autoencoder: {
      prepare: (job) => autoencoderContext(store, job.params as AeTrainParams),
      finalize: (job) => commitAutoencoder(store, dataDir, job),
      discard: (job) => fs.rmSync(path.join(job.jobDir, AE_STAGING), { recursive: true, force: true }),
    },
    search: {
      prepare: (job) => searchJobContext(store, job.params),
      // a search keeps everything in its job folder: the checkpoint that `resume` continues from, genotype.json and
      // alphas.json. Nothing is staged elsewhere, so an interrupted, cancelled or failed search leaves nothing to
      // clean, and no finalize is needed: the result and the files stay with the job.
      discard: () => {},
    },
    evaluate: {
      prepare: (job) => evaluateJobContext(store, dataDir, job.params),
      finalize: (job) => commitEvaluation(store, dataDir, job),
      discard: (job) => discardEvaluation(job),
    },
    compress: {
      prepare: (job) => compressJobContext(store, dataDir, job.params),
      // a study keeps its progress (study.json, training checkpoints) in its job folder for `resume`, and its decoded
      // copies in the shared JPEG cache, which any later study may reuse: nothing to clean
      discard: () => {},
    },
  };
}
