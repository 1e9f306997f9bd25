import { expect } from 'vitest';

/** The error `p` rejects with, checked to be a `type` (fails the test when it resolves or rejects with another). */
export async function rejectsWith<E extends Error>(
  p: Promise<unknown>,
  type: abstract new (...args: never[]) => E,
): Promise<E> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(type);
  return e as E;
}
