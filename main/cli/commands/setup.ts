/**
 * `winnow setup tensorflow [--gpu] [--wheel FILE] [--force] [--json]`: builds the native TensorFlow engine
 * (main/setup/native-engine.ts) and says what it did, step by step.
 */
import { parseArgs } from 'node:util';
import { APP_ROOT } from '../../api/version.js';
import { SetupError, setupNativeEngine, type SetupResult } from '../../setup/native-engine.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, formatDuration, printJson, say } from '../output.js';

const USAGE = 'Usage: winnow setup tensorflow [--gpu] [--wheel FILE] [--force] [--json]';

export async function setupCommand(argv: string[]): Promise<number> {
  const [what, ...rest] = argv;
  if (what !== 'tensorflow') throw new UsageError(USAGE);
  let values;
  try {
    ({ values } = parseArgs({
      args: rest,
      options: {
        gpu: { type: 'boolean' },
        wheel: { type: 'string' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
        'data-dir': { type: 'string' },
      },
      strict: true,
    }));
  } catch (e) {
    throw new UsageError(`${(e as Error).message}\n${USAGE}`);
  }
  const json = values.json === true;
  try {
    const result = await setupNativeEngine({
      variant: values.gpu ? 'gpu' : 'cpu',
      appRoot: APP_ROOT,
      ...(values.wheel ? { wheel: values.wheel } : {}),
      force: values.force === true,
      onProgress: (p) => say(`setup: ${p.message}…`),
    });
    if (json) printJson(result);
    else for (const line of doneLines(result)) say(line);
    return EXIT_OK;
  } catch (e) {
    if (!(e instanceof SetupError)) throw e;
    if (json) printJson({ error: { code: e.code, message: e.message, ...(e.logPath ? { log: e.logPath } : {}) } });
    say(`winnow: ${e.message}`);
    return EXIT_FAILURE;
  }
}

function doneLines(r: SetupResult): string[] {
  return [
    r.alreadySetUp
      ? `The ${r.backend} backend was already set up (TensorFlow ${r.tfVersion}); it loads.`
      : `The ${r.backend} backend is set up: ${r.packageName}@${r.packageVersion} on TensorFlow ${r.tfVersion} (from ${r.source}), in ${formatDuration(r.ms / 1000)}.`,
    ...r.steps.map((s) => `  ${s.step.padEnd(8)} ${(s.ms / 1000).toFixed(1).padStart(6)} s  ${s.note}`),
    `Library cache: ${r.cacheDir}`,
    'Winnow now picks it on "auto" (check with `winnow system info`).',
  ];
}
