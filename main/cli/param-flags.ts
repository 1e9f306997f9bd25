/**
 * Flags generated from a job's parameter schema: each flag's type, its check and its message come from the field's
 * description (shared/param-description.ts), so a limit changed in the schema changes the CLI with it.
 */
import type { z } from 'zod';
import { describeParams, type ParamDescription } from '../../shared/param-description.js';
import { intOption, numberOption, oneOf, type Options } from './args.js';
import { UsageError } from './output.js';

/** How one parameter is offered on the command line. */
export interface FlagSpec {
  /** The flag without dashes; default: the key in kebab case (`limitPerClass` -> `limit-per-class`). */
  flag?: string;
  /** A list's separator (default ','). */
  separator?: string;
  /**
   * Check a number's range here, saying it (`--lr must be a number in (0, 1]`), instead of leaving the range to
   * the schema's own message.
   */
  range?: boolean;
}

export interface ParamFlag extends Required<Pick<FlagSpec, 'flag'>>, Omit<FlagSpec, 'flag'> {
  field: ParamDescription;
}

export const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * The flags of `schema`'s fields named in `offered` (key -> spec, in the order given), or of every field a flag
 * can carry when `offered` is omitted (a kind registered at run time). `backend` is a global flag, never a
 * parameter flag. A boolean whose flag starts with `no-` turns its field off.
 */
export function paramFlags(schema: z.ZodObject, offered?: Record<string, FlagSpec | true>): ParamFlag[] {
  const fields = new Map(describeParams(schema).map((f) => [f.key, f]));
  const keys = offered
    ? Object.keys(offered)
    : [...fields.keys()].filter((k) => k !== 'backend' && fields.get(k)!.type !== 'other');
  return keys.map((key) => {
    const field = fields.get(key);
    if (!field || field.type === 'other') throw new Error(`The schema has no flag-able field "${key}".`);
    const spec = offered?.[key];
    return {
      ...(typeof spec === 'object' ? spec : {}),
      flag: (typeof spec === 'object' && spec.flag) || kebab(key),
      field,
    };
  });
}

/** The parseArgs options of the flags. */
export function flagOptions(flags: ParamFlag[]): Options {
  return Object.fromEntries(
    flags.map((f) => [f.flag, { type: f.field.type === 'boolean' ? 'boolean' : 'string' }]),
  ) as Options;
}

/** `(0, 1]`, `from 0.05 to 0.5`: a number's allowed range in words. */
function rangeText(f: ParamDescription): string {
  if (!f.exclusiveMin && !f.exclusiveMax) return `from ${f.min} to ${f.max}`;
  return `in ${f.exclusiveMin ? '(' : '['}${f.min}, ${f.max}${f.exclusiveMax ? ')' : ']'}`;
}

function inRange(n: number, f: ParamDescription): boolean {
  const above = f.min === undefined || (f.exclusiveMin ? n > f.min : n >= f.min);
  const below = f.max === undefined || (f.exclusiveMax ? n < f.max : n <= f.max);
  return Number.isFinite(n) && above && below;
}

/** One value of type `type` (a scalar or a list's item) from its text. */
function readScalar(text: unknown, type: ParamDescription['type'], f: ParamFlag): unknown {
  const { field } = f;
  if (type === 'integer')
    return intOption(text, f.flag, field.min ?? Number.MIN_SAFE_INTEGER, field.max ?? Number.MAX_SAFE_INTEGER);
  if (type === 'enum') {
    const v = oneOf(text, f.flag, field.values!);
    return field.numeric && v !== undefined ? Number(v) : v;
  }
  if (type === 'number') {
    if (!f.range) return numberOption(text, f.flag);
    const n = Number(text);
    if (!inRange(n, field)) throw new UsageError(`--${f.flag} must be a number ${rangeText(field)}.`);
    return n;
  }
  return text;
}

/** A flag's value as its parameter, or undefined when the flag was not given. */
export function readFlag(f: ParamFlag, value: unknown): unknown {
  if (value === undefined) return undefined;
  const { field } = f;
  if (field.type === 'boolean') return f.flag.startsWith('no-') ? !value : value;
  if (field.type === 'list') {
    return String(value)
      .split(f.separator ?? ',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => readScalar(s, field.item!, f));
  }
  return readScalar(value, field.type, f);
}

/** The parameters the given flags set (key -> value); flags not given are left out, so the schema's defaults apply. */
export function readFlags(flags: ParamFlag[], values: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of flags) {
    const v = readFlag(f, values[f.flag]);
    if (v !== undefined) out[f.field.key] = v;
  }
  return out;
}

/** The schema's verdict on the parameters, its issues named by flag (`--prune-every: must be at least 2: …`). */
export function parseWithFlags<S extends z.ZodType>(schema: S, params: unknown, flags: ParamFlag[]): z.output<S> {
  const parsed = schema.safeParse(params);
  if (parsed.success) return parsed.data;
  const flagOf = new Map(flags.map((f) => [f.field.key, f.flag]));
  throw new UsageError(
    parsed.error.issues
      .map((i) => `--${flagOf.get(String(i.path[0])) ?? kebab(String(i.path[0] ?? 'input'))}: ${i.message}`)
      .join('; '),
  );
}

/** What a flag takes, for --help: `N`, `X`, `a|b`, `N[,...]`, or nothing for a switch. */
function takes(field: ParamDescription): string {
  if (field.type === 'boolean') return '';
  if (field.type === 'enum') return ` ${field.values!.join('|')}`;
  if (field.type === 'list')
    return ` ${field.values ? field.values.join('|') : field.item === 'integer' ? 'N' : 'X'}[,...]`;
  return field.type === 'integer' ? ' N' : field.type === 'number' ? ' X' : ' S';
}

/** `--help` lines for the flags: name, what it takes, its range and default, its help text. */
export function flagHelp(flags: ParamFlag[]): string[] {
  return flags.map(({ flag, field }) => {
    const notes: string[] = [];
    // an id's range says nothing
    if (
      (field.type === 'integer' || field.type === 'number') &&
      field.min !== undefined &&
      field.max !== undefined &&
      field.max < Number.MAX_SAFE_INTEGER
    ) {
      notes.push(rangeText(field).replace(/^from /, ''));
    }
    const empty = Array.isArray(field.default) && field.default.length === 0;
    if (field.default !== undefined && field.default !== null && !empty && field.type !== 'boolean')
      notes.push(`default ${String(field.default)}`);
    const help = field.description ? `  ${flag.startsWith('no-') ? 'turns off ' : ''}${field.description}` : '';
    return `  --${flag}${takes(field)}${notes.length ? ` (${notes.join(', ')})` : ''}${help}`;
  });
}
