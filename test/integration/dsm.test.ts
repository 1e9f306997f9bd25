/**
 * The `dsm-search` job kind on the built-in MNIST sample with tiny settings (8 images per class, 8x8 input, C = 2):
 * through the API (engine in this process) a 20-iteration search finishes with a valid NB201 genotype, its
 * per-iteration events (the subspace graph, rewards, replacements only on improvement) and files; the same seed
 * gives the same search; a search stopped after k iterations and resumed ends exactly as a straight one (centres,
 * rewards, controller weights and Adam's moments); a supernet is reused from an earlier job; the refusals say what
 * to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DsmIterationData, DsmParams, DsmResult } from '../../shared/dsm.js';
import { EvaluateParams, type EvaluationSummary } from '../../shared/evaluate.js';
import { parseGenotypeJson } from '../../shared/genotype.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import type { JobEvent, JobSummary, StoredJobEvent } from '../../shared/jobs.js';
import type { EvaluateJobContext } from '../../main/engine/evaluate/context.js';
import { createJobContext, JobCancelledError } from '../../main/engine/jobs/context.js';
import { readCheckpoint } from '../../main/engine/search/checkpoint.js';
import { DSM_FILES } from '../../main/engine/search/dsm/context.js';
import { dsmHandler } from '../../main/engine/search/dsm/job.js';
import { archDistance, archFromIndex } from '../../main/engine/spaces/nb201/space.js';
import { dsmSearchKind } from '../../main/jobs/dsm-search.js';
import { evaluateKind } from '../../main/jobs/evaluate.js';
import { rejection } from '../helpers/host.js';
import { inProcessHost } from '../helpers/in-process.js';

const env = inProcessHost({ kind: 'mnist-sample' });
const TINY = {
  iterations: 20,
  subspaces: 4,
  distance: 2,
  controllerHidden: 8,
  controllerLr: 0.01,
  channels: 2,
  cells: 1,
  inputSize: 8,
  supernetEpochs: 1,
  supernetBatch: 8,
  calibrationBatches: 1,
  limitPerClass: 8,
  seed: 5,
  backend: 'wasm',
} as const;

const runDsm = (params: Record<string, unknown>) => env.run('dsm-search', params, DsmResult);

const iterationsOf = (events: StoredJobEvent[]) =>
  events.flatMap((e) => (e.event.type === 'dsm-iteration' ? [DsmIterationData.parse(e.event.data)] : []));

describe('dsm-search job', () => {
  let first: { job: JobSummary; result: DsmResult; events: StoredJobEvent[] };

  it('runs 20 iterations and ends with the best centre as a valid NB201 genotype', async () => {
    const t0 = performance.now();
    first = await runDsm(TINY);
    expect(performance.now() - t0).toBeLessThan(90_000);
    const { result, events } = first;
    expect(parseNb201(result.best.text)).toEqual(result.best.genotype);
    expect(result.centres).toHaveLength(4);
    expect(result.best.accuracy).toBe(Math.max(...result.centres.map((c) => c.accuracy)));
    expect(result.centres[result.best.subspace]).toEqual({
      index: result.best.index,
      text: result.best.text,
      accuracy: result.best.accuracy,
    });
    expect(result.rewards).toHaveLength(20);
    expect(result.supernet).toMatchObject({ source: 'trained', channels: 2, cells: 1, inputSize: 8, epochs: 1 });
    expect(result.controllerStepMs).toBeGreaterThan(0);
    expect(result.archsPerSecond).toBeGreaterThan(0);

    const its = iterationsOf(events);
    expect(its.map((d) => d.iteration)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    let centres = result.initial;
    for (const d of its) {
      // the proposal lies in the chosen subspace, differs from its centre, and the reward is the improvement
      expect(d.centre).toEqual(centres[d.subspace]);
      const dist = archDistance(archFromIndex(d.centre.index), archFromIndex(d.proposal.index));
      expect(dist).toBeGreaterThanOrEqual(1);
      expect(dist).toBeLessThanOrEqual(2);
      expect(d.proposal.changes).toHaveLength(dist);
      expect(d.reward).toBeCloseTo(d.proposal.accuracy - d.centre.accuracy, 12);
      // a centre changes only when its proposal was better
      const expected = centres.map((c, k) => (k === d.subspace && d.replaced ? d.proposal : c));
      const { changes: _changes, ...proposal } = d.proposal;
      if (d.replaced) {
        expect(d.reward).toBeGreaterThan(0);
        expect(d.centres[d.subspace]).toEqual(proposal);
      }
      expect(d.centres.map((c) => c.index)).toEqual(expected.map((c) => c.index));
      // every pair of nodes has one edge, from the weaker centre to the better one
      expect(d.edges).toHaveLength((4 * 3) / 2);
      for (const e of d.edges) expect(d.centres[e.to]!.accuracy).toBeGreaterThanOrEqual(d.centres[e.from]!.accuracy);
      centres = d.centres;
    }
    expect(result.replacements.length).toBe(its.filter((d) => d.replaced).length);
    expect(result.rewards).toEqual(its.map((d) => d.reward));

    const json = parseGenotypeJson(fs.readFileSync(result.files.genotypeJson, 'utf8'));
    expect(json.text).toBe(result.best.text);
    expect(json.provenance).toMatchObject({ space: 'nb201', strategy: 'dsm-nas', datasetId: env.datasetId, seed: 5 });
    const csv = fs.readFileSync(result.files.historyCsv, 'utf8').trim().split('\n');
    expect(csv).toHaveLength(21);
  }, 120_000);

  it('gives the same search for the same seed', async () => {
    const again = await runDsm(TINY);
    expect(again.result.rewards).toEqual(first.result.rewards);
    expect(again.result.centres).toEqual(first.result.centres);
    expect(again.result.replacements).toEqual(first.result.replacements);
  }, 120_000);

  it('reuses a supernet and starts from given cells (DSM-NAS+)', async () => {
    const init = [first.result.best.text];
    const { result } = await runDsm({ ...TINY, iterations: 3, supernetFrom: first.job.id, init });
    expect(result.supernet).toMatchObject({ source: 'reused', jobId: first.job.id, seconds: 0 });
    expect(result.initial[0]!.text).toBe(init[0]);
    // the same supernet and calibration: the starting cell measures as it did
    expect(result.initial[0]!.accuracy).toBe(first.result.best.accuracy);
  }, 120_000);

  it('hands its best centre to an evaluation like any searched genotype, with its cost', async () => {
    const params = EvaluateParams.parse({
      datasetId: env.datasetId,
      batch: 4,
      preset: 'tiny',
      source: { kind: 'search', jobId: first.job.id },
    });
    const c = evaluateKind.prepare!(env.host, { id: 1, params }) as EvaluateJobContext;
    expect(c.genotypeText).toBe(first.result.best.text);
    expect(c.network).toMatchObject({ kind: 'nb201', genotype: first.result.best.genotype });
    expect(parseGenotypeJson(c.genotypeJson!).provenance).toMatchObject({ strategy: 'dsm-nas', jobId: first.job.id });
    // an evaluation of it lists the search's cost (search and supernet time; no image count)
    const evaluation = env.host.store.jobs.create('evaluate', params, process.pid);
    const listed = (await env.host.api.dispatch('evaluations.list', {
      datasetId: env.datasetId,
    })) as EvaluationSummary[];
    const summary = listed.find((e) => e.jobId === evaluation.id)!;
    expect(summary.search).toEqual({
      jobId: first.job.id,
      seconds: first.result.seconds + first.result.supernet.seconds,
      images: null,
      strategy: 'dsm-nas',
    });
    expect(summary.network).toMatchObject({ kind: 'nb201', genotype: first.result.best.genotype });
    env.host.store.jobs.appendEvent(evaluation.id, { type: 'state', state: 'cancelled' });
  });

  it('refuses what cannot run, saying what to do', async () => {
    const bad = async (params: Record<string, unknown>) =>
      rejection(
        env.host.api.dispatch('jobs.start', { kind: 'dsm-search', params: { datasetId: env.datasetId, ...params } }),
      );
    expect((await bad({ init: ['|conv~0|'] })).message).toMatch(/Starting cell 1 is not a NAS-Bench-201 cell/);
    expect((await bad({ subspaces: 2, init: [first.result.best.text, first.result.best.text] })).message).toMatch(
      /repeats/,
    );
    expect((await bad({ supernetFrom: 999 })).message).toMatch(/no job 999/);
  });
});

describe('resume', () => {
  /** Runs the handler in this process on `jobDir`; stops after iteration `stopAfter` when given. */
  async function runHandler(jobDir: string, params: DsmParams, resume: boolean, stopAfter?: number) {
    const ac = new AbortController();
    const events: JobEvent[] = [];
    const ctx = createJobContext(
      {
        jobId: 1,
        jobDir,
        resume,
        backendPreference: 'wasm',
        signal: ac.signal,
        hostContext: dsmSearchKind.prepare!({ store: env.host.store, dataDir: env.dir }, { id: 1, params }),
      },
      (e) => {
        events.push(e);
        if (e.type === 'dsm-iteration' && e.data.iteration === stopAfter) ac.abort();
      },
    );
    try {
      return { result: await dsmHandler.run(ctx, params), events };
    } catch (e) {
      if (!(e instanceof JobCancelledError)) throw e;
      return { result: null, events };
    }
  }

  it('continues a stopped search exactly as a straight one', async () => {
    const params = DsmParams.parse({ ...TINY, datasetId: env.datasetId, iterations: 12 });
    const straightDir = path.join(env.dir, 'straight');
    const resumedDir = path.join(env.dir, 'resumed');
    const straight = await runHandler(straightDir, params, false);
    const stopped = await runHandler(resumedDir, params, false, 5);
    expect(stopped.result).toBeNull();
    const resumed = await runHandler(resumedDir, params, true);
    const a = straight.result!;
    const b = resumed.result!;
    expect(b.rewards).toEqual(a.rewards);
    expect(b.centres).toEqual(a.centres);
    expect(b.replacements).toEqual(a.replacements);
    expect(b.evaluated).toBe(a.evaluated);
    expect(fs.readFileSync(b.files.historyCsv, 'utf8')).toBe(fs.readFileSync(a.files.historyCsv, 'utf8'));
    // the resumed run did only the iterations after the checkpoint
    expect(
      iterationsOf(resumed.events.map((event, seq) => ({ jobId: 1, seq, ts: 0, event }))).map((d) => d.iteration),
    ).toEqual([6, 7, 8, 9, 10, 11, 12]);
    // controller weights and Adam's moments, bit for bit
    const cpA = readCheckpoint<{ baseline: number }>(path.join(straightDir, DSM_FILES.checkpointDir))!;
    const cpB = readCheckpoint<{ baseline: number }>(path.join(resumedDir, DSM_FILES.checkpointDir))!;
    expect(cpB.meta.baseline).toBe(cpA.meta.baseline);
    expect([...cpB.arrays.keys()]).toEqual([...cpA.arrays.keys()]);
    for (const [k, v] of cpA.arrays)
      expect(Buffer.from(cpB.arrays.get(k)!.buffer).equals(Buffer.from(v.buffer)), k).toBe(true);
  }, 180_000);
});
