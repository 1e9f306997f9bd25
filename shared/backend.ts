import { z } from 'zod';

/** The training backends Winnow can use, best first: the order of the backend ladder. */
export const BACKEND_LADDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const;
export const BackendName = z.enum(BACKEND_LADDER);
export type BackendName = z.infer<typeof BackendName>;

/** What a user may ask for: a specific backend, or `auto` (the first one on the ladder that loads). */
export const BackendChoice = z
  .enum(['auto', ...BACKEND_LADDER])
  .describe(
    'the engine that does the arithmetic: auto takes the fastest one that works here (graphics card, native, WebAssembly, plain)',
  );
export type BackendChoice = z.infer<typeof BackendChoice>;

/** One rung of the ladder as it was tried. */
export const BackendAttempt = z.object({
  name: BackendName,
  /** The npm package that provides it. */
  packageName: z.string(),
  ok: z.boolean(),
  /** Why it did not load (absent when ok). Written for a person: what happened and what to do. */
  reason: z.string().optional(),
  /** Milliseconds the attempt took. */
  ms: z.number().optional(),
  /** True when the attempt was not made because an earlier rung was selected or the user forced another. */
  skipped: z.boolean().optional(),
});
export type BackendAttempt = z.infer<typeof BackendAttempt>;

export const BackendReport = z.object({
  preference: BackendChoice,
  selected: BackendName,
  attempts: z.array(BackendAttempt),
  /** Extra facts about the selected backend (e.g. wasm threads, SIMD). */
  details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
});
export type BackendReport = z.infer<typeof BackendReport>;
