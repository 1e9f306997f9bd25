/**
 * The step-time probe in the engine worker's runtime: it answers seconds per training image and the network's
 * size for each kind's network (the search's supernet, the autoencoder, an evaluation's classifier), and a job's
 * start stops it at its next step instead of waiting for it.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AeTrainParams } from '../../shared/autoencoder.js';
import { SearchParams } from '../../shared/search.js';
import { describeNetwork } from '../../main/engine/evaluate/context.js';
import type { HostToWorker, WorkerToHost } from '../../main/engine/jobs/protocol.js';
import { createWorkerRuntime } from '../../main/engine/jobs/runtime.js';
import type { JobHandler } from '../../main/engine/jobs/handler.js';
import { tempDir } from '../helpers/tmp.js';

const shape = { width: 8, height: 8, channels: 1, classes: 2 };
const probe = (batch: number) => ({
  kind: 'search',
  params: SearchParams.parse({ datasetId: 1, space: 'nb201', channels: 2, batch, epochs: 1 }),
  shape,
});

/** A job that ends at once. */
const quick: JobHandler<unknown, unknown, unknown> = {
  kind: 'quick',
  params: z.unknown(),
  resumable: false,
  run: () => Promise.resolve({ ok: true }),
};

function runtime() {
  const sent: WorkerToHost[] = [];
  const waiters: Array<() => void> = [];
  const rt = createWorkerRuntime(
    (m) => {
      sent.push(m);
      waiters.splice(0).forEach((w) => w());
    },
    () => quick,
  );
  const next = (type: WorkerToHost['type']) =>
    new Promise<WorkerToHost>((resolve) => {
      const look = () => {
        const found = sent.find((m) => m.type === type);
        if (found) resolve(found);
        else waiters.push(look);
      };
      look();
    });
  return { rt, sent, next };
}

describe('calibrate', () => {
  it('a newer request stops the one in progress; the newer one is answered', async () => {
    const { rt, sent, next } = runtime();
    rt.handle({ type: 'calibrate', requestId: 1, backend: 'cpu', probe: probe(4) } as HostToWorker);
    rt.handle({ type: 'calibrate', requestId: 2, backend: 'cpu', probe: probe(2) } as HostToWorker);
    await next('calibrate-result');
    await new Promise<void>((r) => {
      const wait = () => (sent.length >= 2 ? r() : setTimeout(wait, 20));
      wait();
    });
    const byId = new Map(sent.map((m) => [(m as { requestId: number }).requestId, m]));
    expect((byId.get(1) as { error?: string }).error).toMatch(/newer settings/);
    expect((byId.get(2) as { result?: { secondsPerImage: number } }).result!.secondsPerImage).toBeGreaterThan(0);
  });

  it('times a batch above 4 (from batch 2: as it is, or by the line through 2 and 4) and reports the size', async () => {
    const { rt, next } = runtime();
    rt.handle({ type: 'calibrate', requestId: 1, backend: 'cpu', probe: probe(16) } as HostToWorker);
    const m = (await next('calibrate-result')) as Extract<WorkerToHost, { type: 'calibrate-result' }>;
    expect(m.error).toBeUndefined();
    expect(m.result!.backend).toBe('cpu');
    expect(m.result!.secondsPerImage).toBeGreaterThan(0);
    expect(m.result!.weights).toBeGreaterThan(100);
    expect(m.result!.steps).toBeGreaterThanOrEqual(2); // at least one step at 2, then one at 4 or at 16
  });

  it('a job start stops a calibration: the job runs, the calibration says why it stopped', async () => {
    const { rt, sent, next } = runtime();
    const t = tempDir('winnow-probe-');
    rt.handle({ type: 'calibrate', requestId: 2, backend: 'cpu', probe: probe(4) } as HostToWorker);
    rt.handle({
      type: 'start',
      jobId: 7,
      kind: 'selftest', // the lookup answers the quick job for any kind
      params: {},
      jobDir: `${t.dir}/jobs/7`,
      resume: false,
      backend: 'cpu',
    });
    const finished = await next('finished');
    expect(finished).toMatchObject({ jobId: 7, outcome: 'done' });
    const c = (await next('calibrate-result')) as Extract<WorkerToHost, { type: 'calibrate-result' }>;
    expect(c.error).toMatch(/a job is starting, or newer settings came in/);
    // the calibration let go before the job ran
    expect(sent.findIndex((m) => m.type === 'calibrate-result')).toBeLessThan(
      sent.findIndex((m) => m.type === 'finished'),
    );
    t.cleanup();
  });

  it("times the autoencoder's own training step and counts its weights", async () => {
    const { rt, next } = runtime();
    const params = AeTrainParams.parse({ datasetId: 1, batch: 8, dim: 4, losses: ['mse'] });
    const spec = { kind: 'autoencoder', params, shape: { width: 28, height: 28, channels: 1, classes: 3 } };
    rt.handle({ type: 'calibrate', requestId: 1, backend: 'wasm', probe: spec } as HostToWorker);
    const m = (await next('calibrate-result')) as Extract<WorkerToHost, { type: 'calibrate-result' }>;
    expect(m.error).toBeUndefined();
    expect(m.result!.secondsPerImage).toBeGreaterThan(0);
    // the grey autoencoder: width 16, three stages to 4x4, latent 4 (thousands of weights, not a dozen)
    expect(m.result!.backend).toBe('wasm');
    expect(m.result!.weights).toBeGreaterThan(10_000);
    expect(m.result!.steps).toBeGreaterThanOrEqual(2); // a warm-up call, then timed calls
  });

  it("times an evaluation's classifier (a baseline) at its batch", async () => {
    const { rt, next } = runtime();
    const network = describeNetwork({ source: { kind: 'baseline', name: 'cnn' }, preset: 'tiny' }, null);
    const spec = {
      kind: 'classifier',
      network,
      batch: 16,
      auxWeight: 0.4,
      augment: false,
      shape: { width: 16, height: 16, channels: 1, classes: 2 },
    };
    rt.handle({ type: 'calibrate', requestId: 1, backend: 'cpu', probe: spec } as HostToWorker);
    const m = (await next('calibrate-result')) as Extract<WorkerToHost, { type: 'calibrate-result' }>;
    expect(m.error).toBeUndefined();
    expect(m.result!.secondsPerImage).toBeGreaterThan(0);
    expect(m.result!.weights).toBeGreaterThan(100);
  });

  it("times the NAS-Bench-201 jobs' single-path step, resized to their input size", async () => {
    const { rt, next } = runtime();
    const spec = {
      kind: 'nb201',
      channels: 4,
      cells: 1,
      inputSize: 8,
      batch: 8,
      shape: { ...shape, width: 12, height: 12 },
    };
    rt.handle({ type: 'calibrate', requestId: 1, backend: 'cpu', probe: spec } as HostToWorker);
    const m = (await next('calibrate-result')) as Extract<WorkerToHost, { type: 'calibrate-result' }>;
    expect(m.error).toBeUndefined();
    expect(m.result!.secondsPerImage).toBeGreaterThan(0);
    // every candidate operation's weights of the supernet, not one path's
    expect(m.result!.weights).toBeGreaterThan(1000);
  });
});
