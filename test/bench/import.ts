/**
 * Import benchmark: a generated 70,000-image 28×28 IDX set (60,000 train + 10,000 test, like MNIST) imported
 * through the real path (CLI host, engine worker, commit), then batch reads from the tensor store.
 * Target (issue "Datasets"): the whole import under 60 s on a 2-core machine.
 *
 *   npx tsx test/bench/import.ts            # prints one JSON document
 */
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { ImportParams, type ImportResult } from '../../shared/datasets.js';
import type { JobSummary } from '../../shared/jobs.js';
import { openHost, workerLogFile } from '../../main/api/host.js';
import { batchTensor } from '../../main/data/batches.js';
import { IMAGES_FILE } from '../../main/data/staged.js';
import { PackedImages } from '../../main/data/tensor-store.js';
import { selectBackend } from '../../main/engine/backend/ladder.js';
import { mulberry32, randInt } from '../../main/engine/nn/prng.js';
import { forkLauncher } from '../../main/supervisor/launchers.js';
import { writeIdxDataset } from '../fixtures/datasets.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir('winnow-bench-import-');
try {
  const source = path.join(t.dir, 'idx');
  const gen0 = performance.now();
  writeIdxDataset(source, { train: 60_000, test: 10_000, gzip: true });
  const generateSeconds = (performance.now() - gen0) / 1000;

  const dataDir = path.join(t.dir, 'data');
  const host = await openHost({
    dataDir,
    transport: 'in-process',
    launcher: forkLauncher({ logFile: workerLogFile(dataDir) }),
  });
  let job: JobSummary;
  const t0 = performance.now();
  try {
    const started = host.supervisor.start({
      kind: 'import',
      params: ImportParams.parse({ source: { kind: 'path', path: source } }),
    });
    await host.supervisor.whenIdle();
    job = host.store.jobs.get(started.id)!;
  } finally {
    await host.close();
  }
  const importSeconds = (performance.now() - t0) / 1000;
  if (job.state !== 'done') throw new Error(`import ${job.state}: ${job.message}`);
  const result = job.result as ImportResult;

  // batch reads as training will do them: load the file once, gather 256 random rows, make a tensor
  const backend = await selectBackend('auto');
  const images = PackedImages.load(path.join(dataDir, 'datasets', String(result.id), IMAGES_FILE), {
    width: 28,
    height: 28,
    channels: 1,
  });
  const rng = mulberry32(1);
  const reps = 50;
  const b0 = performance.now();
  for (let r = 0; r < reps; r++) {
    const idx = Array.from({ length: 256 }, () => randInt(rng, 0, images.count));
    const batch = batchTensor(images, idx);
    await batch.data();
    batch.dispose();
  }
  const batchMs = (performance.now() - b0) / reps;

  console.log(
    JSON.stringify(
      {
        bench: 'import',
        source: 'IDX, gzip, 28x28x1, 60000 train + 10000 test (generated)',
        images: result.images,
        classes: result.classes,
        splits: result.splits,
        import_seconds: Math.round(importSeconds * 100) / 100,
        images_per_s: Math.round(result.images / importSeconds),
        target_seconds: 60,
        meets_target: importSeconds < 60,
        batch256_ms: Math.round(batchMs * 100) / 100,
        batch_backend: backend.selected,
        generate_fixture_seconds: Math.round(generateSeconds * 100) / 100,
        tensors_left: tf.memory().numTensors,
      },
      null,
      2,
    ),
  );
} finally {
  t.cleanup();
}
