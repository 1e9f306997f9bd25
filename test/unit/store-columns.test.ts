/** The one mapping between the store's rows and its records (main/store/columns.ts). */
import { describe, expect, it } from 'vitest';
import { columnsOf, recordOf, type ColumnCodec } from '../../main/store/columns.js';

const CODEC: ColumnCodec = { json: ['classNames', 'network'], flags: ['kendall'] };

describe('store columns', () => {
  it('names a field by its column in camelCase, parses JSON, reads flags as booleans and keeps nulls', () => {
    const row = { id: 3, dataset_id: 7, class_names: '["a","b"]', network: null, kendall: 1, test_accuracy: null };
    expect(recordOf(row, CODEC)).toEqual({
      id: 3,
      datasetId: 7,
      classNames: ['a', 'b'],
      network: null,
      kendall: true,
      testAccuracy: null,
    });
    expect(recordOf({ kendall: 0 }, CODEC)).toEqual({ kendall: false });
  });

  it('leaves out the fields it is told to', () => {
    expect(recordOf({ id: 1, dir: 'models/1', map_method: 'umap' }, CODEC, ['dir', 'mapMethod'])).toEqual({ id: 1 });
  });

  it('writes a record back as the columns it was read from', () => {
    const record = { datasetId: 7, classNames: ['a', 'b'], network: { kind: 'cnn' }, kendall: false, jobId: null };
    const row = columnsOf(record, CODEC);
    expect(row).toEqual({
      dataset_id: 7,
      class_names: '["a","b"]',
      network: '{"kind":"cnn"}',
      kendall: 0,
      job_id: null,
    });
    expect(recordOf(row, CODEC)).toEqual(record);
    expect(columnsOf({ kendall: true, note: undefined }, CODEC)).toEqual({ kendall: 1 });
  });
});
