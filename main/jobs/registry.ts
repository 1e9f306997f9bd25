/**
 * The job kinds Winnow knows: the built-in ones (kinds.ts) and any registered at run time, by a test or by a plug-in
 * module named in WINNOW_JOB_KINDS. The supervisor, the API, the CLI and the engine worker look kinds up here.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import type { HandlerLookup, JobHandler } from '../engine/jobs/handler.js';
import type { AnyJobKindSpec } from './kind.js';
import { BUILT_IN_KINDS } from './kinds.js';

const kinds = new Map<string, AnyJobKindSpec>(BUILT_IN_KINDS.map((k) => [k.engine.kind, k]));

/** Adds a kind; a second kind with the same name is a programming error. Returns a function that removes it. */
export function registerJobKind(spec: AnyJobKindSpec): () => void {
  const name = spec.engine.kind;
  if (!/^[a-z][a-z0-9-]*$/.test(name))
    throw new Error(`A job kind's name is lower-case letters, digits and dashes; "${name}" is not.`);
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

/** The environment variable naming plug-in modules of job kinds, separated like PATH. */
export const JOB_KINDS_ENV = 'WINNOW_JOB_KINDS';

/** Why a plug-in's export is not a job kind, or null. */
function notAKind(spec: unknown): string | null {
  const engine = (spec as { engine?: Record<string, unknown> } | null)?.engine;
  if (!engine || typeof engine !== 'object') return 'it has no `engine` object';
  if (typeof engine.kind !== 'string') return 'its engine has no `kind` name';
  if (typeof (engine.params as { safeParse?: unknown } | undefined)?.safeParse !== 'function')
    return 'its engine has no zod `params` schema';
  if (typeof engine.run !== 'function') return 'its engine has no `run` function';
  return null;
}

let pluginsLoaded: Promise<void> | null = null;

/**
 * Registers the job kinds of the plug-in modules named in WINNOW_JOB_KINDS (each module's default export: one kind or
 * an array of kinds). Both the host and the engine worker call it (the worker inherits the environment), so a kind
 * runs wherever it is started. Once per process.
 */
export function loadJobKindPlugins(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  pluginsLoaded ??= (async () => {
    const files = (env[JOB_KINDS_ENV] ?? '').split(path.delimiter).filter((f) => f.trim() !== '');
    for (const file of files) {
      let mod: { default?: unknown };
      try {
        mod = (await import(pathToFileURL(path.resolve(file)).href)) as { default?: unknown };
      } catch (e) {
        throw new Error(
          `The job kind plug-in ${file} (from ${JOB_KINDS_ENV}) could not be loaded: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      const specs = Array.isArray(mod.default) ? mod.default : [mod.default];
      for (const spec of specs) {
        const why = notAKind(spec);
        if (why)
          throw new Error(
            `The job kind plug-in ${file} (from ${JOB_KINDS_ENV}) does not export a job kind as its default: ${why}. See docs/ARCHITECTURE.md, "Adding a job kind".`,
          );
        if (findJobKind((spec as AnyJobKindSpec).engine.kind) !== spec) registerJobKind(spec as AnyJobKindSpec);
      }
    }
  })();
  return pluginsLoaded;
}

/**
 * A job's raw parameters as its kind reads them: the kind's defaults that depend on other parameters filled in,
 * then its schema (the API, and kinds that start other jobs, parse with this).
 */
export function parseJobParams(
  spec: AnyJobKindSpec,
  raw: unknown,
): ReturnType<AnyJobKindSpec['engine']['params']['safeParse']> {
  return spec.engine.params.safeParse(spec.withDefaults ? spec.withDefaults(raw) : raw);
}

/**
 * A schema's issues in one line, each named by its path (`epochs: too small; search.epochz: …`); `prefix` goes before
 * every path, `whole` names an issue of the whole value.
 */
export function describeIssues(
  error: z.ZodError,
  { prefix, whole = 'input' }: { prefix?: string; whole?: string } = {},
) {
  return error.issues
    .map((i) => `${[...(prefix ? [prefix] : []), ...i.path].join('.') || whole}: ${i.message}`)
    .join('; ');
}
