/**
 * kill -9 of the CLI (the host process) and of the engine worker at seeded random moments of a tiny search and of a
 * tiny evaluation: each run, resumed, ends with the same result as an uninterrupted run, bit for bit. Three moments
 * for the search (the CLI twice, the worker once) and two for the evaluation (one each) — not ten, so the suite
 * stays within minutes on two cores; each moment is a fresh job. The moments and how far each job had got are
 * printed (the probe table of the report).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../main/engine/nn/prng.js';
import type { Store } from '../../main/store/index.js';
import { importWithCli, runCliJson, startCli, withStoreAt } from '../helpers/cli-data.js';
import { TINY_NB201_SEARCH, flags } from '../helpers/cli.js';
import { tempDir, waitFor } from '../helpers/tmp.js';

const SEARCH = ['search', ...flags({ dataset: 1, ...TINY_NB201_SEARCH })];
const EVALUATE = [
  'evaluate',
  ...flags({
    dataset: 1,
    baseline: 'cnn',
    preset: 'tiny',
    epochs: 3,
    batch: 8,
    seed: 2,
    limitPerClass: 6,
    backend: 'wasm',
  }),
];

let dataDir = '';
let cleanup: () => void = () => {};
beforeAll(async () => {
  const t = tempDir('winnow-faults-');
  cleanup = t.cleanup;
  dataDir = path.join(t.dir, 'data');
  await importWithCli(dataDir, ['dataset', 'synth', 'chroma', '--n', '60', '--size', '16']);
});
afterAll(() => cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const readStore = <T>(fn: (s: Store) => T): T => withStoreAt(dataDir, fn);

const newestJob = (kind: string): { id: number; workerPid: number | null } | undefined =>
  readStore((s) => {
    const j = s.jobs.list({ limit: 1, kind })[0];
    return j ? { id: j.id, workerPid: s.jobs.ownership(j.id)?.workerPid ?? null } : undefined;
  });

/**
 * Starts the CLI, waits until its job runs (the worker has loaded its backend), then `ms` more, and kills the CLI or
 * the worker; returns the job.
 */
async function killDuring(
  args: string[],
  kind: 'search' | 'evaluate',
  ms: number,
  victim: 'cli' | 'worker',
): Promise<number> {
  const before = newestJob(kind)?.id ?? 0;
  const { child, exited } = startCli(args, dataDir);
  const job = await waitFor(
    () => {
      const j = newestJob(kind);
      return j && j.id > before && j.workerPid && readStore((st) => st.jobs.get(j.id)?.progress) ? j : null;
    },
    60_000,
    'the job to run',
  );
  await sleep(ms);
  if (victim === 'cli') child.kill('SIGKILL');
  else process.kill(job.workerPid!, 'SIGKILL');
  await exited;
  await sleep(200); // a worker whose host died exits when its channel closes
  const progress = readStore((st) => st.jobs.get(job.id)?.progress);
  console.log(
    `kill -9 ${victim} of ${kind} job ${job.id}, ${ms} ms after it started running: at step ${progress?.step ?? 0} of ${progress?.total ?? '?'}`,
  );
  return job.id;
}

interface Outcome {
  key: unknown;
}

async function finish(
  args: string[],
  jobId: number | null,
  pick: (out: Record<string, unknown>) => unknown,
): Promise<Outcome> {
  const verb = args[0]!;
  const done = jobId === null ? undefined : readStore((st) => st.jobs.get(jobId));
  if (done?.state === 'done') return { key: pick(done.result as Record<string, unknown>) }; // it finished before the kill
  const out =
    jobId === null
      ? await runCliJson(args, dataDir, 120_000)
      : await runCliJson([verb, '--resume', String(jobId)], dataDir, 120_000);
  return { key: pick(out) };
}

const searchKey = (o: Record<string, unknown>) => [o.genotype, o.alphas, o.final];
const evaluateKey = (o: Record<string, unknown>) => [o.parameters, o.test, o.epochs];

/** Seeded moments in [0, span) ms after the job starts running (a tiny run trains for a few seconds). */
const moments = (seed: number, n: number, span = 3000) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => Math.floor(rng() * span));
};

describe('kill -9 at seeded moments, then resume', () => {
  it('a search: the CLI killed at 2 moments, the worker at 1; every resumed run ends as the straight one', async () => {
    const straight = await finish(SEARCH, null, searchKey);
    const probes: string[] = [];
    for (const [victim, ms] of [
      ...moments(11, 2).map((m) => ['cli', m] as const),
      ...moments(12, 1).map((m) => ['worker', m] as const),
    ]) {
      const jobId = await killDuring(SEARCH, 'search', ms, victim);
      const resumed = await finish(SEARCH, jobId, searchKey);
      probes.push(`${victim}@${ms}ms job ${jobId}`);
      expect(resumed.key, probes.at(-1)).toEqual(straight.key);
    }
    expect(probes).toHaveLength(3);
  });

  it('an evaluation: the CLI and the worker killed at seeded moments; the resumed runs end as the straight one', async () => {
    const straight = await finish(EVALUATE, null, evaluateKey);
    for (const [victim, ms] of [
      ['cli', moments(21, 1, 1200)[0]!],
      ['worker', moments(22, 1, 1200)[0]!],
    ] as const) {
      const jobId = await killDuring(EVALUATE, 'evaluate', ms, victim);
      const resumed = await finish(EVALUATE, jobId, evaluateKey);
      expect(resumed.key, `${victim}@${ms}ms`).toEqual(straight.key);
    }
  });
});
