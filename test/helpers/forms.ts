/** What a renderer form's build function returns: the params for the API, or the field it refuses and why. */
type Built<P> = { ok: true; params: P } | { ok: false; error: string };

/** The params of a build that must succeed; a refused one fails the test with the form's message. */
export function builtParams<P>(r: Built<P>): P {
  if (!r.ok) throw new Error(`The form refused: ${r.error}`);
  return r.params;
}
