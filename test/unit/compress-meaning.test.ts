/**
 * A compression study of a stored model whose test report means nothing (chance level, one class) is refused
 * through the API, saying what to do, unless `allowMeaninglessModel` is given; a good model passes either way.
 */
import { describe, expect, it } from 'vitest';
import { CompressParams } from '../../shared/compress.js';
import type { ModelSummary } from '../../shared/evaluate.js';
import { compressJobContext } from '../../main/api/compressions.js';
import { storedModelNotes } from '../../main/api/model-meaning.js';
import { modelDirFor } from '../../main/store/paths.js';
import { openTestHost, rejection } from '../helpers/host.js';
import { modelReport } from '../helpers/models.js';
import { addDataset } from '../helpers/models-api.js';
import { modelFolder } from '../helpers/model-folder.js';

/** A test report on 2 classes from its confusion matrix. */
const test = (confusion: number[][]) => {
  const images = confusion.flat().reduce((a, b) => a + b, 0);
  const correct = confusion[0]![0]! + confusion[1]![1]!;
  const perClass = confusion.map((row, label) => ({
    label,
    name: ['zero', 'one'][label]!,
    correct: row[label]!,
    total: row[0]! + row[1]!,
    accuracy: row[label]! / (row[0]! + row[1]!),
  }));
  return { images, loss: 0.7, accuracy: correct / images, perClass, confusion, perGroup: null, groupStd: null };
};

describe('a compression study of a meaningless model', () => {
  it('is refused with what to do, unless allowMeaninglessModel is given; a good model is not', async () => {
    const h = await openTestHost();
    const digits = addDataset(h, 'digits', ['zero', 'one'], { train: 4, test: 2 });
    const importModel = async (confusion: number[][]) =>
      (await h.api.dispatch('models.import', {
        path: modelFolder({ report: modelReport({ test: test(confusion) }) }),
      })) as ModelSummary;
    const oneClass = await importModel([
      [50, 0],
      [50, 0],
    ]);
    const good = await importModel([
      [45, 5],
      [5, 45],
    ]);
    expect(storedModelNotes(modelDirFor(h.dataDir, oneClass.id)).map((n) => n.code)).toEqual([
      'one-class',
      'chance-level',
    ]);
    expect(storedModelNotes(modelDirFor(h.dataDir, good.id))).toEqual([]);

    const params = (modelId: number, allow?: boolean) => ({
      datasetId: digits,
      model: { kind: 'model' as const, modelId },
      protocols: ['test' as const],
      batch: 4,
      ...(allow === undefined ? {} : { allowMeaninglessModel: allow }),
    });
    const refused = await rejection(h.api.dispatch('jobs.start', { kind: 'compress', params: params(oneClass.id) }));
    expect(refused.code).toBe('bad_input');
    expect(refused.message).toMatch(/would make this study meaningless/);
    expect(refused.message).toMatch(/answers one class/);
    expect(refused.message).toMatch(/at chance level: 50\.0 % on 100 test images/);
    expect(refused.message).toMatch(/use it anyway/);
    expect(h.store.jobs.list({ kind: 'compress', limit: 10 })).toHaveLength(0);

    // the override, and a good model, pass the check (the context is what the job would run on)
    const allowed = compressJobContext(h.store, h.dataDir, CompressParams.parse(params(oneClass.id, true)));
    expect(allowed.model).toMatchObject({ kind: 'stored', name: oneClass.name });
    expect(() => compressJobContext(h.store, h.dataDir, CompressParams.parse(params(oneClass.id, false)))).toThrow(
      /meaningless/,
    );
    expect(compressJobContext(h.store, h.dataDir, CompressParams.parse(params(good.id))).model.kind).toBe('stored');
  });
});
