import { expect } from 'vitest';

/** What a renderer form's build function returns: the params for the API, or the field it refuses and why. */
type Built<P> = { ok: true; params: P } | { ok: false; error: string };

/** The params of a build that must succeed; a refused one fails the test with the form's message. */
export function builtParams<P>(r: Built<P>): P {
  if (!r.ok) throw new Error(`The form refused: ${r.error}`);
  return r.params;
}

/**
 * The form accepts `field` = `value` exactly when the params schema does (`schema` is its safeParse), and names the
 * field when it refuses.
 */
export function expectFormAgreesWithSchema(
  field: string,
  value: unknown,
  built: { ok: true } | { ok: false; field?: string },
  schema: { success: boolean },
): void {
  const says = (ok: boolean) => (ok ? 'yes' : 'no');
  expect(
    built.ok,
    `${field} = ${String(value)}: the form says ${says(built.ok)}, the schema ${says(schema.success)}`,
  ).toBe(schema.success);
  if (!built.ok) expect(built.field).toBe(field);
}
