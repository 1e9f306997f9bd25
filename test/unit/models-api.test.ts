/**
 * The host's side of the evaluation stage (main/api/evaluations.ts) through the API, without the engine: datasets,
 * searches and evaluate jobs with their `evaluate-epoch` events are written straight into the store. The models API
 * is in models-api-models.test.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EvaluateParams } from '../../shared/evaluate.js';
import type { EvaluateEpochData, EvaluateResult, EvaluationDetail, EvaluationSummary } from '../../shared/evaluate.js';
import { parseGenotype, parseGenotypeJson, toGenotypeJson } from '../../shared/genotype.js';
import type { JobSummary } from '../../shared/jobs.js';
import { SearchParams, type SearchResult } from '../../shared/search.js';
import type { WinnowHost } from '../../main/api/host.js';
import { datasetContentHash } from '../../main/api/searches.js';
import type { EvaluateJobContext } from '../../main/engine/evaluate/context.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import { evaluateKind } from '../../main/jobs/evaluate.js';
import { jobDirFor } from '../../main/store/paths.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { NB201_TEXT, addDataset } from '../helpers/models-api.js';
import { cnnNetwork } from '../helpers/models.js';

const NB201 = parseGenotype('|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|');

/** A search job left as the engine would leave it; done ones have a result and a genotype.json. */
function addSearch(
  h: WinnowHost,
  datasetId: number,
  state: 'done' | 'interrupted',
  cost = { seconds: 12.5, imagesPerSecond: 40.3 },
): JobSummary {
  const p = SearchParams.parse({ datasetId, space: 'nb201', epochs: 1, batch: 4 });
  const job = h.store.jobs.create('search', p, process.pid);
  h.store.jobs.appendEvent(job.id, { type: 'state', state: 'running' });
  if (state === 'done') {
    const dir = jobDirFor(h.dataDir, job.id);
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, SEARCH_FILES.genotypeJson);
    const doc = toGenotypeJson(NB201, {
      app: 'Winnow test',
      createdAt: '2025-01-01T00:00:00.000Z',
      jobId: job.id,
      datasetId,
      datasetName: 'digits',
      datasetHash: 'sha256:feed',
      space: 'nb201',
      strategy: 'full',
      seed: 3,
      epochs: 1,
      alphas: null,
      metrics: { valAccuracy: 0.5 },
    });
    fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
    const result: SearchResult = {
      space: 'nb201',
      strategy: 'full',
      epochs: 1,
      genotype: NB201,
      genotypeText: NB201_TEXT,
      alphas: { normal: [] },
      final: { trainLoss: 1, trainAccuracy: 0.5, valLoss: 1, valAccuracy: 0.5 },
      ...cost,
      backend: 'cpu',
      files: { genotypeJson: file },
    };
    h.store.jobs.appendEvent(job.id, { type: 'result', result });
  }
  h.store.jobs.appendEvent(job.id, { type: 'state', state });
  return h.store.jobs.get(job.id)!;
}

// ---- starting an evaluation ---------------------------------------------------------------------------

describe('starting an evaluation', () => {
  it('refuses a malformed genotype with bad_input that names the problem', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 4, test: 2 });
    const start = (text: string) =>
      rejection(
        h.api.dispatch('jobs.start', {
          kind: 'evaluate',
          params: { datasetId: digits, batch: 4, source: { kind: 'genotype', text } },
        }),
      );
    const op = await start('|nor_conv_9x9~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|');
    expect(op.code).toBe('bad_input');
    expect(op.message).toMatch(/^The genotype cannot be read: .*unknown operation 'nor_conv_9x9'/);
    const darts = await start("Genotype(normal=[('sep_conv_3x3', 0)], normal_concat=[2])");
    expect(darts.code).toBe('bad_input');
    expect(darts.message).toMatch(/^The genotype cannot be read: missing 'reduce' in Genotype\(\.\.\.\)/);
    const prose = await start('a nice small network');
    expect(prose.code).toBe('bad_input');
    expect(prose.message).toMatch(/^The genotype cannot be read: not a genotype: expected DARTS text/);
    const json = await start('{"format": "winnow-genotype"');
    expect(json.message).toMatch(/^The genotype cannot be read: not valid JSON/);
    expect(h.store.jobs.list({ limit: 10, kind: 'evaluate' })).toEqual([]);
  });

  it('refuses a missing dataset or search (not_found) and a search that has not finished (conflict)', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 4, test: 2 });
    const interrupted = addSearch(h, digits, 'interrupted');
    const selftest = h.store.jobs.create('selftest', {}, process.pid);
    h.store.jobs.appendEvent(selftest.id, { type: 'state', state: 'cancelled' });
    const start = (params: Record<string, unknown>) =>
      rejection(h.api.dispatch('jobs.start', { kind: 'evaluate', params: { batch: 4, ...params } }));
    const noDataset = await start({ datasetId: 42, source: { kind: 'baseline', name: 'cnn' } });
    expect(noDataset.code).toBe('not_found');
    expect(noDataset.message).toMatch(/^There is no dataset 42/);
    const noSearch = await start({ datasetId: digits, source: { kind: 'search', jobId: 77 } });
    expect(noSearch.code).toBe('not_found');
    expect(noSearch.message).toMatch(/^There is no search 77\./);
    // a job that is not a search is no search either
    expect(await start({ datasetId: digits, source: { kind: 'search', jobId: selftest.id } })).toMatchObject({
      code: 'not_found',
    });
    const unfinished = await start({ datasetId: digits, source: { kind: 'search', jobId: interrupted.id } });
    expect(unfinished.code).toBe('conflict');
    expect(unfinished.message).toMatch(
      new RegExp(`^Search ${interrupted.id} has not finished \\(it is interrupted\\), so it has no final genotype`),
    );
    expect(h.store.jobs.list({ limit: 10, kind: 'evaluate' })).toEqual([]);
  });

  it('refuses with bad_input what the dataset cannot train, counting training images after the per-class limit', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one', 'two'], { train: 4, test: 1 });
    const start = (params: Record<string, unknown>) =>
      rejection(
        h.api.dispatch('jobs.start', {
          kind: 'evaluate',
          params: { datasetId: digits, source: { kind: 'baseline', name: 'resnet20' }, ...params },
        }),
      );
    // 3 classes × min(4, 3) = 9 training images
    const batch = await start({ batch: 10, limitPerClass: 3 });
    expect(batch.code).toBe('bad_input');
    expect(batch.message).toBe(
      'The batch of 10 is larger than the 9 training images. Lower the batch size to 9 or less.',
    );
    const noTest = addDataset(h, 'no test', ['a', 'b'], { train: 4, test: 0 });
    expect(
      (
        await rejection(
          h.api.dispatch('jobs.start', {
            kind: 'evaluate',
            params: { datasetId: noTest, batch: 2, source: { kind: 'baseline', name: 'cnn' } },
          }),
        )
      ).message,
    ).toMatch(/has no test images/);
    expect(h.store.jobs.list({ limit: 10, kind: 'evaluate' })).toEqual([]);
  });

  it("prepares the engine context: a done search's genotype and its genotype.json, or a pasted genotype marked external", async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 3, test: 1 });
    const search = addSearch(h, digits, 'done');
    const prepare = (job: { id: number; params: unknown }): EvaluateJobContext =>
      evaluateKind.prepare!(h, { id: job.id, params: EvaluateParams.parse(job.params) });
    const c = prepare({
      id: 1,
      params: EvaluateParams.parse({
        datasetId: digits,
        batch: 4,
        preset: 'tiny',
        source: { kind: 'search', jobId: search.id },
      }),
    }) as EvaluateJobContext;
    expect(c).toMatchObject({
      datasetId: digits,
      datasetName: 'digits',
      shape: { width: 8, height: 8, channels: 1 },
      classNames: ['zero', 'one'],
      groups: null,
      genotypeText: NB201_TEXT,
    });
    expect(c.labels).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
    expect(c.splits).toEqual(['train', 'train', 'train', 'test', 'train', 'train', 'train', 'test']);
    expect(c.network).toEqual({
      kind: 'nb201',
      channels: 8,
      layers: 1,
      auxiliary: false,
      dropPath: 0,
      genotype: NB201,
      label: 'NAS-Bench-201 network, C=8, 1 cell per stage',
    });
    expect(c.genotypeJson).toBe(
      fs.readFileSync(path.join(jobDirFor(h.dataDir, search.id), SEARCH_FILES.genotypeJson), 'utf8'),
    );
    expect(c.datasetHash).toBe(datasetContentHash(h.store, digits));
    const pasted = prepare({
      id: 2,
      params: { datasetId: digits, batch: 4, source: { kind: 'genotype', text: `  ${NB201_TEXT}\n` } },
    }) as EvaluateJobContext;
    const doc = parseGenotypeJson(pasted.genotypeJson!);
    expect(doc.genotype).toEqual(NB201);
    expect(doc.provenance).toMatchObject({ jobId: null, datasetId: null, strategy: 'external', space: 'nb201' });
    const baseline = prepare({
      id: 3,
      params: { datasetId: digits, batch: 4, source: { kind: 'baseline', name: 'cnn' } },
    }) as EvaluateJobContext;
    expect(baseline).toMatchObject({
      genotypeJson: null,
      genotypeText: null,
      network: { kind: 'cnn', genotype: null },
    });
    // the prepare hook reports refusals as plain errors with the same message
    expect(() =>
      prepare({ id: 4, params: { datasetId: digits, batch: 7, source: { kind: 'baseline', name: 'cnn' } } }),
    ).toThrow('The batch of 7 is larger than the 6 training images');
  });
});

// ---- evaluations.list / get ---------------------------------------------------------------------------

const epoch = (e: number, epochs: number, testAccuracy: number): EvaluateEpochData => ({
  epoch: e,
  epochs,
  trainLoss: 2 - 0.1 * e,
  trainAccuracy: 0.2 * e,
  testLoss: 2.1 - 0.1 * e,
  testAccuracy,
  lr: 0.025,
  seconds: 2,
  images: 12,
});

function addEvaluation(
  h: WinnowHost,
  params: Record<string, unknown>,
  epochs: EvaluateEpochData[],
  end: { state: 'done'; result: EvaluateResult } | { state: 'interrupted' | 'running' },
): JobSummary {
  const job = h.store.jobs.create('evaluate', EvaluateParams.parse(params), process.pid);
  h.store.jobs.appendEvent(job.id, { type: 'state', state: 'running' });
  for (const d of epochs) h.store.jobs.appendEvent(job.id, { type: 'evaluate-epoch', data: d });
  if (end.state === 'done') h.store.jobs.appendEvent(job.id, { type: 'result', result: end.result });
  if (end.state !== 'running') h.store.jobs.appendEvent(job.id, { type: 'state', state: end.state });
  return h.store.jobs.get(job.id)!;
}

describe('evaluations.list / get', () => {
  it("lists evaluations with their latest epoch, the result when done, and the source search's cost", async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 6, test: 2 });
    const other = addDataset(h, 'other', ['a', 'b'], { train: 6, test: 2 });
    const search = addSearch(h, digits, 'done', { seconds: 12.5, imagesPerSecond: 40.3 });
    const unfinished = addSearch(h, digits, 'interrupted');
    // the first attempt got to epoch 3; the resumed run redid epoch 2 and was cut off again: epoch 3 no longer counts
    const resumed = addEvaluation(
      h,
      { datasetId: digits, epochs: 4, source: { kind: 'search', jobId: search.id } },
      [epoch(1, 4, 0.3), epoch(2, 4, 0.4), epoch(3, 4, 0.5), epoch(2, 4, 0.45)],
      {
        state: 'interrupted',
      },
    );
    const network = cnnNetwork(8);
    const test = { images: 4, loss: 0.4, accuracy: 0.75, perClass: [], confusion: [], perGroup: null, groupStd: null };
    const result: EvaluateResult = {
      network,
      genotypeText: null,
      parameters: 1234,
      multiplyAdds: 56789,
      test,
      epochs: 2,
      seconds: 9.5,
      imagesPerSecond: 2.5,
      backend: 'cpu',
      modelId: 17,
    };
    const done = addEvaluation(
      h,
      { datasetId: other, epochs: 2, source: { kind: 'baseline', name: 'cnn' } },
      [epoch(1, 2, 0.6), epoch(2, 2, 0.7)],
      { state: 'done', result },
    );
    const pending = addEvaluation(
      h,
      { datasetId: digits, epochs: 3, source: { kind: 'search', jobId: unfinished.id } },
      [],
      { state: 'running' },
    );

    const all = (await h.api.dispatch('evaluations.list', {})) as EvaluationSummary[];
    expect(all.map((e) => e.jobId)).toEqual([pending.id, done.id, resumed.id]);
    const [p, d, r] = all as [EvaluationSummary, EvaluationSummary, EvaluationSummary];
    expect(r).toMatchObject({
      state: 'interrupted',
      datasetId: digits,
      datasetName: 'digits',
      // not finished, but the network it builds is known from its (finished) search's genotype and the preset
      network: {
        kind: 'nb201',
        channels: 16,
        layers: 1,
        auxiliary: false,
        dropPath: 0,
        label: 'NAS-Bench-201 network, C=16, 1 cell per stage',
      },
      epochs: 4,
      epochsDone: 2,
      testAccuracy: 0.45,
      parameters: null,
      seconds: null,
      modelId: null,
      // 40.3 images/s for 12.5 s = 503.75 → 504
      search: { jobId: search.id, seconds: 12.5, images: 504, strategy: 'full' },
    });
    expect(d).toMatchObject({
      state: 'done',
      datasetName: 'other',
      network,
      epochsDone: 2,
      testAccuracy: 0.75,
      parameters: 1234,
      multiplyAdds: 56789,
      seconds: 9.5,
      modelId: 17,
      search: null,
    });
    expect(d.source).toEqual({ kind: 'baseline', name: 'cnn' });
    // a search that has not finished has no cost yet; its strategy comes from its params
    expect(p).toMatchObject({
      state: 'running',
      epochsDone: 0,
      testAccuracy: null,
      search: { jobId: unfinished.id, seconds: null, images: null, strategy: 'full' },
    });
    // its search never finished, so there is no genotype to describe a network from
    expect(p.network).toBeNull();
    expect(
      ((await h.api.dispatch('evaluations.list', { datasetId: other })) as EvaluationSummary[]).map((e) => e.jobId),
    ).toEqual([done.id]);

    const detail = (await h.api.dispatch('evaluations.get', { id: resumed.id })) as EvaluationDetail;
    expect(detail.epochs.map((e) => [e.epoch, e.testAccuracy])).toEqual([
      [1, 0.3],
      [2, 0.45],
    ]);
    expect(detail.result).toBeNull();
    expect(detail.params).toEqual(
      EvaluateParams.parse({ datasetId: digits, epochs: 4, source: { kind: 'search', jobId: search.id } }),
    );
    expect(detail.summary).toEqual(r);
    const doneDetail = (await h.api.dispatch('evaluations.get', { id: done.id })) as EvaluationDetail;
    expect(doneDetail.result).toEqual(result);
    expect(doneDetail.epochs.map((e) => e.epoch)).toEqual([1, 2]);
  });

  it('replaces every later epoch when a resumed run repeats one, and keeps a full resumed run in order', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 6, test: 2 });
    const job = addEvaluation(
      h,
      { datasetId: digits, epochs: 4, source: { kind: 'baseline', name: 'cnn' } },
      [epoch(1, 4, 0.1), epoch(2, 4, 0.2), epoch(3, 4, 0.3), epoch(4, 4, 0.4), epoch(3, 4, 0.35), epoch(4, 4, 0.45)],
      { state: 'interrupted' },
    );
    const detail = (await h.api.dispatch('evaluations.get', { id: job.id })) as EvaluationDetail;
    expect(detail.epochs.map((e) => [e.epoch, e.testAccuracy])).toEqual([
      [1, 0.1],
      [2, 0.2],
      [3, 0.35],
      [4, 0.45],
    ]);
    expect(detail.summary).toMatchObject({ epochsDone: 4, testAccuracy: 0.45 });
  });

  it('answers not_found for an unknown id and for a job that is not an evaluation', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 4, test: 2 });
    const search = addSearch(h, digits, 'done');
    const missing = await rejection(h.api.dispatch('evaluations.get', { id: 999 }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toMatch(/^There is no evaluation 999\./);
    expect(await rejection(h.api.dispatch('evaluations.get', { id: search.id }))).toMatchObject({ code: 'not_found' });
    expect(await h.api.dispatch('evaluations.list', {})).toEqual([]);
  });
});
