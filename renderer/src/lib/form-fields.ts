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
