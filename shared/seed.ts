import { z } from 'zod';

/** A job's `seed` parameter (every random choice of the job derives from it), without its default. */
export const Seed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1)
  .describe('seed of every random choice: the same seed and settings repeat a run exactly');
