/**
 * Every job kind runs on the native tensorflow backend and lands where wasm lands:
 * - search (in-process, both spaces, dds and bdp): resumes exactly after a stop, and its losses follow the same
 *   search on wasm;
 * - autoencoder, evaluation (a baseline, and a DARTS genotype with auxiliary head and drop-path) and a one-point
 *   compression study with every protocol through the `winnow` CLI with --backend tensorflow, each reporting the
 *   backend it ran on, against the same commands on wasm.
 * Skipped, with a printed line, where the native backend is not set up.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SearchJobContext } from '../../main/engine/search/context.js';
import { activeSearchParams, createBandsHost, runSearchInProcess } from '../fixtures/search-host.js';
import { importWithCli, runCliJson } from '../helpers/cli-data.js';
import { TINY_CNN, flags } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { nativeUnavailable } from './native.js';
import { DARTS_V2 } from '../fixtures/genotypes.js';
import { formatGenotype } from '../../shared/genotype/text.js';

const why = await nativeUnavailable();
const DARTS_V2_TEXT = formatGenotype(DARTS_V2);

let tmp: { dir: string; cleanup: () => void };
let host: SearchJobContext;
let aeHost: NonNullable<SearchJobContext['autoencoder']>;

beforeAll(() => {
  tmp = tempDir('winnow-backend-jobs-');
  ({ host, aeHost } = createBandsHost(tmp.dir));
});
afterAll(() => tmp.cleanup());

describe.skipIf(why !== null)('search on tensorflow', () => {
  for (const [space, strategy] of [
    ['darts', 'dds'],
    ['nb201', 'bdp'],
  ] as const) {
    it(`${space} with ${strategy}: stopped after epoch 1 and resumed, it ends exactly as straight through, near wasm's`, async () => {
      const params = activeSearchParams(space, strategy, 'tensorflow');
      const ctx = strategy === 'dds' ? { ...host, autoencoder: aeHost } : host;
      const run = (
        name: string,
        opts: { resume: boolean; stopAfterEpoch?: number },
        backend: 'tensorflow' | 'wasm' = 'tensorflow',
      ) =>
        runSearchInProcess(path.join(tmp.dir, `${space}-${name}`), { ...params, backend }, { ...opts, backend }, ctx);
      const straight = await run('straight', { resume: false });
      expect(straight.result).not.toBeNull();
      expect(straight.result!.backend).toBe('tensorflow');
      const first = await run('resumed', { resume: false, stopAfterEpoch: 1 });
      expect(first.result).toBeNull();
      const resumed = await run('resumed', { resume: true });
      expect(resumed.epochs.map((e) => e.epoch)).toEqual([2, 3]);
      resumed.epochs.forEach((e, k) => {
        const a = straight.epochs[k + 1]!;
        expect(e.alphas).toEqual(a.alphas);
        expect(e.trainLoss).toBe(a.trainLoss);
        expect(e.selection).toEqual(a.selection);
      });
      expect(resumed.result!.genotypeText).toBe(straight.result!.genotypeText);

      const wasm = await run('wasm', { resume: false }, 'wasm');
      // the same data is chosen, and the losses agree to float32 summation order
      expect(wasm.epochs.map((e) => e.selection!.trainSize)).toEqual(
        straight.epochs.map((e) => e.selection!.trainSize),
      );
      straight.epochs.forEach((e, k) =>
        expect(Math.abs(e.trainLoss - wasm.epochs[k]!.trainLoss) / wasm.epochs[k]!.trainLoss).toBeLessThan(2e-2),
      );
    }, 300_000);
  }
});

describe.skipIf(why !== null)('autoencoder, evaluation and compression on tensorflow (CLI)', () => {
  let dataDir: string;
  let datasetId: number;
  beforeAll(async () => {
    dataDir = path.join(tmp.dir, 'data');
    datasetId = await importWithCli(dataDir, [
      'dataset',
      'synth',
      'chroma',
      '--n',
      '300',
      '--size',
      '16',
      '--seed',
      '2',
    ]);
  }, 120_000);

  const json = (args: string[], backend: string) => runCliJson([...args, '--backend', backend], dataDir, 300_000);

  it('evaluates a baseline CNN for one epoch, then a one-point compression study, as wasm does', async () => {
    const evaluate = (backend: string) =>
      json(['evaluate', ...flags({ dataset: datasetId, ...TINY_CNN, seed: 3 })], backend);
    const tfEval = await evaluate('tensorflow');
    const wasmEval = await evaluate('wasm');
    const result = (o: Record<string, unknown>) =>
      o as unknown as { backend: string; test: { accuracy: number; images: number } };
    expect(result(tfEval).backend).toBe('tensorflow');
    // one image either way at most: the same seeded training in float32 on two engines
    expect(
      Math.abs(result(tfEval).test.accuracy - result(wasmEval).test.accuracy) * result(tfEval).test.images,
    ).toBeLessThanOrEqual(1.01);

    const compress = (backend: string, model: unknown, protocols: string) =>
      json(
        [
          'compress',
          ...flags({
            dataset: datasetId,
            model: String(model),
            qualities: 50,
            subsampling: '4:4:4',
            protocol: protocols,
            epochs: 1,
            batch: 16,
            // a one-epoch model may be at chance level: this test compares engines, not what the study means
            allowMeaninglessModel: true,
          }),
        ],
        backend,
      );
    type Study = { backend: string; rows: Array<{ protocol: string; accuracy: number }> };
    // every protocol on tensorflow (retrain and mixed train networks of their own); the test rows against wasm
    const tfStudy = (await compress('tensorflow', tfEval['jobId'], 'test,retrain,mixed')) as unknown as Study;
    const wasmStudy = (await compress('wasm', wasmEval['jobId'], 'test')) as unknown as Study;
    expect(tfStudy.backend).toBe('tensorflow');
    expect(new Set(tfStudy.rows.map((r) => r.protocol))).toEqual(new Set(['test', 'retrain', 'mixed']));
    const tfTest = tfStudy.rows.filter((r) => r.protocol === 'test');
    expect(tfTest.length).toBe(wasmStudy.rows.length);
    tfTest.forEach((row, i) => expect(Math.abs(row.accuracy - wasmStudy.rows[i]!.accuracy)).toBeLessThan(0.02));
  }, 600_000);

  it('evaluates a DARTS genotype with the auxiliary head and drop-path for one epoch', async () => {
    // the auxiliary head needs at least 20x20 images
    const rgb = await json(['dataset', 'synth', 'chroma', '--n', '120', '--size', '28', '--seed', '6'], 'tensorflow');
    const out = await json(
      [
        'evaluate',
        ...flags({
          dataset: String(rgb['id']),
          genotype: DARTS_V2_TEXT,
          channels: 4,
          layers: 3,
          aux: true,
          dropPath: 0.2,
          epochs: 1,
          batch: 16,
          seed: 5,
        }),
      ],
      'tensorflow',
    );
    expect(out['backend']).toBe('tensorflow');
    expect((out as { test: { images: number } }).test.images).toBeGreaterThan(0);
  }, 600_000);

  it('trains an autoencoder for one epoch and runs the self-test', async () => {
    const rgb = await json(['dataset', 'synth', 'chroma', '--n', '120', '--size', '28', '--seed', '4'], 'tensorflow');
    const train = (backend: string) =>
      json(
        ['ae', 'train', ...flags({ dataset: String(rgb['id']), preset: 'rgb', dim: 8, epochs: 1, batch: 16, seed: 2 })],
        backend,
      );
    const tfAe = await train('tensorflow');
    const wasmAe = await train('wasm');
    const shown = await json(['ae', 'show', String(tfAe['id'])], 'tensorflow');
    expect(shown['backend']).toBe('tensorflow');
    // the same seeded epoch: reconstruction quality within a fraction of a dB
    expect(Math.abs((tfAe['psnr'] as number) - (wasmAe['psnr'] as number))).toBeLessThan(0.5);
    const self = await json(['selftest', '--steps', '3'], 'tensorflow');
    expect(self['backend']).toBe('tensorflow');
  }, 300_000);
});
