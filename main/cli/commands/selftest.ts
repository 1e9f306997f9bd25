/** `winnow selftest`: train a small CNN on random data; report steps/s and the backend. */
import { SelftestParams, type SelftestResult } from '../../../shared/jobs.js';
import { parse } from '../args.js';
import { EXIT_FAILURE, EXIT_OK, printJson, say } from '../output.js';
import { flagHelp, flagOptions, paramFlags, readFlags } from '../param-flags.js';
import { runJobCommand } from '../run-job.js';

const FLAGS = paramFlags(SelftestParams, { steps: true, batch: true, seed: true });

/** `winnow selftest --help`: the flags with their ranges and defaults from the schema. */
export const selftestHelp = (): string => ['Usage: winnow selftest [options]', ...flagHelp(FLAGS)].join('\n');

export async function selftestCommand(args: string[]): Promise<number> {
  const { values } = parse(args, flagOptions(FLAGS));
  const params = { ...readFlags(FLAGS, values), backend: values.backend ?? 'auto' };
  return runJobCommand({
    values,
    kind: 'selftest',
    params,
    report: (_host, job, json) => {
      const result = job.result as SelftestResult | null;
      if (json) {
        printJson({ jobId: job.id, state: job.state, message: job.message, ...(result ?? {}) });
      } else if (job.state === 'done' && result) {
        say(
          `Self-test on ${result.backend}: ${result.stepsPerSecond} steps/s, ${result.imagesPerSecond} images/s (batch ${result.batch}, ${result.steps} steps, ${result.seconds}s).`,
        );
        say(`Loss ${result.initialLoss.toFixed(4)} -> ${result.finalLoss.toFixed(4)}.`);
      } else {
        say(`Self-test ${job.state}: ${job.message ?? ''}`);
      }
      return job.state === 'done' ? EXIT_OK : EXIT_FAILURE;
    },
  });
}
