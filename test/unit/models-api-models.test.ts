/**
 * The host's models API (models.import / file / delete) and starting a compression study from a model, through the
 * API without the engine: datasets are written straight into the store and model folders by hand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelFile, ModelSummary } from '../../shared/evaluate.js';
import { datasetContentHash } from '../../main/api/searches.js';
import { modelDirFor } from '../../main/store/paths.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { modelReport } from '../helpers/models.js';
import { NB201_TEXT, addDataset } from '../helpers/models-api.js';
import { MODEL_JSON, WEIGHTS, modelFolder, snapshot } from '../helpers/model-folder.js';

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
    expect(missing.message).toMatch(/is neither a model folder nor a \.winnow-model\.zip/);
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
