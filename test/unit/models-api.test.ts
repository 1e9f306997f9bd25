/**
 * The host's side of the evaluation stage (main/api/evaluations.ts) through the API, without the engine: datasets,
 * searches and evaluate jobs with their `evaluate-epoch` events are written straight into the store, and model
 * folders are written by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Split } from '../../shared/datasets.js';
import { EvaluateParams } from '../../shared/evaluate.js';
import type {
  EvaluateEpochData,
  EvaluateResult,
  EvaluationDetail,
  EvaluationSummary,
  ModelFile,
  ModelReportFile,
  ModelSummary,
} from '../../shared/evaluate.js';
import { parseGenotype, parseGenotypeJson, toGenotypeJson } from '../../shared/genotype.js';
import type { JobSummary } from '../../shared/jobs.js';
import { SearchParams, type SearchResult } from '../../shared/search.js';
import type { WinnowHost } from '../../main/api/host.js';
import { datasetContentHash } from '../../main/api/searches.js';
import type { EvaluateJobContext } from '../../main/engine/evaluate/context.js';
import { SEARCH_FILES } from '../../main/engine/search/context.js';
import { evaluateKind } from '../../main/jobs/evaluate.js';
import { jobDirFor, modelDirFor } from '../../main/store/paths.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { insertDatasetRecord, makeDatasetDir } from '../helpers/store.js';
import { modelReport } from '../helpers/models.js';
import { scratch } from '../helpers/scratch.js';

const NB201 = parseGenotype('|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|');
const NB201_TEXT = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|';

/** 8x8 grey images: per class `train` training and `test` test images (made-up pixel hashes). */
function addDataset(h: WinnowHost, name: string, classes: string[], per: { train: number; test: number }): number {
  const rows = {
    label: [] as number[],
    split: [] as Split[],
    half: [] as Array<'w' | 'a' | null>,
    group: [] as Array<string | null>,
    source: [] as string[],
    hash: [] as string[],
  };
  classes.forEach((_, label) => {
    for (const [split, n] of [
      ['train', per.train],
      ['test', per.test],
    ] as const) {
      for (let i = 0; i < n; i++) {
        rows.label.push(label);
        rows.split.push(split);
        rows.half.push(split === 'train' ? (i % 2 ? 'a' : 'w') : null);
        rows.group.push(null);
        rows.source.push(`${label}/${split}-${i}.png`);
        rows.hash.push(`${name}-${label}-${split}-${i}`);
      }
    }
  });
  return insertDatasetRecord(h.store, name, classes, rows, makeDatasetDir(h.dataDir));
}

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

// ---- model folders ------------------------------------------------------------------------------------

const WEIGHTS = Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + 5) % 256));
const MODEL_JSON = JSON.stringify({
  format: 'layers-model',
  modelTopology: {},
  weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'a', shape: [2, 3], dtype: 'float32' }] }],
});

function modelFolder(opts: { report?: ModelReportFile; weights?: Buffer; genotype?: string } = {}): string {
  const dir = path.join(scratch(), 'export');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.json'), MODEL_JSON);
  fs.writeFileSync(path.join(dir, 'weights.bin'), opts.weights ?? WEIGHTS);
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(opts.report ?? modelReport(), null, 2));
  if (opts.genotype) fs.writeFileSync(path.join(dir, 'genotype.json'), opts.genotype);
  return dir;
}

/** Every file under `dir` with its bytes (as hex), to see that nothing changed. */
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]),
  );
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

// ---- models.* -------------------------------------------------------------------------------------------

describe('models.import / file / delete', () => {
  it('refuses a folder that is not a usable model with bad_input and stores nothing', async () => {
    const h = await openTestHost();
    const short = modelFolder({ weights: WEIGHTS.subarray(0, 20) });
    const before = snapshot(short);
    const e = await rejection(h.api.dispatch('models.import', { path: short }));
    expect(e.code).toBe('bad_input');
    expect(e.message).toBe(
      'The weights files hold 20 bytes but model.json describes 24: the folder is incomplete or from another model.',
    );
    expect(snapshot(short)).toEqual(before);
    const missing = await rejection(h.api.dispatch('models.import', { path: path.join(short, 'nothing') }));
    expect(missing.code).toBe('bad_input');
    expect(missing.message).toMatch(/is not a folder/);
    expect(await h.api.dispatch('models.list', {})).toEqual([]);
    expect(fs.existsSync(path.join(h.dataDir, 'models')) ? fs.readdirSync(path.join(h.dataDir, 'models')) : []).toEqual(
      [],
    );
  });

  it('copies a good folder into dataDir/models/<id>/, leaves the source alone, and takes a name override', async () => {
    const h = await openTestHost();
    const src = modelFolder({ report: modelReport({ test: null, genotypeText: null }) });
    const before = snapshot(src);
    const m = (await h.api.dispatch('models.import', { path: src })) as ModelSummary;
    expect(m).toMatchObject({
      name: 'exported cnn',
      origin: 'import',
      jobId: null,
      datasetId: null,
      datasetName: null,
      classNames: ['zero', 'one'],
      preprocessing: { height: 8, width: 8, channels: 1, mean: [0.5], std: [0.25] },
      parameters: 6,
      multiplyAdds: 12,
      testAccuracy: null,
      genotypeText: null,
    });
    expect(m.network?.label).toBe('plain CNN, C=8');
    expect(snapshot(src)).toEqual(before);
    const dest = modelDirFor(h.dataDir, m.id);
    expect(snapshot(dest)).toEqual(before); // model.json, report.json, weights.bin, byte for byte
    expect(fs.readdirSync(path.join(h.dataDir, 'models'))).toEqual([String(m.id)]); // no staging left behind
    const renamed = (await h.api.dispatch('models.import', { path: src, name: '  my copy  ' })) as ModelSummary;
    expect(renamed.id).not.toBe(m.id);
    expect(renamed.name).toBe('my copy');
    expect(((await h.api.dispatch('models.list', {})) as ModelSummary[]).map((x) => x.id)).toEqual([renamed.id, m.id]);
    expect(await h.api.dispatch('models.get', { id: m.id })).toEqual(m);
  });

  it('links an import to its dataset only when the dataset content hash matches', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 2, test: 1 });
    const hash = datasetContentHash(h.store, digits)!;
    const test = { images: 2, loss: 0.5, accuracy: 0.5, perClass: [], confusion: [], perGroup: null, groupStd: null };
    const same = (await h.api.dispatch('models.import', {
      path: modelFolder({ report: modelReport({ dataset: { id: digits, name: 'digits', hash }, test }) }),
    })) as ModelSummary;
    expect(same).toMatchObject({ datasetId: digits, datasetName: 'digits', testAccuracy: 0.5 });
    expect(((await h.api.dispatch('models.list', { datasetId: digits })) as ModelSummary[]).map((x) => x.id)).toEqual([
      same.id,
    ]);
    const changed = (await h.api.dispatch('models.import', {
      path: modelFolder({ report: modelReport({ dataset: { id: digits, name: 'digits', hash: 'sha256:0000' } }) }),
    })) as ModelSummary;
    expect(changed).toMatchObject({ datasetId: null, datasetName: null });
  });

  it('hands out model.json as text, weights.bin as base64, genotype.json only when there is one', async () => {
    const h = await openTestHost();
    const plain = (await h.api.dispatch('models.import', { path: modelFolder() })) as ModelSummary;
    const mj = (await h.api.dispatch('models.file', { id: plain.id, file: 'model.json' })) as ModelFile;
    expect(mj).toEqual({ filename: 'model.json', mime: 'application/json', encoding: 'utf8', data: MODEL_JSON });
    const w = (await h.api.dispatch('models.file', { id: plain.id, file: 'weights.bin' })) as ModelFile;
    expect(w).toMatchObject({ filename: 'weights.bin', mime: 'application/octet-stream', encoding: 'base64' });
    expect(Buffer.from(w.data, 'base64').equals(WEIGHTS)).toBe(true);
    const r = (await h.api.dispatch('models.file', { id: plain.id, file: 'report.json' })) as ModelFile;
    expect(JSON.parse(r.data)).toEqual(modelReport());
    const none = await rejection(h.api.dispatch('models.file', { id: plain.id, file: 'genotype.json' }));
    expect(none.code).toBe('not_found');
    expect(none.message).toBe(
      `Model ${plain.id} (plain CNN, C=8) has no genotype: it is a baseline or was imported without one.`,
    );
    const genotype = '{"format": "winnow-genotype"}\n';
    const searched = (await h.api.dispatch('models.import', {
      path: modelFolder({ genotype, report: modelReport({ genotypeText: NB201_TEXT }) }),
    })) as ModelSummary;
    expect(searched.genotypeText).toBe(NB201_TEXT);
    expect(await h.api.dispatch('models.file', { id: searched.id, file: 'genotype.json' })).toEqual({
      filename: 'genotype.json',
      mime: 'application/json',
      encoding: 'utf8',
      data: genotype,
    });
    expect(await rejection(h.api.dispatch('models.file', { id: 999, file: 'model.json' }))).toMatchObject({
      code: 'not_found',
    });
    expect(await rejection(h.api.dispatch('models.file', { id: plain.id, file: 'secrets.txt' }))).toMatchObject({
      code: 'bad_input',
    });
  });

  it('deletes the row and the folder', async () => {
    const h = await openTestHost();
    const a = (await h.api.dispatch('models.import', { path: modelFolder() })) as ModelSummary;
    const b = (await h.api.dispatch('models.import', { path: modelFolder() })) as ModelSummary;
    expect(fs.existsSync(modelDirFor(h.dataDir, a.id))).toBe(true);
    expect(await h.api.dispatch('models.delete', { id: a.id })).toEqual({ id: a.id, deleted: true });
    expect(fs.existsSync(modelDirFor(h.dataDir, a.id))).toBe(false);
    expect(fs.existsSync(modelDirFor(h.dataDir, b.id))).toBe(true);
    expect(await rejection(h.api.dispatch('models.get', { id: a.id }))).toMatchObject({ code: 'not_found' });
    expect(await rejection(h.api.dispatch('models.delete', { id: a.id }))).toMatchObject({ code: 'not_found' });
    expect(((await h.api.dispatch('models.list', {})) as ModelSummary[]).map((m) => m.id)).toEqual([b.id]);
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
    const network = {
      kind: 'cnn' as const,
      channels: 8,
      layers: 0,
      auxiliary: false,
      dropPath: 0,
      genotype: null,
      label: 'plain CNN, C=8',
    };
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

// ---- starting a compression study ------------------------------------------------------------------------

describe('starting a compression study', () => {
  it('refuses a model that does not take the dataset’s images or classes, or cannot be retrained, and says what to do', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 4, test: 2 });
    const letters = addDataset(h, 'letters', ['a', 'b'], { train: 4, test: 2 });
    const fits = (await h.api.dispatch('models.import', { path: modelFolder() })) as ModelSummary;
    const wide = (await h.api.dispatch('models.import', {
      path: modelFolder({
        report: modelReport({ preprocessing: { height: 8, width: 16, channels: 1, mean: [0.5], std: [0.25] } }),
      }),
    })) as ModelSummary;
    const bare = (await h.api.dispatch('models.import', {
      path: modelFolder({ report: modelReport({ network: null }) }),
    })) as ModelSummary;
    const start = (datasetId: number, modelId: number, protocols: string[] = ['test']) =>
      rejection(
        h.api.dispatch('jobs.start', {
          kind: 'compress',
          params: { datasetId, model: { kind: 'model', modelId }, protocols: protocols as never, batch: 4 },
        }),
      );
    const size = await start(digits, wide.id);
    expect(size.code).toBe('bad_input');
    expect(size.message).toMatch(
      /takes 16x8x1 images, but dataset "digits" holds 8x8x1\. Choose a model trained on this dataset, or train a baseline first\./,
    );
    const classes = await start(letters, fits.id);
    expect(classes.message).toMatch(/predicts the classes zero, one, not this dataset's \(a, b\)/);
    const retrain = await start(digits, bare.id, ['test', 'retrain']);
    expect(retrain.message).toMatch(
      /imported without a network description, so it cannot be retrained\. Choose the test protocol only/,
    );
    expect((await start(digits, 999)).code).toBe('not_found');
    // the tiny dataset's 8 training images are fewer than a batch of 64: the baseline is refused before it starts
    const batch = await rejection(
      h.api.dispatch('jobs.start', {
        kind: 'compress',
        params: { datasetId: digits, model: { kind: 'baseline', name: 'cnn' } },
      }),
    );
    expect(batch.message).toMatch(/batch of 64 is larger than the 8 training images/);
    expect(h.store.jobs.list({ kind: 'compress', limit: 10 })).toHaveLength(0);
  });
});
