// File names made from user-given names: model archives and a search's genotype exports (shared/file-names.ts).
import { describe, expect, it } from 'vitest';
import { fileSlug, searchFileStem } from '../../shared/file-names.js';

describe('file names', () => {
  it.each([
    ['DDS search #4 — C=16, 8 cells', 'dds-search-4-c16-8-cells'],
    ['  Ünïcödé   Näme  ', 'unicode-name'],
    ['../../etc/passwd', 'etcpasswd'],
    ['---', ''],
    ['a_b c-d', 'a-b-c-d'],
  ])('slugs %j as %j', (text, slug) => {
    expect(fileSlug(text)).toBe(slug);
  });

  it('cuts a long name without leaving a dash at the end', () => {
    expect(fileSlug('abc def ghi', 4)).toBe('abc');
  });

  it("names a search's exports after its id, dataset, algorithm and data selection", () => {
    expect(searchFileStem(7, { datasetName: 'MNIST sample', algorithm: 'pc-darts', strategy: 'dds' })).toBe(
      'search-7-mnist-sample-pc-darts-dds',
    );
    // a search of a deleted dataset, stored before algorithms existed
    expect(searchFileStem(3, { datasetName: null, strategy: 'full' })).toBe('search-3-darts-full');
  });
});
