/**
 * The job kinds Winnow knows: the built-in ones (kinds.ts) and any registered at run time (tests, plug-ins). The
 * supervisor, the API, the CLI and the engine worker look kinds up here.
 */
import type { HandlerLookup, JobHandler } from '../engine/jobs/handler.js';
import type { AnyJobKindSpec } from './kind.js';
import { BUILT_IN_KINDS } from './kinds.js';

const kinds = new Map<string, AnyJobKindSpec>(BUILT_IN_KINDS.map((k) => [k.engine.kind, k]));

/** Adds a kind; a second kind with the same name is a programming error. Returns a function that removes it. */
export function registerJobKind(spec: AnyJobKindSpec): () => void {
  const name = spec.engine.kind;
  if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new Error(`A job kind's name is lower-case letters, digits and dashes; "${name}" is not.`);
  if (kinds.has(name)) throw new Error(`The job kind "${name}" is already registered.`);
  kinds.set(name, spec);
  return () => {
    if (kinds.get(name) === spec) kinds.delete(name);
  };
}

export function jobKinds(): AnyJobKindSpec[] {
  return [...kinds.values()];
}

export function findJobKind(name: string): AnyJobKindSpec | undefined {
  return kinds.get(name);
}

/** The kind's spec, or an error that lists the known ones. */
export function jobKind(name: string): AnyJobKindSpec {
  const spec = kinds.get(name);
  if (!spec) throw new UnknownJobKindError(name);
  return spec;
}

export class UnknownJobKindError extends Error {
  constructor(readonly kind: string) {
    super(`Unknown job kind "${kind}". Known kinds: ${[...kinds.keys()].join(', ')}.`);
    this.name = 'UnknownJobKindError';
  }
}

/** What the engine worker runs a kind with. */
export const engineHandlerFor: HandlerLookup = (name) => jobKind(name).engine as JobHandler<unknown, unknown, unknown>;
