/**
 * Data-selection strategies side by side (issue #6): full, random, dds, dds-untrained and bdp searches on the
 * MNIST sample in the same space (darts, C=8, 5 cells), with the same epochs and seed, through the built CLI.
 * Prints one JSON document: per strategy the search's wall time, training images processed, the final supernet's
 * test accuracy and the genotype, and each strategy's wall time relative to full (targets: dds ≤ 0.1, bdp ≤ 0.5).
 *
 *   npx tsx test/bench/strategies.ts [--epochs 4] [--limit-per-class N] [--ae-epochs 3] [--prune-every 2]
 *                                    [--dds-warmup N] [--strategies full,random,dds,dds-untrained,bdp] [--data-dir DIR]
 *
 * bdp prunes every --prune-every T epochs, never after the last: the default T = 2 (the smallest BDP accepts: the
 * variance of error is measured over the T epochs) prunes once in 4 epochs; the paper's T = 5 would not prune at all
 * in a run this short, and bdp would cost what full does.
 *
 * DDS does not resample during its warm-up (10 epochs by default): in a run shorter than that, dds and
 * dds-untrained train on the same initial subset as each other; --dds-warmup shortens it.
 *
 * dds needs a trained autoencoder: the bench trains one (mnist-like preset) first and reports its time apart.
 * Run it on an otherwise idle machine: the numbers are wall times.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { SearchResult } from '../../shared/search.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '4' },
    'limit-per-class': { type: 'string' },
    'ae-epochs': { type: 'string', default: '3' },
    'prune-every': { type: 'string', default: '2' },
    'dds-warmup': { type: 'string' },
    strategies: { type: 'string', default: 'full,random,dds,dds-untrained,bdp' },
    'data-dir': { type: 'string' },
    seed: { type: 'string', default: '0' },
  },
});
const bin = path.resolve(import.meta.dirname, '..', '..', 'bin', 'winnow.mjs');
const dataDir = values['data-dir'] ?? fs.mkdtempSync(path.join(os.tmpdir(), 'winnow-bench-strategies-'));

function winnow(args: string[]): { json: unknown; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...args, '--json'], {
    env: { ...process.env, WINNOW_DATA_DIR: dataDir },
    encoding: 'utf8',
    maxBuffer: 1 << 28,
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0)
    throw new Error(
      `winnow ${args.join(' ')} failed (${r.status}): ${r.stderr
        .split('\n')
        .filter((l) => !l.includes('var Module'))
        .slice(-5)
        .join('\n')}`,
    );
  return { json: JSON.parse(r.stdout), seconds };
}

const dataset = (winnow(['dataset', 'sample', 'mnist']).json as { id: number }).id;
const strategies = values.strategies.split(',').map((s) => s.trim());
const common = [
  '--dataset',
  String(dataset),
  '--space',
  'darts',
  '--channels',
  '8',
  '--cells',
  '5',
  '--epochs',
  values.epochs,
  '--seed',
  values.seed,
];
if (values['limit-per-class']) common.push('--limit-per-class', values['limit-per-class']);

let autoencoder: { id: number; seconds: number } | null = null;
if (strategies.includes('dds')) {
  const ae = winnow([
    'ae',
    'train',
    '--dataset',
    String(dataset),
    '--epochs',
    values['ae-epochs'],
    '--batch',
    '32',
    '--lr',
    '0.002',
    '--lr-schedule',
    'cosine',
    '--seed',
    values.seed,
  ]);
  autoencoder = { id: (ae.json as { id: number }).id, seconds: ae.seconds };
}

const results: Array<Record<string, unknown>> = [];
for (const strategy of strategies) {
  const extra = ['--strategy', strategy];
  if (strategy === 'dds' && autoencoder) extra.push('--ae', String(autoencoder.id));
  if ((strategy === 'dds' || strategy === 'dds-untrained') && values['dds-warmup'])
    extra.push('--warmup-epochs', values['dds-warmup']);
  if (strategy === 'bdp') extra.push('--prune-every', values['prune-every']);
  const { json, seconds } = winnow(['search', ...common, ...extra]);
  const r = json as SearchResult & { jobId: number };
  results.push({
    strategy,
    jobId: r.jobId,
    searchSeconds: Math.round(r.seconds * 10) / 10,
    processSeconds: Math.round(seconds * 10) / 10,
    imagesProcessed: r.imagesProcessed,
    supernetTestAccuracy: r.supernetTest?.accuracy,
    valAccuracy: r.final.valAccuracy,
    genotype: r.genotypeText,
  });
}
const full = results.find((r) => r.strategy === 'full');
for (const r of results)
  if (full) r.wallVsFull = Math.round(((r.searchSeconds as number) / (full.searchSeconds as number)) * 1000) / 1000;
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'strategies',
      dataset: 'MNIST sample',
      space: 'darts',
      channels: 8,
      cells: 5,
      epochs: Number(values.epochs),
      limitPerClass: values['limit-per-class'] ? Number(values['limit-per-class']) : null,
      seed: Number(values.seed),
      pruneEvery: Number(values['prune-every']),
      autoencoder,
      targets: { ddsWallVsFull: 0.1, bdpWallVsFull: 0.5 },
      results,
    },
    null,
    2,
  )}\n`,
);
