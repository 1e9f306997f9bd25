import { expect } from 'vitest';

/**
 * `fn` of each case's input is the case's output. One assertion over the whole table: a failure shows every case
 * whose output differs, beside its input.
 */
export function expectOutputs<I, O>(fn: (input: I) => O, cases: ReadonlyArray<readonly [I, O]>): void {
  expect(cases.map(([input]) => [input, fn(input)])).toEqual(cases.map(([input, output]) => [input, output]));
}
