/**
 * Job forms' shared parts: number inputs as data (rendered by NumberFields.svelte), for forms whose fields differ
 * only in what they edit, say and allow; and `startFromForm`, the Start button's one path from the form's built
 * parameters to a started job or the problem the form shows.
 */
import type { JobSummary } from '../../../shared/jobs.js';

/** The keys of a form whose values are numbers (null while the field is empty). */
export type NumberKeys<F> = { [K in keyof F]-?: F[K] extends number | null ? K : never }[keyof F] & string;

/** One number field: the form value it edits (also the field a refusal names) and its label, tooltip and bounds. */
export interface NumberFieldSpec<K extends string = string> {
  key: K;
  label: string;
  title?: string;
  /** The parameter's help text (its schema's description): the line under the field. */
  help?: string;
  min?: number | string;
  max?: number | string;
  /** The input's step; NumberField's default ('1') when absent. */
  step?: string;
  /** Shown while the field is empty (what an empty field stands for). */
  placeholder?: string;
  testid: string;
}

interface Bounds {
  readonly min: number;
  readonly max: number;
}

/** The epochs and batch-size fields of a job kind that trains, bounded by its limits; test ids `{prefix}-epochs|batch`. */
export function epochsAndBatchFields(
  prefix: string,
  limits: { readonly epochs: Bounds; readonly batch: Bounds },
): NumberFieldSpec<'epochs' | 'batch'>[] {
  return [
    { key: 'epochs', label: 'Epochs', min: limits.epochs.min, max: limits.epochs.max, testid: `${prefix}-epochs` },
    { key: 'batch', label: 'Batch size', min: limits.batch.min, max: limits.batch.max, testid: `${prefix}-batch` },
  ];
}

/**
 * Number fields with each one's help line: the description of the job's parameter of the same key (the schema's,
 * from shared/generated/params.ts), where the spec has none of its own.
 */
export function withHelp<S extends NumberFieldSpec>(
  fields: readonly S[],
  described: Readonly<Record<string, { readonly description?: string }>>,
): S[] {
  return fields.map((f) => ({ ...f, help: f.help ?? described[f.key]?.description }));
}

/** The seed field (any whole number from 0); test id `{prefix}-seed`. */
export function seedField(prefix: string): NumberFieldSpec<'seed'> {
  return { key: 'seed', label: 'Seed', min: '0', testid: `${prefix}-seed` };
}

/** What a form's build step gives: the job's parameters, or the field at fault ('' for none in particular) and why. */
export type BuiltParams<P> = { ok: true; params: P } | { ok: false; field: string; error: string };

/** A form's refusal: the field at fault ('' for none in particular) and why. */
export interface FormProblem {
  field: string;
  error: string;
}

/**
 * Starts a job from a form's built parameters: the job, or the problem the form shows, its own refusal, else the
 * reason the engine gave (or "<what> could not be started.").
 */
export async function startFromForm<P>(
  built: BuiltParams<P>,
  store: { startJob(params: P): Promise<JobSummary | null>; readonly startError: string | null },
  what: string,
): Promise<{ job: JobSummary; problem: null } | { job: null; problem: FormProblem }> {
  if (!built.ok) return { job: null, problem: { field: built.field, error: built.error } };
  const job = await store.startJob(built.params);
  if (job) return { job, problem: null };
  return { job: null, problem: { field: '', error: store.startError ?? `${what} could not be started.` } };
}

/**
 * A form with Cost before Start's quick-look preset applied: each patched parameter whose key the form has (the
 * preset names the job's parameters, which the forms' keys follow); the rest of the form stays.
 */
export function quickLookForm<F extends object>(form: F, patch: Record<string, number>): F {
  const next = { ...form } as Record<string, unknown>;
  for (const [k, v] of Object.entries(patch)) if (k in form) next[k] = v;
  return next as F;
}

/** One radio card's words: its title and the smaller line under it. */
export interface CardWords {
  readonly title: string;
  readonly sub: string;
}

/**
 * A group of radio cards as one spec (spread it into ChoiceCards): its label, name and help, and its `options`,
 * `title` and `sub` from one table of cards, in the table's order.
 */
export function choiceCards<V extends string>(
  group: { label: string; name: string; help?: string },
  table: Readonly<Record<V, CardWords>>,
) {
  return {
    ...group,
    options: Object.keys(table) as V[],
    title: (v: V) => table[v].title,
    sub: (v: V) => table[v].sub,
  };
}
