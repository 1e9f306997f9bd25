import { z } from 'zod';

/** At most this many images per class (a seeded choice), or null for all: a quick look's limits. */
export const perClassLimit = (description: string) =>
  z.number().int().min(1).max(1_000_000).nullable().default(null).describe(description);

/**
 * At most this many test images per class for a job's test accuracy: a quick look's test costs a fraction of the
 * whole split, at the price of a wider error on the accuracy. Search and evaluation share it.
 */
export const testLimitPerClass = (what: string) =>
  perClassLimit(`at most this many test images per class for ${what}, for a quick look; empty: the whole test split`);
