/**
 * Prints, once per run, whether the tensorflow suite runs or is skipped, and why: a skipped suite is never silent.
 * The check loads the native package in a child process, as a job's engine worker would.
 */
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const r = spawnSync(
    process.execPath,
    ['-e', "const tf=require('@tensorflow/tfjs-node');process.stdout.write(String(tf.backend().binding.TF_Version))"],
    {
      encoding: 'utf8',
      env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' },
      timeout: 60_000,
    },
  );
  if (r.status === 0) {
    process.stdout.write(`tensorflow suite: running on the native backend (TensorFlow ${r.stdout.trim()}).\n`);
  } else {
    const why =
      (r.stderr || r.stdout || 'it did not load')
        .trim()
        .split('\n')
        .find((l) => /Error|Cannot find/.test(l)) ?? 'it did not load';
    process.stdout.write(
      `tensorflow suite: SKIPPED — the tensorflow backend is not set up (${why.slice(0, 200)}). Run \`npx winnow setup tensorflow\` to include it.\n`,
    );
  }
}
