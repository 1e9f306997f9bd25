/**
 * The `experiment` job kind through the API, engine in this process, on a small synthetic dataset: a 2 × 2 grid
 * (full and random data, two seeds) at tiny settings runs its searches and evaluations to a report; Winnow closed
 * mid-way and reopened resumes it without rerunning its finished children; a child that cannot run is reported and
 * the others finish.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ExperimentParams,
  expandExperiment,
  type ExperimentDetail,
  type ExperimentParamsInput,
  type ExperimentPlanView,
  type ExperimentResult,
} from '../../shared/experiment.js';
import type { JobSummary } from '../../shared/jobs.js';
import { openHost } from '../../main/api/host.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { jobDirFor } from '../../main/store/paths.js';
import { inProcessHost } from '../helpers/in-process.js';

const env = inProcessHost({ kind: 'synth-chroma', n: 90, size: 16, seed: 3 });

/** Searches and evaluations small enough for a few seconds each on wasm. */
const TINY = {
  search: { epochs: 1, batch: 8, channels: 2, cells: 1, limitPerClass: 6, subset: 6, testLimitPerClass: 3 },
  evaluate: { preset: 'tiny', channels: 4, layers: 1, epochs: 1, batch: 16, limitPerClass: 6, testLimitPerClass: 3 },
  backend: 'wasm',
} as const;

const grid = (extra: Partial<ExperimentParamsInput> = {}): ExperimentParamsInput => ({
  datasetId: env.datasetId,
  name: 'two by two',
  strategies: ['full', 'random'],
  seeds: [0, 1],
  ...TINY,
  ...extra,
});

async function start(params: ExperimentParamsInput): Promise<JobSummary> {
  return (await env.host.api.dispatch('jobs.start', { kind: 'experiment', params })) as JobSummary;
}

const childJobs = (kind: string) => env.host.store.jobs.list({ limit: 1000, kind });

/** The child of `kind` and `seed` once it runs (or once `is` holds of it). */
const waitForChild = (kind: string, seed: number, is = (j: JobSummary) => j.state === 'running') =>
  new Promise<JobSummary>((resolve) => {
    const timer = setInterval(() => {
      const child = childJobs(kind).find((j) => (j.params as { seed: number }).seed === seed && is(j));
      if (child) {
        clearInterval(timer);
        resolve(child);
      }
    }, 20);
  });

describe('experiment job', () => {
  it('plans a 2 × 2 grid: its cells, child jobs and their cost before Start', async () => {
    const plan = (await env.host.api.dispatch('experiments.plan', { params: grid() })) as ExperimentPlanView;
    expect(plan.cells.map((c) => c.key)).toEqual(['full/darts/original', 'random/darts/original']);
    expect(plan.jobs).toMatchObject({ autoencoder: 0, search: 4, evaluate: 4, compress: 0, total: 8 });
    expect(plan.reused).toBe(0);
    expect(plan.referenceNote).toBeNull();
    expect(plan.seconds === null || plan.seconds > 0).toBe(true);
  }, 120_000);

  it('runs the grid to a report: every child done, one run per cell and seed', async () => {
    const job = await start(grid());
    await env.host.supervisor.whenIdle();
    const done = env.host.store.jobs.get(job.id)!;
    expect(done.state, done.message ?? '').toBe('done');
    const result = done.result as ExperimentResult;
    expect(result.nodes.map((n) => n.state)).toEqual(Array(8).fill('done'));
    expect(result.runs).toHaveLength(4);
    for (const run of result.runs) {
      expect(run.testAccuracy).toBeGreaterThanOrEqual(0);
      expect(run.testAccuracy).toBeLessThanOrEqual(1);
      expect(run.searchSeconds).toBeGreaterThan(0);
      expect(run.imagesProcessed).toBeGreaterThan(0);
      expect(run.parameters).toBeGreaterThan(0);
      expect(run.genotypeText).toMatch(/^Genotype\(/);
    }
    // tested on at most 3 images of each class
    const classes = env.host.store.datasets.detail(env.datasetId)!.classNames.length;
    for (const j of childJobs('evaluate'))
      expect((j.result as { test: { images: number } }).test.images).toBe(3 * classes);
    for (const j of childJobs('search'))
      expect((j.result as { supernetTest: { images: number } }).supernetTest.images).toBe(3 * classes);
    // the random subset trains on fewer images than the full data
    const images = (cell: string) =>
      result.runs.filter((r) => r.cell === cell).reduce((s, r) => s + r.imagesProcessed!, 0);
    expect(images('random/darts/original')).toBeLessThan(images('full/darts/original'));
    const detail = (await env.host.api.dispatch('experiments.get', { id: job.id })) as ExperimentDetail;
    expect(detail.summary).toMatchObject({ state: 'done', cells: 2, children: { total: 8, done: 8, failed: 0 } });
    const reportDir = path.join(jobDirFor(env.dir, job.id), result.reportDir);
    expect(fs.readdirSync(reportDir)).toEqual(
      expect.arrayContaining(['report.md', 'results.csv', 'experiment.json', 'accuracy-per-cell.svg']),
    );
    const markdown = fs.readFileSync(path.join(reportDir, 'report.md'), 'utf8');
    expect(markdown).toContain('Random subset');
    expect(markdown).toMatch(/not evidence|No significance test/);
    expect(fs.readFileSync(path.join(reportDir, 'results.csv'), 'utf8').trim().split('\n')).toHaveLength(5);
    // experiment.json reruns the same grid: the same child jobs
    const rerun = ExperimentParams.parse(JSON.parse(fs.readFileSync(path.join(reportDir, 'experiment.json'), 'utf8')));
    expect(expandExperiment(rerun).nodes.map((n) => n.key)).toEqual(result.nodes.map((n) => n.key));
    expect(detail.report?.cells.map((c) => c.runs)).toEqual([2, 2]);

    // the same grid again reuses every child: nothing new runs
    const searches = childJobs('search').length;
    const plan = (await env.host.api.dispatch('experiments.plan', { params: grid() })) as ExperimentPlanView;
    expect(plan.reused).toBe(8);
    const again = await start(grid({ name: 'again' }));
    await env.host.supervisor.whenIdle();
    const second = env.host.store.jobs.get(again.id)!;
    expect(second.state).toBe('done');
    expect((second.result as ExperimentResult).nodes.every((n) => n.reused)).toBe(true);
    expect(childJobs('search')).toHaveLength(searches);
  }, 300_000);

  it('closed mid-way and resumed, finishes without rerunning its finished children', async () => {
    const params = grid({ name: 'resumed', strategies: ['random'], seeds: [2] });
    const job = await start(params);
    // close Winnow once the search is done and its evaluation runs
    const running = (await waitForChild('evaluate', 2)).id;
    await env.host.close();
    env.host = await openHost({ dataDir: env.dir, transport: 'in-process', launcher: inProcessLauncher() });
    expect(env.host.store.jobs.get(job.id)!.state).toBe('interrupted');
    const searchDone = childJobs('search').find((j) => (j.params as { seed: number }).seed === 2)!;
    expect(searchDone.state).toBe('done');
    const searchesBefore = childJobs('search').length;
    await env.host.api.dispatch('jobs.resume', { id: job.id });
    await env.host.supervisor.whenIdle();
    const resumed = env.host.store.jobs.get(job.id)!;
    expect(resumed.state, resumed.message ?? '').toBe('done');
    const result = resumed.result as ExperimentResult;
    expect(result.nodes.map((n) => n.state)).toEqual(Array(2).fill('done'));
    // the finished search was kept, the interrupted evaluation resumed (the same job, started twice)
    expect(result.nodes.map((n) => n.jobId)).toEqual([searchDone.id, running]);
    expect(childJobs('search')).toHaveLength(searchesBefore);
    expect(env.host.store.jobs.get(running)).toMatchObject({ state: 'done', attempts: 2 });
  }, 300_000);

  it('is cancelled as a whole: the running child is cancelled, the waiting ones never start', async () => {
    const job = await start(grid({ name: 'cancelled', strategies: ['full'], seeds: [5] }));
    const search = await waitForChild('search', 5);
    await env.host.api.dispatch('jobs.cancel', { id: job.id });
    await env.host.supervisor.whenIdle();
    expect(env.host.store.jobs.get(job.id)).toMatchObject({ state: 'cancelled' });
    expect(env.host.store.jobs.get(search.id)!.state).toBe('cancelled');
    expect(childJobs('evaluate').filter((j) => (j.params as { seed: number }).seed === 5)).toEqual([]);
    const detail = (await env.host.api.dispatch('experiments.get', { id: job.id })) as ExperimentDetail;
    expect(detail.summary.state).toBe('cancelled');
  }, 300_000);

  it('reports a child the user cancelled, and skips what needs it, without undoing the cancel', async () => {
    const job = await start(grid({ name: 'child cancelled', seeds: [6] }));
    // the random cell's search waits in the queue behind the full-data one: cancel it there
    const queued = await waitForChild('search', 6, (j) => j.state === 'queued' && j.params.strategy === 'random');
    await env.host.api.dispatch('jobs.cancel', { id: queued.id });
    await env.host.supervisor.whenIdle();
    const done = env.host.store.jobs.get(job.id)!;
    expect(done.state).toBe('done');
    expect((done.result as ExperimentResult).nodes.map((n) => [n.kind, n.cells[0], n.state])).toEqual([
      ['search', 'full/darts/original', 'done'],
      ['evaluate', 'full/darts/original', 'done'],
      ['search', 'random/darts/original', 'cancelled'],
      ['evaluate', 'random/darts/original', 'skipped'],
    ]);
    expect(env.host.store.jobs.get(queued.id)).toMatchObject({ state: 'cancelled', attempts: 0 });
  }, 300_000);

  it('reports a child that cannot run, skips what needs it, and finishes the others', async () => {
    // a compression study of an untrained network is refused (it answers at chance level), so the study fails
    const job = await start(
      grid({
        name: 'one fails',
        strategies: ['full'],
        seeds: [0],
        evaluate: { ...TINY.evaluate, lr: 1e-9 },
        study: { qualities: [50], subsampling: ['4:2:0'], protocols: ['test'], epochs: 1, sizeSample: 4 },
      }),
    );
    await env.host.supervisor.whenIdle();
    const done = env.host.store.jobs.get(job.id)!;
    expect(done.state, done.message ?? '').toBe('done');
    const nodes = (done.result as ExperimentResult).nodes;
    expect(nodes.map((n) => [n.kind, n.state])).toEqual([
      ['search', 'done'],
      ['evaluate', 'done'],
      ['compress', 'failed'],
    ]);
    expect(nodes[2]!.message).toMatch(/chance|one class/i);
    const detail = (await env.host.api.dispatch('experiments.get', { id: job.id })) as ExperimentDetail;
    expect(detail.summary.children).toEqual({ total: 3, done: 2, failed: 1 });
  }, 300_000);
});
