import { expect } from 'vitest';
import type { DartsGenotype, DartsOp } from '../../shared/genotype/ops.js';
import { GenotypeFormatError, formatDartsGenotype } from '../../shared/genotype/text.js';

/** The GenotypeFormatError a call throws (fails the test when it throws nothing or something else). */
export function formatError(fn: () => unknown): GenotypeFormatError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GenotypeFormatError);
    return e as GenotypeFormatError;
  }
  throw new Error('expected a GenotypeFormatError');
}

/** A DARTS genotype from its genes; the reduce cell repeats the normal one unless given. */
export const darts = (
  normal: Array<[DartsOp, number]>,
  normalConcat: number[],
  reduce = normal,
  reduceConcat = normalConcat,
): DartsGenotype => ({
  space: 'darts',
  normal,
  normalConcat,
  reduce,
  reduceConcat,
});

/** A small DARTS genotype, and its text, for the renderer's Evaluate tests. */
export const TINY_DARTS: DartsGenotype = {
  space: 'darts',
  normal: [
    ['sep_conv_3x3', 0],
    ['skip_connect', 1],
    ['sep_conv_3x3', 0],
    ['max_pool_3x3', 1],
    ['dil_conv_3x3', 2],
    ['skip_connect', 0],
    ['avg_pool_3x3', 1],
    ['sep_conv_5x5', 3],
  ],
  normalConcat: [2, 3, 4, 5],
  reduce: [
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 1],
    ['skip_connect', 2],
    ['max_pool_3x3', 0],
    ['max_pool_3x3', 0],
    ['skip_connect', 2],
    ['skip_connect', 2],
    ['avg_pool_3x3', 0],
  ],
  reduceConcat: [2, 3, 4, 5],
};
export const DARTS_TEXT = formatDartsGenotype(TINY_DARTS);
