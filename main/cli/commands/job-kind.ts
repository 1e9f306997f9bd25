/**
 * `winnow <command> [--flag value ...] [--resume <job>] [--json]` for a job kind that has no hand-written command
 * (one registered at run time): its flags, their checks and its --help come from its parameter schema.
 */
import type { z } from 'zod';
import type { JobSummary } from '../../../shared/jobs.js';
import type { AnyJobKindSpec } from '../../jobs/kind.js';
import { parse, resumeOption, type Options } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, printJson, resumeHint, say, stopReason } from '../output.js';
import { flagHelp, flagOptions, paramFlags, parseWithFlags, readFlags } from '../param-flags.js';
import { runJobCommand } from '../run-job.js';

/** The schema's shape when it is an object (the only kind of parameters flags can spell). */
function objectSchema(schema: z.ZodType): z.ZodObject | null {
  return 'shape' in schema ? (schema as z.ZodObject) : null;
}

export function jobKindFlags(spec: AnyJobKindSpec) {
  const schema = objectSchema(spec.engine.params as z.ZodType);
  return { schema, flags: schema ? paramFlags(schema) : [] };
}

/** `winnow <command> --help` for a kind: its usage line and one line per flag. */
export function jobKindHelp(spec: AnyJobKindSpec): string {
  const command = spec.cli!.command;
  return [
    `Usage: winnow ${command} [options] | winnow ${command} --resume <job>`,
    `${spec.cli!.summary}`,
    '',
    ...flagHelp(jobKindFlags(spec).flags),
  ].join('\n');
}

function report(spec: AnyJobKindSpec, job: JobSummary, json: boolean): number {
  const done = job.state === 'done';
  if (json)
    printJson(
      done
        ? { jobId: job.id, state: job.state, result: job.result }
        : { jobId: job.id, state: job.state, error: job.message },
    );
  else if (done)
    for (const line of spec.cli?.doneLines?.(job, job.result) ?? [`Job ${job.id} (${job.kind}) done.`]) say(line);
  else
    say(
      `Job ${job.id} (${job.kind}) ${job.state}${stopReason(job)}${spec.engine.resumable ? resumeHint(job, spec.cli!.command) : ''}`,
    );
  return done ? EXIT_OK : EXIT_FAILURE;
}

export async function jobKindCommand(spec: AnyJobKindSpec, args: string[]): Promise<number> {
  const { schema, flags } = jobKindFlags(spec);
  const options = { ...flagOptions(flags), resume: { type: 'string' } } satisfies Options;
  const { values } = parse(args, options);
  const resumeId = resumeOption(values, options, `a ${spec.engine.kind} job`);
  const withBackend = schema !== null && 'backend' in schema.shape;
  const params =
    resumeId === undefined
      ? parseWithFlags(
          spec.engine.params as z.ZodType,
          { ...readFlags(flags, values), ...(withBackend ? { backend: values.backend ?? 'auto' } : {}) },
          flags,
        )
      : undefined;
  return runJobCommand({
    values,
    kind: spec.engine.kind,
    resumeId,
    params,
    report: (_host, job, json) => report(spec, job, json),
  });
}
