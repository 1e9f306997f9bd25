/**
 * The `searches.*` API and the host's part of a search job, without the engine: datasets and search jobs with
 * their `search-epoch` events are written straight into the store, as the engine would leave them.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenotype, parseGenotypeJson, toGenotypeJson } from '../../shared/genotype.js';
import { DARTS_OPS, NB201_OPS, type Genotype } from '../../shared/genotype/ops.js';
import { formatDartsGenotype, formatGenotype, formatNb201 } from '../../shared/genotype/text.js';
import { deriveDartsGenotype, deriveNb201Genotype, softmaxRows } from '../../shared/genotype/derive.js';
import type { JobSummary } from '../../shared/jobs.js';
import {
  SearchParams,
  type AlphaSnapshot,
  type GenotypeExport,
  type SearchDetail,
  type SearchEpochData,
  type SearchResult,
  type SearchSummary,
} from '../../shared/search.js';
import type { WinnowHost } from '../../main/api/host.js';
import { datasetContentHash } from '../../main/api/searches.js';
import { epochLine } from '../../main/cli/search.js';
import { SEARCH_FILES, type SearchJobContext } from '../../main/engine/search/context.js';
import { searchKind } from '../../main/jobs/search.js';
import { datasetDirFor, jobDirFor } from '../../main/store/paths.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { addSearchDataset } from '../helpers/store.js';

const addDataset = addSearchDataset;

/** Deterministic α with a per-epoch twist, softmaxed per edge. */
function alphas(space: 'darts' | 'nb201', epoch: number): AlphaSnapshot {
  const rows = space === 'darts' ? 14 : 6;
  const cols = space === 'darts' ? DARTS_OPS.length : NB201_OPS.length;
  const m = (k: number) =>
    softmaxRows(
      Array.from({ length: rows }, (_, r) =>
        Array.from({ length: cols }, (_, c) => Math.sin(r * 3.1 + c * 1.7 + epoch * 0.9 + k)),
      ),
    );
  return space === 'darts' ? { normal: m(0), reduce: m(1) } : { normal: m(0) };
}

function genotypeOf(a: AlphaSnapshot, space: 'darts' | 'nb201'): Genotype {
  return space === 'darts' ? deriveDartsGenotype(a.normal, a.reduce!) : deriveNb201Genotype(a.normal);
}

function epochData(
  space: 'darts' | 'nb201',
  epoch: number,
  epochs: number,
  valAccuracy = 0.1 * epoch,
): SearchEpochData {
  const a = alphas(space, epoch);
  return {
    epoch,
    epochs,
    space,
    trainLoss: 2.3 - 0.1 * epoch,
    trainAccuracy: 0.12 * epoch,
    valLoss: 2.35 - 0.1 * epoch,
    valAccuracy,
    lr: 0.025,
    seconds: 1.5,
    images: 40,
    alphas: a,
    genotype: genotypeOf(a, space),
  };
}

/** A search job as the supervisor and engine would leave it: its state, its epochs and (when done) its result. */
function addSearch(
  h: WinnowHost,
  params: Partial<SearchParams> & { datasetId: number },
  opts: { epochs: SearchEpochData[]; state: 'done' | 'interrupted' | 'failed' | 'running'; message?: string },
): JobSummary {
  const p = SearchParams.parse(params);
  const job = h.store.jobs.create('search', p, process.pid);
  h.store.jobs.appendEvent(job.id, { type: 'state', state: 'running' });
  for (const d of opts.epochs) h.store.jobs.appendEvent(job.id, { type: 'search-epoch', data: d });
  if (opts.state === 'done') {
    const last = opts.epochs[opts.epochs.length - 1]!;
    const file = path.join(jobDirFor(h.dataDir, job.id), SEARCH_FILES.genotypeJson);
    const result: SearchResult = {
      space: p.space,
      strategy: p.strategy,
      epochs: p.epochs,
      genotype: last.genotype,
      genotypeText: formatGenotype(last.genotype),
      alphas: last.alphas,
      final: {
        trainLoss: last.trainLoss,
        trainAccuracy: last.trainAccuracy,
        valLoss: last.valLoss,
        valAccuracy: last.valAccuracy,
      },
      seconds: 3,
      imagesPerSecond: 26.7,
      backend: 'cpu',
      files: { genotypeJson: file },
    };
    h.store.jobs.appendEvent(job.id, { type: 'result', result });
  }
  if (opts.state !== 'running')
    h.store.jobs.appendEvent(job.id, {
      type: 'state',
      state: opts.state,
      ...(opts.message ? { message: opts.message } : {}),
    });
  return h.store.jobs.get(job.id)!;
}

/** The genotype.json a finished search leaves in its job folder. */
function writeGenotypeJson(h: WinnowHost, jobId: number, d: SearchEpochData, datasetId: number): string {
  const doc = toGenotypeJson(d.genotype, {
    app: 'Winnow test',
    createdAt: '2025-01-01T00:00:00.000Z',
    jobId,
    datasetId,
    datasetName: 'digits',
    datasetHash: 'sha256:feed',
    space: d.space,
    strategy: 'full',
    seed: 0,
    epochs: d.epoch,
    alphas: d.alphas,
    metrics: { valAccuracy: d.valAccuracy },
  });
  const text = JSON.stringify(doc, null, 2) + '\n';
  const dir = jobDirFor(h.dataDir, jobId);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, SEARCH_FILES.genotypeJson), text);
  return text;
}

/** Three searches on `digits` (done darts, interrupted nb201 resumed once, failed before an epoch) and one elsewhere. */
async function fixture() {
  const h = await openTestHost();
  const digits = addDataset(h, 'digits', ['zero', 'one', 'two'], { w: 6, a: 6, test: 3 });
  const other = addDataset(h, 'other', ['a', 'b'], { w: 4, a: 4, test: 2 }, 'o');
  const selftest = h.store.jobs.create('selftest', {}, process.pid);
  h.store.jobs.appendEvent(selftest.id, { type: 'state', state: 'cancelled' });
  const darts = addSearch(
    h,
    { datasetId: digits, epochs: 2, batch: 6 },
    { epochs: [epochData('darts', 1, 2), epochData('darts', 2, 2)], state: 'done' },
  );
  const dartsJson = writeGenotypeJson(h, darts.id, epochData('darts', 2, 2), digits);
  // epoch 2 of the first attempt was cut off after its event but before its checkpoint: the resumed run redid it
  const nb201 = addSearch(
    h,
    { datasetId: digits, space: 'nb201', epochs: 4, batch: 6, seed: 7 },
    {
      epochs: [
        epochData('nb201', 1, 4),
        epochData('nb201', 2, 4, 0.2),
        epochData('nb201', 2, 4, 0.25),
        epochData('nb201', 3, 4),
      ],
      state: 'interrupted',
      message: 'Interrupted: killed.',
    },
  );
  const failed = addSearch(
    h,
    { datasetId: digits, epochs: 3, batch: 6 },
    { epochs: [], state: 'failed', message: 'Out of memory.' },
  );
  const orphan = addSearch(
    h,
    { datasetId: other, epochs: 1, batch: 4 },
    { epochs: [epochData('darts', 1, 1)], state: 'done' },
  );
  return { h, digits, other, selftest, darts, dartsJson, nb201, failed, orphan };
}

describe('searches.list / searches.get', () => {
  it('lists every search newest first with its latest epoch, filtered by dataset; a deleted dataset has no name', async () => {
    const f = await fixture();
    await f.h.api.dispatch('datasets.delete', { id: f.other });
    const all = (await f.h.api.dispatch('searches.list', {})) as SearchSummary[];
    expect(all.map((s) => s.jobId)).toEqual([f.orphan.id, f.failed.id, f.nb201.id, f.darts.id]);
    const [orphan, failed, nb201, darts] = all as [SearchSummary, SearchSummary, SearchSummary, SearchSummary];
    expect(orphan).toMatchObject({ datasetId: f.other, datasetName: null, state: 'done' });
    expect(failed).toMatchObject({
      state: 'failed',
      epochsDone: 0,
      epochs: 3,
      genotypeText: null,
      valAccuracy: null,
      space: 'darts',
      strategy: 'full',
    });
    expect(nb201).toMatchObject({
      state: 'interrupted',
      datasetName: 'digits',
      space: 'nb201',
      epochs: 4,
      epochsDone: 3,
      valAccuracy: 0.30000000000000004,
    });
    expect(nb201.genotypeText).toBe(
      formatNb201(epochData('nb201', 3, 4).genotype as Extract<Genotype, { space: 'nb201' }>),
    );
    expect(darts).toMatchObject({ state: 'done', epochsDone: 2, epochs: 2, valAccuracy: 0.2 });
    expect(parseGenotype(darts.genotypeText!)).toEqual(epochData('darts', 2, 2).genotype);
    const onDigits = (await f.h.api.dispatch('searches.list', { datasetId: f.digits })) as SearchSummary[];
    expect(onDigits.map((s) => s.jobId)).toEqual([f.failed.id, f.nb201.id, f.darts.id]);
    expect(await f.h.api.dispatch('searches.list', { datasetId: 99 })).toEqual([]);
  });

  it('gets one search: parsed params, every epoch once in order (a resumed epoch replaces the cut-off one), the result when done', async () => {
    const f = await fixture();
    const nb = (await f.h.api.dispatch('searches.get', { id: f.nb201.id })) as SearchDetail;
    expect(nb.params).toEqual(
      SearchParams.parse({ datasetId: f.digits, space: 'nb201', epochs: 4, batch: 6, seed: 7 }),
    );
    expect(nb.epochs.map((e) => [e.epoch, e.valAccuracy])).toEqual([
      [1, 0.1],
      [2, 0.25],
      [3, 0.30000000000000004],
    ]);
    expect(nb.result).toBeNull();
    expect(nb.summary).toMatchObject({ jobId: f.nb201.id, epochsDone: 3 });
    const d = (await f.h.api.dispatch('searches.get', { id: f.darts.id })) as SearchDetail;
    expect(d.epochs).toHaveLength(2);
    expect(d.result).toMatchObject({ space: 'darts', epochs: 2, backend: 'cpu' });
    expect(d.result!.genotype).toEqual(d.epochs[1]!.genotype);
  });

  it('answers not_found for unknown ids and for jobs that are not searches', async () => {
    const f = await fixture();
    const missing = await rejection(f.h.api.dispatch('searches.get', { id: 999 }));
    expect(missing).toMatchObject({ code: 'not_found' });
    expect(missing.message).toMatch(/There is no search 999.*winnow search list/);
    const other = await rejection(f.h.api.dispatch('searches.get', { id: f.selftest.id }));
    expect(other).toMatchObject({ code: 'not_found' });
    expect(other.message).toMatch(/is a selftest job, not a search/);
    expect(await rejection(f.h.api.dispatch('searches.export', { id: f.selftest.id, format: 'json' }))).toMatchObject({
      code: 'not_found',
    });
    expect(await rejection(f.h.api.dispatch('searches.get', { id: 'x' }))).toMatchObject({ code: 'bad_input' });
  });
});

describe('searches.export', () => {
  it('exports a DARTS search as DARTS text, its saved genotype.json, and each cell as SVG', async () => {
    const f = await fixture();
    const g = epochData('darts', 2, 2).genotype as Extract<Genotype, { space: 'darts' }>;
    const text = (await f.h.api.dispatch('searches.export', { id: f.darts.id, format: 'darts' })) as GenotypeExport;
    expect(text).toEqual({
      filename: `search-${f.darts.id}-digits-darts-full-genotype.txt`,
      mime: 'text/plain; charset=utf-8',
      text: formatDartsGenotype(g) + '\n',
    });
    expect(parseGenotype(text.text)).toEqual(g);
    const json = (await f.h.api.dispatch('searches.export', { id: f.darts.id, format: 'json' })) as GenotypeExport;
    expect(json).toEqual({
      filename: `search-${f.darts.id}-digits-darts-full-genotype.json`,
      mime: 'application/json',
      text: f.dartsJson,
    });
    for (const cell of ['normal', 'reduce'] as const) {
      const svg = (await f.h.api.dispatch('searches.export', {
        id: f.darts.id,
        format: 'svg',
        cell,
      })) as GenotypeExport;
      expect(svg.filename).toBe(`search-${f.darts.id}-digits-darts-full-${cell}.svg`);
      expect(svg.mime).toBe('image/svg+xml');
      expect(svg.text).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
      expect(svg.text).toContain(g[cell][0]![0]);
    }
    const nb = await rejection(f.h.api.dispatch('searches.export', { id: f.darts.id, format: 'nb201' }));
    expect(nb.code).toBe('bad_input');
    expect(nb.message).toMatch(/DARTS space.*no NAS-Bench-201 form.*darts, json or svg/);
  });

  it('rebuilds genotype.json from the store when the finished search lost its file', async () => {
    const f = await fixture();
    fs.rmSync(path.join(jobDirFor(f.h.dataDir, f.darts.id), SEARCH_FILES.genotypeJson));
    const doc = parseGenotypeJson(
      ((await f.h.api.dispatch('searches.export', { id: f.darts.id, format: 'json' })) as GenotypeExport).text,
    );
    expect(doc.genotype).toEqual(epochData('darts', 2, 2).genotype);
    expect(doc.provenance).toMatchObject({
      jobId: f.darts.id,
      datasetId: f.digits,
      datasetName: 'digits',
      space: 'darts',
      epochs: 2,
      seed: 0,
    });
    expect(doc.provenance.metrics).toMatchObject({
      valAccuracy: 0.2,
      seconds: 3,
      imagesPerSecond: 26.7,
      epochsPlanned: 2,
    });
  });

  it('exports an unfinished NAS-Bench-201 search from its latest epoch, with provenance up to that epoch', async () => {
    const f = await fixture();
    const latest = epochData('nb201', 3, 4);
    const text = (await f.h.api.dispatch('searches.export', { id: f.nb201.id, format: 'nb201' })) as GenotypeExport;
    expect(text.filename).toBe(`search-${f.nb201.id}-digits-darts-full-nb201.txt`);
    expect(text.text).toBe(formatGenotype(latest.genotype) + '\n');
    expect(parseGenotype(text.text)).toEqual(latest.genotype);
    const json = (await f.h.api.dispatch('searches.export', { id: f.nb201.id, format: 'json' })) as GenotypeExport;
    const doc = parseGenotypeJson(json.text);
    expect(doc.genotype).toEqual(latest.genotype);
    expect(doc.provenance).toMatchObject({
      jobId: f.nb201.id,
      datasetId: f.digits,
      datasetName: 'digits',
      space: 'nb201',
      strategy: 'full',
      seed: 7,
      epochs: 3,
      alphas: latest.alphas,
    });
    expect(doc.provenance.datasetHash).toBe(datasetContentHash(f.h.store, f.digits));
    expect(doc.provenance.metrics).toMatchObject({
      valAccuracy: latest.valAccuracy,
      trainLoss: latest.trainLoss,
      epochsPlanned: 4,
    });
    const svg = (await f.h.api.dispatch('searches.export', { id: f.nb201.id, format: 'svg' })) as GenotypeExport;
    expect(svg.filename).toBe(`search-${f.nb201.id}-digits-darts-full-normal.svg`);
    expect(svg.text).toMatch(/^<svg/);
    const reduce = await rejection(
      f.h.api.dispatch('searches.export', { id: f.nb201.id, format: 'svg', cell: 'reduce' }),
    );
    expect(reduce.code).toBe('bad_input');
    expect(reduce.message).toMatch(/NAS-Bench-201.*--cell normal/);
    const darts = await rejection(f.h.api.dispatch('searches.export', { id: f.nb201.id, format: 'darts' }));
    expect(darts.code).toBe('bad_input');
    expect(darts.message).toMatch(/NAS-Bench-201 space.*Export it as nb201, json or svg/);
  });

  it('refuses (conflict) a search that has not finished an epoch, saying what to do', async () => {
    const f = await fixture();
    const e = await rejection(f.h.api.dispatch('searches.export', { id: f.failed.id, format: 'json' }));
    expect(e.code).toBe('conflict');
    expect(e.message).toMatch(
      /Search \d+ has no genotype to export: it ended \(failed\) before its first epoch finished; resume it/,
    );
    const running = addSearch(f.h, { datasetId: f.digits, batch: 6 }, { epochs: [], state: 'running' });
    const r = await rejection(f.h.api.dispatch('searches.export', { id: running.id, format: 'darts' }));
    expect(r.code).toBe('conflict');
    expect(r.message).toMatch(/is running and has not finished its first epoch yet/);
    expect(await rejection(f.h.api.dispatch('searches.export', { id: f.darts.id, format: 'png' }))).toMatchObject({
      code: 'bad_input',
    });
  });
});

describe('starting a search', () => {
  it('refuses up front: missing dataset (not_found), one class, a batch the per-class halves cannot fill', async () => {
    const h = await openTestHost();
    const one = addDataset(h, 'lonely', ['only'], { w: 20, a: 20, test: 5 });
    const small = addDataset(h, 'small', ['a', 'b'], { w: 3, a: 2, test: 1 });
    const missing = await rejection(h.api.dispatch('jobs.start', { kind: 'search', params: { datasetId: 42 } }));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toMatch(/There is no dataset 42.*winnow dataset list/);
    const oneClass = await rejection(h.api.dispatch('jobs.start', { kind: 'search', params: { datasetId: one } }));
    expect(oneClass.code).toBe('bad_input');
    expect(oneClass.message).toMatch(/has 1 class; a search needs at least two classes/);
    // batch 6 over 2 classes needs 3 per class in each half; class 0 has 2 in train_α
    const batch = await rejection(
      h.api.dispatch('jobs.start', { kind: 'search', params: { datasetId: small, batch: 6 } }),
    );
    expect(batch.code).toBe('bad_input');
    expect(batch.message).toMatch(/Class "a" has 3 training and 2 validation images.*batch of 6.*Lower the batch size/);
    // so does a per-class limit that leaves too few
    const limited = await rejection(
      h.api.dispatch('jobs.start', { kind: 'search', params: { datasetId: small, batch: 4, limitPerClass: 2 } }),
    );
    expect(limited.message).toMatch(/raise the per-class limit/);
    const bad = await rejection(
      h.api.dispatch('jobs.start', { kind: 'search', params: { datasetId: small, space: 'nasbench' } }),
    );
    expect(bad.code).toBe('bad_input');
    expect(h.store.jobs.list({ limit: 10, kind: 'search' })).toEqual([]);
  });

  it('refuses BDP with T = 1 saying why; a search recorded with T = 1 stays readable but cannot resume', async () => {
    const f = await fixture();
    const t1 = await rejection(
      f.h.api.dispatch('jobs.start', {
        kind: 'search',
        params: { datasetId: f.digits, batch: 6, strategy: 'bdp', pruneEvery: 1 },
      }),
    );
    expect(t1.code).toBe('bad_input');
    expect(t1.message).toMatch(/pruneEvery: must be at least 2: .*over a single epoch.*at random/);
    // recorded before T = 1 was refused
    const params = {
      ...SearchParams.parse({ datasetId: f.digits, batch: 6, epochs: 3, strategy: 'bdp' }),
      pruneEvery: 1,
    };
    const old = f.h.store.jobs.create('search', params, process.pid);
    f.h.store.jobs.appendEvent(old.id, { type: 'search-epoch', data: epochData('darts', 1, 3) });
    f.h.store.jobs.appendEvent(old.id, { type: 'state', state: 'interrupted' });
    const listed = (await f.h.api.dispatch('searches.list', { datasetId: f.digits })) as SearchSummary[];
    expect(listed.map((s) => s.jobId)).toContain(old.id);
    const detail = (await f.h.api.dispatch('searches.get', { id: old.id })) as SearchDetail;
    expect(detail.params).toMatchObject({ strategy: 'bdp', pruneEvery: 1 });
    expect(detail.epochs).toHaveLength(1);
    const resume = await rejection(f.h.api.dispatch('jobs.resume', { id: old.id }));
    expect(resume.code).toBe('bad_input');
    expect(resume.message).toMatch(
      /no longer accepted \(pruneEvery: must be at least 2: .*\)\. Start a new search instead\./,
    );
    expect(f.h.store.jobs.get(old.id)!.state).toBe('interrupted');
  });

  it('refuses to resume a search whose dataset was deleted', async () => {
    const f = await fixture();
    const job = addSearch(f.h, { datasetId: f.other, batch: 4 }, { epochs: [], state: 'interrupted' });
    await f.h.api.dispatch('datasets.delete', { id: f.other });
    const e = await rejection(f.h.api.dispatch('jobs.resume', { id: job.id }));
    expect(e.code).toBe('not_found');
    expect(e.message).toMatch(/There is no dataset/);
    expect(f.h.store.jobs.get(job.id)!.state).toBe('interrupted');
  });

  it('prepares the engine context: labels, halves of the training images, shape, a stable content hash', async () => {
    const h = await openTestHost();
    const id = addDataset(h, 'digits', ['zero', 'one'], { w: 3, a: 2, test: 2 });
    const same = addDataset(h, 'digits again', ['zero', 'one'], { w: 3, a: 2, test: 2 });
    const differs = addDataset(h, 'digits other pixels', ['zero', 'one'], { w: 3, a: 2, test: 2 }, 'x');
    const ctx: SearchJobContext = searchKind.prepare!(h, {
      id: 1,
      params: SearchParams.parse({ datasetId: id, batch: 4 }),
    });
    expect(ctx).toMatchObject({
      datasetId: id,
      datasetName: 'digits',
      datasetDir: datasetDirFor(h.dataDir, id),
      shape: { width: 8, height: 8, channels: 1 },
      classNames: ['zero', 'one'],
    });
    expect(ctx.labels).toEqual([0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]);
    expect(ctx.halves).toEqual(['w', 'w', 'w', 'a', 'a', null, null, 'w', 'w', 'w', 'a', 'a', null, null]);
    expect(ctx.datasetHash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(datasetContentHash(h.store, id)).toBe(ctx.datasetHash);
    expect(datasetContentHash(h.store, same)).toBe(ctx.datasetHash); // same content, another name
    expect(datasetContentHash(h.store, differs)).not.toBe(ctx.datasetHash);
    expect(() => searchKind.prepare!(h, { id: 2, params: SearchParams.parse({ datasetId: 77 }) })).toThrow(
      /There is no dataset 77/,
    );
    expect(() => searchKind.prepare!(h, { id: 3, params: SearchParams.parse({ datasetId: id, batch: 8 }) })).toThrow(
      /Lower the batch size/,
    );
    // the checkpoint stays for resume: an unfinished search discards nothing
    expect(searchKind.discard).toBeUndefined();
  });
});

describe('winnow search output', () => {
  it('prints one line per epoch with losses, accuracies, seconds and the genotype', () => {
    const d = epochData('nb201', 3, 10);
    expect(
      epochLine(
        { ...d, trainLoss: 1.2344, trainAccuracy: 0.5671, valLoss: 1.3451, valAccuracy: 0.521, seconds: 12.34 },
        'G',
      ),
    ).toBe('epoch 3/10  train 1.234 / 56.7%  val 1.345 / 52.1%  12.3 s  genotype G');
  });
});
