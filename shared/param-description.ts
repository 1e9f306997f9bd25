/**
 * A job's parameters described without zod: per field its type, limits, choices, default and help text, read from
 * the zod schema (the one place they are declared) through its JSON Schema. The CLI derives its flags and their
 * checks from this; it is plain data, so it can also be written out for code that must not load zod.
 */
import { z } from 'zod';

export interface ParamDescription {
  /** The schema's key, e.g. `limitPerClass`. */
  key: string;
  type: 'integer' | 'number' | 'boolean' | 'string' | 'enum' | 'list' | 'other';
  /** Bounds of a number (of each item of a list); `exclusive*` when the bound itself is not allowed. */
  min?: number;
  max?: number;
  exclusiveMin?: boolean;
  exclusiveMax?: boolean;
  /** The choices of an enum (of each item of a list), as text. */
  values?: readonly string[];
  /** A list's items: their own type. */
  item?: 'integer' | 'number' | 'string' | 'enum';
  /** Whether the choices are numbers written as text (e.g. channels 1 | 3). */
  numeric?: boolean;
  default?: unknown;
  /** Absent from the parameters is fine (a default or an optional field). */
  optional: boolean;
  nullable: boolean;
  /** The help text (the schema's `.describe()`). */
  description?: string;
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  default?: unknown;
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
};

/** A number's or a choice's own part of a field's JSON Schema. */
function scalar(
  s: JsonSchema,
): Pick<ParamDescription, 'type' | 'min' | 'max' | 'exclusiveMin' | 'exclusiveMax' | 'values' | 'numeric'> {
  const choices = s.enum ?? (s.anyOf?.every((o) => 'const' in o) ? s.anyOf.map((o) => o.const) : undefined);
  if (choices)
    return {
      type: 'enum',
      values: choices.map(String),
      ...(choices.every((c) => typeof c === 'number') ? { numeric: true } : {}),
    };
  if (s.type === 'integer' || s.type === 'number') {
    const d: ReturnType<typeof scalar> = { type: s.type };
    if (s.exclusiveMinimum !== undefined) Object.assign(d, { min: s.exclusiveMinimum, exclusiveMin: true });
    else if (s.minimum !== undefined) d.min = s.minimum;
    if (s.exclusiveMaximum !== undefined) Object.assign(d, { max: s.exclusiveMaximum, exclusiveMax: true });
    else if (s.maximum !== undefined) d.max = s.maximum;
    // a whole number above an exclusive bound starts at the next one
    if (s.type === 'integer' && d.exclusiveMin) Object.assign(d, { min: d.min! + 1, exclusiveMin: undefined });
    if (s.type === 'integer' && d.exclusiveMax) Object.assign(d, { max: d.max! - 1, exclusiveMax: undefined });
    return JSON.parse(JSON.stringify(d)) as ReturnType<typeof scalar>;
  }
  if (s.type === 'boolean' || s.type === 'string') return { type: s.type };
  return { type: 'other' };
}

function describeField(key: string, s: JsonSchema, required: boolean): ParamDescription {
  const nullable = s.anyOf?.some((o) => o.type === 'null') ?? false;
  const own = nullable
    ? s.anyOf!.filter((o) => o.type !== 'null').length === 1
      ? s.anyOf!.find((o) => o.type !== 'null')!
      : { anyOf: s.anyOf!.filter((o) => o.type !== 'null') }
    : s;
  const d: ParamDescription = { key, type: 'other', optional: !required || 'default' in s, nullable };
  if (own.type === 'array' && own.items) {
    const item = scalar(own.items);
    if (item.type !== 'other' && item.type !== 'boolean' && item.type !== 'list')
      Object.assign(d, { ...item, type: 'list', item: item.type });
  } else Object.assign(d, scalar(own));
  if ('default' in s) d.default = s.default;
  if (s.description ?? own.description) d.description = s.description ?? own.description;
  return d;
}

/** Every field of an object schema, in its order. */
export function describeParams(schema: z.ZodObject): ParamDescription[] {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const required = new Set(json.required ?? []);
  return Object.entries(json.properties ?? {}).map(([key, s]) => describeField(key, s, required.has(key)));
}
