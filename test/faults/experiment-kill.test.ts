/**
 * kill -9 of `winnow experiment run` while a child evaluation runs: `winnow experiment resume` finishes the grid
 * without rerunning what had finished — the done search is kept, the interrupted evaluation is resumed (the same
 * job), nothing else is started again.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExperimentDetail } from '../../shared/experiment.js';
import type { Store } from '../../main/store/index.js';
import { importWithCli, runCliJson, startCli, withStoreAt } from '../helpers/cli-data.js';
import { tempDir, waitFor } from '../helpers/tmp.js';

let root = '';
let dataDir = '';
let cleanup: () => void = () => {};
beforeAll(async () => {
  const t = tempDir('winnow-faults-experiment-');
  ({ cleanup } = t);
  root = t.dir;
  dataDir = path.join(root, 'data');
  await importWithCli(dataDir, ['dataset', 'synth', 'chroma', '--n', '60', '--size', '16']);
}, 120_000);
afterAll(() => cleanup());

const readStore = <T>(fn: (s: Store) => T): T => withStoreAt(dataDir, fn);

describe('an experiment killed with -9', () => {
  it('resumes without rerunning its finished children', async () => {
    const file = path.join(root, 'grid.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        datasetId: 1,
        strategies: ['full', 'random'],
        search: { epochs: 1, batch: 8, channels: 2, cells: 1, limitPerClass: 6, subset: 6, testLimitPerClass: 3 },
        evaluate: {
          preset: 'tiny',
          channels: 4,
          layers: 1,
          epochs: 3,
          batch: 8,
          limitPerClass: 6,
          testLimitPerClass: 3,
        },
        backend: 'wasm',
      }),
    );
    const { child, exited } = startCli(['experiment', 'run', file], dataDir);
    // the first evaluation has begun training: both searches are done (the children queue in order), two to go
    const evaluation = await waitFor(
      () =>
        readStore((s) => {
          const e = s.jobs.list({ limit: 10, kind: 'evaluate' }).find((j) => j.state === 'running');
          return e?.progress ? e.id : null;
        }),
      120_000,
      'an evaluation to run',
    );
    child.kill('SIGKILL');
    await exited;
    const before = readStore((s) => ({
      searches: s.jobs.list({ limit: 10, kind: 'search' }).map((j) => [j.id, j.state]),
      experiment: s.jobs.list({ limit: 1, kind: 'experiment' })[0]!.id,
    }));
    expect(before.searches.map(([, state]) => state)).toEqual(['done', 'done']);

    const resumed = await runCliJson<ExperimentDetail & { state: string }>(
      ['experiment', 'resume', String(before.experiment)],
      dataDir,
      300_000,
    );
    expect(resumed.state).toBe('done');
    expect(resumed.nodes.map((n) => n.state)).toEqual(['done', 'done', 'done', 'done']);
    const after = readStore((s) => ({
      searches: s.jobs.list({ limit: 10, kind: 'search' }).map((j) => j.id),
      evaluations: s.jobs.list({ limit: 10, kind: 'evaluate' }).map((j) => j.id),
      resumedEvaluation: s.jobs.get(evaluation),
    }));
    // the done searches kept, no child started twice, the killed evaluation resumed
    expect(after.searches).toEqual(before.searches.map(([id]) => id));
    expect(resumed.nodes.filter((n) => n.kind === 'search').map((n) => n.jobId)).toEqual(
      [...after.searches].sort((a, b) => a - b),
    );
    expect(after.evaluations).toHaveLength(2);
    expect(after.resumedEvaluation).toMatchObject({ state: 'done', attempts: 2 });
  }, 600_000);
});
