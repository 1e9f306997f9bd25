/**
 * Number inputs of a job form as data (rendered by NumberFields.svelte), for forms whose fields differ only in what
 * they edit, say and allow.
 */

/** The keys of a form whose values are numbers (null while the field is empty). */
export type NumberKeys<F> = { [K in keyof F]-?: F[K] extends number | null ? K : never }[keyof F] & string;

/** One number field: the form value it edits (also the field a refusal names) and its label, tooltip and bounds. */
export interface NumberFieldSpec<K extends string = string> {
  key: K;
  label: string;
  title?: string;
  min?: number | string;
  max?: number | string;
  /** The input's step; NumberField's default ('1') when absent. */
  step?: string;
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

/** The seed field (any whole number from 0); test id `{prefix}-seed`. */
export function seedField(prefix: string): NumberFieldSpec<'seed'> {
  return { key: 'seed', label: 'Seed', min: '0', testid: `${prefix}-seed` };
}
