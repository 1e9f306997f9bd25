/**
 * The `naswot` job kind through the API, engine in this process, on a small synthetic dataset (16x16 RGB, scored
 * at 8x8, C = 2): a 200-cell ranking finishes with a valid NB201 genotype, its per-chunk events and files; a ranking
 * on the images a DDS search mined (a search recorded in the store) draws its batches from that subset; Kendall's τ
 * against a briefly trained weight-sharing supernet; and the refusals a user can hit, each saying what to do.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGenotypeJson } from '../../shared/genotype.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import { NaswotResult } from '../../shared/naswot.js';
import { SearchParams, type SearchEpochData } from '../../shared/search.js';
import { naswotBatchRows, naswotSample } from '../../main/engine/naswot/job.js';
import { archText } from '../../main/engine/spaces/nb201/space.js';
import { rejection } from '../helpers/host.js';
import { inProcessHost } from '../helpers/in-process.js';

const env = inProcessHost({ kind: 'synth-chroma', n: 90, size: 16, seed: 3 });
const TINY = {
  sample: 200,
  channels: 2,
  cells: 1,
  inputSize: 8,
  batch: 8,
  repeats: 2,
  seed: 5,
  backend: 'wasm',
} as const;

const runNaswot = (params: Record<string, unknown>) => env.run('naswot', params, NaswotResult);

describe('naswot job', () => {
  it('ranks 200 cells and ends with a valid NB201 genotype, chunk events and files', async () => {
    const { result, events } = await runNaswot(TINY);
    expect(result.scored).toBe(200);
    expect(result.images).toMatchObject({ source: 'random', searchId: null });
    expect(parseNb201(result.chosen.text)).toEqual(result.chosen.genotype);
    expect(result.top[0]!.text).toBe(result.chosen.text);
    expect(result.top).toHaveLength(10);
    for (let i = 1; i < result.top.length; i++)
      expect(result.top[i - 1]!.mean ?? -Infinity).toBeGreaterThanOrEqual(result.top[i]!.mean ?? -Infinity);
    expect(result.cellsPerSecond).toBeGreaterThan(0);
    expect(result.kendall).toBeNull();
    // the chunks cover the sample once, in order
    const chunks = events.flatMap((e) => (e.event.type === 'naswot-chunk' ? [e.event.data] : []));
    expect(chunks.flatMap((c) => c.indices)).toEqual(naswotSample(TINY));
    expect(chunks.at(-1)!.done).toBe(200);
    const json = parseGenotypeJson(fs.readFileSync(result.files.genotypeJson, 'utf8'));
    expect(json.text).toBe(result.chosen.text);
    expect(json.provenance).toMatchObject({
      space: 'nb201',
      strategy: 'naswot-random',
      datasetId: env.datasetId,
      seed: 5,
    });
    const csv = fs.readFileSync(result.files.scoresCsv, 'utf8').trim().split('\n');
    expect(csv[0]).toBe('index,cell,mean,std,score_1,score_2');
    expect(csv).toHaveLength(201);
    expect(csv[1]!.split(',')[1]).toBe(result.chosen.text);
  }, 120_000);

  it('scores identically when run again with the same seed', async () => {
    const params = { ...TINY, sample: 30 };
    const a = await runNaswot(params);
    const b = await runNaswot(params);
    expect(b.result.top).toEqual(a.result.top);
  }, 120_000);

  it('draws its batches from the last subset of a DDS search', async () => {
    // a finished dds search as the store records one: its last epoch's subset of training rows
    const rows = env.host.store.datasets.labels(env.datasetId);
    const train = rows.split.flatMap((s, i) => (s === 'train' ? [i] : []));
    const subset = train.slice(0, 12);
    const search = env.host.store.jobs.create(
      'search',
      SearchParams.parse({ datasetId: env.datasetId, space: 'nb201', strategy: 'dds-untrained' }),
      process.pid,
    );
    const epoch = (n: number, rowsOf: number[]): SearchEpochData => ({
      epoch: n,
      epochs: 2,
      space: 'nb201',
      trainLoss: 1,
      trainAccuracy: 0.5,
      valLoss: 1,
      valAccuracy: 0.5,
      lr: 0.025,
      seconds: 1,
      images: rowsOf.length,
      selection: {
        trainSize: rowsOf.length,
        valSize: rowsOf.length,
        perClass: { train: [], val: [] },
        balance: 1,
        dds: {
          mastery: 0.5,
          easy: 0,
          hard: 0,
          replaced: 0,
          uniqueSeen: 12,
          subset: rowsOf,
          hardRows: [],
          replacedRows: [],
        },
      },
      alphas: { normal: [] },
      genotype: parseNb201(archText(0)),
    });
    env.host.store.jobs.appendEvent(search.id, { type: 'search-epoch', data: epoch(1, train.slice(20, 32)) });
    env.host.store.jobs.appendEvent(search.id, { type: 'search-epoch', data: epoch(2, subset) });
    env.host.store.jobs.appendEvent(search.id, { type: 'state', state: 'done' });

    const params = { ...TINY, sample: 20, minedFrom: search.id };
    const { result, events } = await runNaswot(params);
    expect(result.images).toEqual({ source: 'mined', searchId: search.id, pool: 12 });
    expect(
      events.some((e) => e.event.type === 'log' && /12 images search \d+ mined in its epoch 2/.test(e.event.message)),
    ).toBe(true);
    // the batches come from the subset: repeat r's rows
    for (let r = 0; r < 2; r++) expect(subset).toEqual(expect.arrayContaining(naswotBatchRows(subset, 8, 5, r)));
    const random = await runNaswot({ ...TINY, sample: 20 });
    expect(result.top.map((x) => x.mean)).not.toEqual(random.result.top.map((x) => x.mean));

    // refusals: a batch larger than the subset, a search that is not DDS, a search of another dataset, no such job
    const big = await rejection(
      env.host.api.dispatch('jobs.start', {
        kind: 'naswot',
        params: { datasetId: env.datasetId, ...params, batch: 16 },
      }),
    );
    expect(big).toMatchObject({
      code: 'bad_input',
      message: expect.stringMatching(/has 12\. Lower the batch size or draw the images at random/),
    });
    const full = env.host.store.jobs.create(
      'search',
      SearchParams.parse({ datasetId: env.datasetId, space: 'nb201' }),
      process.pid,
    );
    env.host.store.jobs.appendEvent(full.id, {
      type: 'search-epoch',
      data: { ...epoch(1, subset), selection: undefined },
    });
    const notDds = await rejection(
      env.host.api.dispatch('jobs.start', {
        kind: 'naswot',
        params: { datasetId: env.datasetId, ...params, minedFrom: full.id },
      }),
    );
    expect(notDds.message).toMatch(/has no DDS subset \(it did not use the dds or dds-untrained strategy\)/);
    const none = await rejection(
      env.host.api.dispatch('jobs.start', {
        kind: 'naswot',
        params: { datasetId: env.datasetId, ...params, minedFrom: 9999 },
      }),
    );
    expect(none.message).toMatch(/There is no search 9999/);
    const other = await rejection(
      env.host.api.dispatch('jobs.start', { kind: 'naswot', params: { ...params, datasetId: 9999 } }),
    );
    expect(other).toMatchObject({ code: 'not_found', message: expect.stringMatching(/There is no dataset 9999/) });
  }, 120_000);

  it("reports Kendall's τ against inherited-weight accuracy of a weight-sharing supernet", async () => {
    const { result, events } = await runNaswot({
      ...TINY,
      sample: 12,
      kendall: true,
      kendallSample: 6,
      supernetEpochs: 1,
      supernetBatch: 8,
      calibrationBatches: 2,
    });
    const k = result.kendall!;
    expect(k.cells).toBe(6);
    expect(k.tau).toBeGreaterThanOrEqual(-1);
    expect(k.tau).toBeLessThanOrEqual(1);
    expect(k.chosenAccuracy).toBeGreaterThanOrEqual(0);
    expect(result.top[0]!.accuracy).toBe(k.chosenAccuracy);
    expect(fs.existsSync(result.files.supernet!)).toBe(true);
    expect(events.some((e) => e.event.type === 'metric' && e.event.name === 'kendall_tau')).toBe(true);
  }, 120_000);
});
