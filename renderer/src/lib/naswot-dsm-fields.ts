/**
 * The number checks of the NASWOT and DSM-NAS forms, as data: each field's label and its limits from the
 * generated parameter description (shared/generated/params.ts), so a refusal reads like a sentence and the
 * limits have one source, the zod schema. Pure; no DOM, no store.
 */
import type { NumberFieldSpec } from './form-fields.js';

/** What the forms need of a ParamDescription (shared/param-description.ts). */
export interface NumberDescription {
  readonly type: string;
  readonly min?: number;
  readonly max?: number;
  readonly exclusiveMin?: boolean;
  readonly nullable: boolean;
  /** The parameter's help text. */
  readonly description?: string;
}

/** One number field of a form: the key it edits, its label in messages, its limits. */
export interface NumberRule<K extends string> {
  key: K;
  label: string;
  min: number;
  max: number;
  /** A whole number. */
  int: boolean;
  /** The minimum itself is not allowed (a learning rate above 0). */
  aboveMin: boolean;
  /** What an empty field stands for ("the dataset's own size"); absent: the field must be filled. */
  empty?: string;
  /** The empty field's placeholder, a word ("own", "all"). */
  placeholder?: string;
  /** The parameter's help text (the line under the field). */
  help?: string;
}

/** A rule from a field's description; `empty` only where the parameter may be null. */
export function ruleOf<K extends string>(
  key: K,
  label: string,
  d: NumberDescription,
  empty?: { means: string; placeholder: string },
): NumberRule<K> {
  return {
    key,
    label,
    min: d.min ?? 0,
    max: d.max ?? Number.MAX_SAFE_INTEGER,
    int: d.type === 'integer',
    aboveMin: d.exclusiveMin === true,
    ...(d.description ? { help: d.description } : {}),
    ...(d.nullable && empty !== undefined ? { empty: empty.means, placeholder: empty.placeholder } : {}),
  };
}

/** The rule in words: "a whole number from 2 to 256", "a number above 0 and at most 10, or empty for all". */
export function ruleText(r: NumberRule<string>): string {
  const range = r.int
    ? `a whole number from ${r.min} to ${r.max}`
    : r.aboveMin
      ? `a number above ${r.min} and at most ${r.max}`
      : `a number from ${r.min} to ${r.max}`;
  return r.empty !== undefined ? `${range}, or empty for ${r.empty}` : range;
}

/** Whether `value` passes `rule` (null passes only where the field may be empty). */
export function passes(rule: NumberRule<string>, value: number | null): boolean {
  if (value == null) return rule.empty !== undefined;
  if (!Number.isFinite(value)) return false;
  if (rule.int && !Number.isInteger(value)) return false;
  if (rule.aboveMin ? value <= rule.min : value < rule.min) return false;
  return value <= rule.max;
}

/** The first field of `rules` whose value in `form` fails, as { field, error }; null when all pass. */
export function firstProblem<K extends string>(
  form: Readonly<Record<K, number | null>>,
  rules: readonly NumberRule<K>[],
): { field: K; error: string } | null {
  for (const r of rules) {
    if (!passes(r, form[r.key])) return { field: r.key, error: `${r.label}: ${ruleText(r)}.` };
  }
  return null;
}

/** The input's step: 1 for whole numbers, any for the rest. */
export function stepOf(r: NumberRule<string>): string {
  return r.int ? '1' : 'any';
}

/** The test id of a rule's field: `{prefix}-{key in kebab case}` (naswot-kendall-sample). */
export function fieldTestid(prefix: string, key: string): string {
  return `${prefix}-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The fields the NASWOT and DSM-NAS forms share, as both schemas describe them: the network and its supernet. */
export interface SharedDescriptions {
  channels: NumberDescription;
  cells: NumberDescription;
  inputSize: NumberDescription;
  supernetEpochs: NumberDescription;
  supernetBatch: NumberDescription;
  supernetLr: NumberDescription;
  calibrationBatches: NumberDescription;
  limitPerClass: NumberDescription;
}

type SharedKey = keyof SharedDescriptions;

/** The shared fields' rules, from one schema's descriptions. */
export function sharedRules(P: SharedDescriptions): { [K in SharedKey]: NumberRule<K> } {
  return {
    channels: ruleOf('channels', 'Channels C', P.channels),
    cells: ruleOf('cells', 'Cells per stage', P.cells),
    inputSize: ruleOf('inputSize', 'Input size', P.inputSize, { means: 'the dataset’s own size', placeholder: 'own' }),
    supernetEpochs: ruleOf('supernetEpochs', 'Supernet epochs', P.supernetEpochs),
    supernetBatch: ruleOf('supernetBatch', 'Supernet batch', P.supernetBatch),
    supernetLr: ruleOf('supernetLr', 'Supernet lr', P.supernetLr),
    calibrationBatches: ruleOf('calibrationBatches', 'BN calibration batches', P.calibrationBatches),
    limitPerClass: ruleOf('limitPerClass', 'Per-class limit', P.limitPerClass, {
      means: 'all images',
      placeholder: 'all',
    }),
  };
}

/** The shared fields' help. */
export const SHARED_HELP: Record<SharedKey, string> = {
  channels: 'Initial channels C of the network (NAS-Bench-201 uses 16).',
  cells: 'Cells per stage: NAS-Bench-201 uses 5; 1 is about five times faster on a CPU.',
  inputSize: 'Images are resized to this square size. Empty: the dataset’s own size.',
  supernetEpochs:
    'Epochs of uniform single-path training of the NAS-Bench-201 supernet (one operation per edge a step).',
  supernetBatch: 'Images per supernet step, and per batch when a cell is evaluated with its weights.',
  supernetLr: 'SGD learning rate of the supernet (the search’s optimiser).',
  calibrationBatches:
    'Training batches each evaluated cell recalibrates the BN statistics on before its accuracy is read.',
  limitPerClass: 'At most this many training images per class for the supernet and its validation split. Empty: all.',
};

/**
 * The job a form takes something from (a supernet, mined images): the chosen one while it is still offered; else,
 * when the form's choice needs one (`wanted`), the first offered; else none.
 */
export function offeredSource(chosen: number | null, offered: readonly number[], wanted: boolean): number | null {
  if (chosen != null && offered.includes(chosen)) return chosen;
  return wanted ? (offered[0] ?? null) : null;
}

/**
 * Rules as number fields (NumberFields.svelte): the form's own help as the tooltip, the parameter's under the field,
 * the step and placeholder from the rule. Test ids `{prefix}-{key in kebab case}`.
 */
export function ruleFields<K extends string>(
  rules: readonly NumberRule<K>[],
  help: Partial<Record<K, string>>,
  prefix: string,
): NumberFieldSpec<K>[] {
  return rules.map((r) => ({
    key: r.key,
    label: r.label,
    title: help[r.key],
    help: r.help,
    min: r.min,
    max: r.max,
    step: stepOf(r),
    placeholder: r.placeholder,
    testid: fieldTestid(prefix, r.key),
  }));
}
