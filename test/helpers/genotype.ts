import { expect } from 'vitest';
import type { DartsGenotype, DartsOp } from '../../shared/genotype/ops.js';
import { GenotypeFormatError } from '../../shared/genotype/text.js';

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
