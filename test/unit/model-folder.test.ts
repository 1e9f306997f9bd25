/**
 * Model folders (engine/evaluate/model-folder.ts): every refusal of readModelFolder, manifestBytes, and the happy
 * path, on folders written by hand; and the models table (store/models-repo.ts, migration 4).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelReportFile } from '../../shared/evaluate.js';
import { ModelFolderError, manifestBytes, readModelFolder } from '../../main/engine/evaluate/model-folder.js';
import { Store } from '../../main/store/index.js';
import type { DatasetRows } from '../../main/store/datasets-repo.js';
import type { NewModel } from '../../main/store/models-repo.js';
import { cnnNetwork, modelReport } from '../helpers/models.js';
import { later, scratch } from '../helpers/scratch.js';
import { insertDatasetRecord } from '../helpers/store.js';

const manifest = (paths: string[] = ['weights.bin']) => [
  { paths, weights: [{ name: 'a', shape: [2, 3], dtype: 'float32' }] },
];

/** A report of a tiny plain model, no network description (fields as the reader must accept or refuse them). */
function report(over: Record<string, unknown> = {}): ModelReportFile {
  return modelReport({ name: 'tiny cnn', network: null, classNames: ['a', 'b'], ...over } as Partial<ModelReportFile>);
}

/** A valid folder: model.json with one 2x3 float32 weight (24 bytes), weights.bin, report.json. */
function modelFolder(
  opts: { modelJson?: unknown; weights?: number; report?: unknown; genotype?: boolean } = {},
): string {
  const dir = path.join(scratch(), 'model');
  fs.mkdirSync(dir);
  const mj = opts.modelJson ?? { format: 'layers-model', modelTopology: {}, weightsManifest: manifest() };
  fs.writeFileSync(path.join(dir, 'model.json'), typeof mj === 'string' ? mj : JSON.stringify(mj));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(opts.weights ?? 24, 7));
  const r = opts.report ?? report();
  fs.writeFileSync(path.join(dir, 'report.json'), typeof r === 'string' ? r : JSON.stringify(r));
  if (opts.genotype) fs.writeFileSync(path.join(dir, 'genotype.json'), '{}\n');
  return dir;
}

function refusal(dir: string): ModelFolderError {
  try {
    readModelFolder(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(ModelFolderError);
    return e as ModelFolderError;
  }
  throw new Error('expected readModelFolder to refuse');
}

describe('manifestBytes', () => {
  it('sums shape products times the stored type size, quantised weights by their quantised type', () => {
    expect(manifestBytes(manifest())).toBe(24);
    expect(
      manifestBytes([
        {
          paths: ['a.bin'],
          weights: [
            { name: 'k', shape: [3, 3, 1, 4], dtype: 'float32' },
            { name: 'n', shape: [], dtype: 'int32' },
          ],
        },
        {
          paths: ['b.bin'],
          weights: [
            { name: 'q', shape: [10], dtype: 'float32', quantization: { dtype: 'uint8' } },
            { name: 'h', shape: [5], dtype: 'float32', quantization: { dtype: 'float16' } },
          ],
        },
      ]),
    ).toBe(36 * 4 + 4 + 10 + 10);
    expect(() => manifestBytes([{ paths: [], weights: [{ name: 'c', shape: [2], dtype: 'complex64' }] }])).toThrow(
      'Weight "c" has type complex64, which Winnow cannot read.',
    );
  });
});

describe('readModelFolder', () => {
  it('reads a valid folder: manifest, report, weight files, whether a genotype is there', () => {
    const plain = readModelFolder(modelFolder());
    expect(plain.weightFiles).toEqual(['weights.bin']);
    expect(plain.hasGenotype).toBe(false);
    expect(plain.report).toEqual(report());
    expect(plain.modelJson.weightsManifest).toEqual(manifest());
    expect(readModelFolder(modelFolder({ genotype: true })).hasGenotype).toBe(true);
  });

  it('takes weights split over several files when their bytes add up', () => {
    const dir = modelFolder({
      modelJson: { modelTopology: {}, weightsManifest: manifest(['weights.bin', 'part2.bin']) },
      weights: 20,
    });
    fs.writeFileSync(path.join(dir, 'part2.bin'), Buffer.alloc(4));
    expect(readModelFolder(dir).weightFiles).toEqual(['weights.bin', 'part2.bin']);
  });

  it('refuses a path that is not a folder, saying an archive would do too', () => {
    const missing = path.join(scratch(), 'nope');
    expect(refusal(missing).message).toBe(
      `${missing} is neither a model folder nor a .winnow-model.zip. Choose the exported archive, or the folder that holds model.json.`,
    );
    const file = path.join(scratch(), 'model.json');
    fs.writeFileSync(file, '{}');
    expect(refusal(file).message).toMatch(/is neither a model folder/);
  });

  it('refuses a folder without model.json', () => {
    const dir = modelFolder();
    fs.rmSync(path.join(dir, 'model.json'));
    expect(refusal(dir).message).toMatch(
      /^model\.json is missing: .*model\.json\. Choose a model Winnow exported: its folder holds model\.json/,
    );
  });

  it('refuses model.json that is not JSON', () => {
    expect(refusal(modelFolder({ modelJson: '{"modelTopology": ' })).message).toMatch(
      /^model\.json is not valid JSON \(.+\): .*model\.json\.$/,
    );
  });

  it('refuses model.json that is not a LayersModel', () => {
    for (const mj of [
      { weightsManifest: manifest() },
      { modelTopology: null, weightsManifest: manifest() },
      { modelTopology: {}, weightsManifest: {} },
      { format: 'graph-model', modelTopology: {} },
      [1, 2],
    ]) {
      expect(refusal(modelFolder({ modelJson: mj })).message, JSON.stringify(mj)).toMatch(
        /is not a TensorFlow\.js LayersModel \(it needs modelTopology and weightsManifest\)\. Graph models cannot be imported\./,
      );
    }
    expect(refusal(modelFolder({ modelJson: 'null' })).message).toMatch(/is not a TensorFlow\.js LayersModel/);
    expect(
      refusal(modelFolder({ modelJson: { modelTopology: {}, weightsManifest: [{ paths: ['weights.bin'] }] } })).message,
    ).toBe('model.json has a malformed weightsManifest entry (it needs paths and weights).');
  });

  it('refuses weights paths that leave the folder', () => {
    for (const p of ['../x', 'sub/weights.bin', '..', '.', path.resolve('/tmp/weights.bin')]) {
      const dir = modelFolder({ modelJson: { modelTopology: {}, weightsManifest: manifest([p]) } });
      expect(refusal(dir).message).toBe(
        `model.json names the weights file "${p}", which is not a file name in the model's folder.`,
      );
    }
    // even when the file it points at exists and has the right size
    const dir = modelFolder({ modelJson: { modelTopology: {}, weightsManifest: manifest(['sub/w.bin']) } });
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.writeFileSync(path.join(dir, 'sub', 'w.bin'), Buffer.alloc(24));
    fs.rmSync(path.join(dir, 'weights.bin'));
    expect(refusal(dir).message).toMatch(/names the weights file "sub\/w\.bin", which is not a file name/);
    const number = modelFolder({ modelJson: { modelTopology: {}, weightsManifest: [{ paths: [3], weights: [] }] } });
    expect(refusal(number).message).toMatch(/names the weights file "3"/);
  });

  it('refuses a weights file that is missing', () => {
    const dir = modelFolder({ modelJson: { modelTopology: {}, weightsManifest: manifest(['other.bin']) } });
    expect(refusal(dir).message).toBe(`The weights file other.bin that model.json names is missing from ${dir}.`);
  });

  it('refuses weights whose byte count differs from the manifest', () => {
    expect(refusal(modelFolder({ weights: 20 })).message).toBe(
      'The weights files hold 20 bytes but model.json describes 24: the folder is incomplete or from another model.',
    );
    expect(refusal(modelFolder({ weights: 28 })).message).toMatch(/hold 28 bytes but model\.json describes 24/);
  });

  it('refuses a missing or invalid report.json', () => {
    const dir = modelFolder();
    fs.rmSync(path.join(dir, 'report.json'));
    expect(refusal(dir).message).toMatch(/^report\.json is missing: /);
    expect(refusal(modelFolder({ report: 'not json' })).message).toMatch(/^report\.json is not valid JSON/);
    expect(refusal(modelFolder({ report: { ...report(), format: 'keras' } })).message).toMatch(
      /^report\.json is not a Winnow model report \(format: .+\)\. Winnow needs the input size, normalisation and class names/,
    );
    expect(refusal(modelFolder({ report: report({ classNames: ['only'] }) })).message).toMatch(
      /not a Winnow model report \(classNames: /,
    );
    expect(refusal(modelFolder({ report: [] })).message).toMatch(/not a Winnow model report \(document: /);
  });

  it('refuses normalisation that does not have one mean and one positive std per channel', () => {
    const msg =
      "report.json's normalisation does not match its channel count (one mean and one positive std per channel).";
    const pre = (p: Record<string, unknown>) =>
      report({
        preprocessing: { height: 8, width: 8, channels: 3, mean: [0.1, 0.2, 0.3], std: [0.2, 0.2, 0.2], ...p },
      });
    expect(readModelFolder(modelFolder({ report: pre({}) })).report.preprocessing.channels).toBe(3);
    expect(refusal(modelFolder({ report: pre({ mean: [0.1, 0.2] }) })).message).toBe(msg);
    expect(refusal(modelFolder({ report: pre({ std: [0.2, 0.2, 0.2, 0.2] }) })).message).toBe(msg);
    expect(refusal(modelFolder({ report: pre({ std: [0.2, 0, 0.2] }) })).message).toBe(msg);
  });
});

// ---- the models table --------------------------------------------------------------------------------

function freshStore(): Store {
  const dir = scratch();
  const store = Store.open(path.join(dir, 'winnow.db'));
  later(() => store.close());
  return store;
}

function addDataset(store: Store, name: string): number {
  const rows: DatasetRows = {
    label: [0, 1],
    split: ['train', 'test'],
    half: [null, null],
    group: [null, null],
    source: ['a.png', 'b.png'],
    hash: [`${name}-1`, `${name}-2`],
  };
  return insertDatasetRecord(store, name, ['a', 'b'], rows, () => `/data/winnow/${name}`);
}

const newModel = (over: Partial<NewModel> = {}): NewModel => ({
  name: 'm',
  origin: 'import',
  jobId: null,
  datasetId: null,
  network: null,
  classNames: ['a', 'b'],
  preprocessing: { height: 8, width: 8, channels: 1, mean: [0.5], std: [0.25] },
  parameters: 10,
  multiplyAdds: 20,
  testAccuracy: null,
  genotypeText: null,
  ...over,
});

describe('models table', () => {
  it('inserts, lists newest first (optionally per dataset), gets with the dataset name and the folder', () => {
    const store = freshStore();
    const digits = addDataset(store, 'digits');
    const other = addDataset(store, 'other');
    const job = store.jobs.create('evaluate', {}, process.pid);
    const network = cnnNetwork(8);
    const dirs: number[] = [];
    const a = store.models.insert(
      newModel({
        name: 'first',
        origin: 'evaluate',
        jobId: job.id,
        datasetId: digits,
        network,
        testAccuracy: 0.75,
        genotypeText: null,
      }),
      (id) => {
        dirs.push(id);
        return `/models/${id}`;
      },
    );
    const b = store.models.insert(
      newModel({ name: 'second', datasetId: other, classNames: ['x', 'y', 'z'], genotypeText: '|none~0|' }),
      (id) => `/models/${id}`,
    );
    const c = store.models.insert(newModel({ name: 'third' }), (id) => `/models/${id}`);
    expect(dirs).toEqual([a]);
    expect(store.models.list().map((m) => m.name)).toEqual(['third', 'second', 'first']);
    expect(store.models.list(digits).map((m) => m.id)).toEqual([a]);
    expect(store.models.list(other).map((m) => m.id)).toEqual([b]);
    const got = store.models.get(a)!;
    expect(got).toMatchObject({
      id: a,
      name: 'first',
      origin: 'evaluate',
      jobId: job.id,
      datasetId: digits,
      datasetName: 'digits',
      network,
      classNames: ['a', 'b'],
      preprocessing: { height: 8, width: 8, channels: 1, mean: [0.5], std: [0.25] },
      parameters: 10,
      multiplyAdds: 20,
      testAccuracy: 0.75,
      genotypeText: null,
      dir: `/models/${a}`,
    });
    expect(typeof got.createdAt).toBe('number');
    expect(store.models.get(b)).toMatchObject({
      datasetName: 'other',
      classNames: ['x', 'y', 'z'],
      genotypeText: '|none~0|',
      network: null,
    });
    expect(store.models.get(c)).toMatchObject({ datasetId: null, datasetName: null });
    expect(store.models.list()[0]).not.toHaveProperty('dir');
    expect(store.models.byJob(job.id)?.id).toBe(a);
    expect(store.models.byJob(job.id + 100)).toBeUndefined();
    expect(store.models.get(999)).toBeUndefined();
  });

  it('rolls the row back when committing the files fails', () => {
    const store = freshStore();
    expect(() =>
      store.models.insert(newModel(), () => {
        throw new Error('disk full');
      }),
    ).toThrow('disk full');
    expect(store.models.list()).toEqual([]);
  });

  it('deletes a row and hands back its folder', () => {
    const store = freshStore();
    const a = store.models.insert(newModel(), (id) => `/models/${id}`);
    const b = store.models.insert(newModel(), (id) => `/models/${id}`);
    expect(store.models.delete(a)).toBe(`/models/${a}`);
    expect(store.models.get(a)).toBeUndefined();
    expect(store.models.list().map((m) => m.id)).toEqual([b]);
    expect(store.models.delete(a)).toBeUndefined();
  });

  it('keeps a model when its dataset is deleted, with dataset_id set to null', () => {
    const store = freshStore();
    const digits = addDataset(store, 'digits');
    const id = store.models.insert(newModel({ datasetId: digits }), (i) => `/models/${i}`);
    expect(store.datasets.delete(digits)).toBe('/data/winnow/digits');
    expect(store.models.get(id)).toMatchObject({ id, datasetId: null, datasetName: null });
    expect(store.models.list(digits)).toEqual([]);
  });

  it('refuses an origin other than evaluate or import', () => {
    const store = freshStore();
    expect(() => store.models.insert(newModel({ origin: 'download' as 'import' }), (i) => `/models/${i}`)).toThrow(
      /CHECK constraint/,
    );
  });
});
