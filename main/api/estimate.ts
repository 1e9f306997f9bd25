/**
 * `jobs.estimate`: Cost before Start. The kind's plan (main/jobs/<kind>.ts `estimate`) counts the job's work; the
 * rate is the calibration of its network at its shape on the chosen backend (timed once by the engine process,
 * then kept in the data folder: main/store/cost-cache.ts), refined by the finished jobs of the same shape.
 */
import {
  WARN_SECONDS,
  diskBytesFor,
  observedRate,
  quickLook,
  refineRate,
  secondsFor,
  type CostEstimate,
} from '../../shared/cost.js';
import type { BackendChoice } from '../../shared/backend.js';
import type { AnyJobKindSpec, JobHost } from '../jobs/kind.js';
import { ApiError } from './errors.js';
import { CostCache } from '../store/cost-cache.js';
import type { Store } from '../store/index.js';
import { EngineBusyError, type JobSupervisor } from '../supervisor/supervisor.js';

/** How many of the kind's latest finished jobs may refine the rate. */
const PAST_RUNS = 20;

export interface EstimateHost extends JobHost {
  readonly supervisor: Pick<JobSupervisor, 'calibrate'>;
}

/** The backend a job will ask for: its own choice, else the settings'. */
function backendOf(params: unknown, store: Store): BackendChoice {
  const own = (params as { backend?: BackendChoice }).backend;
  return own && own !== 'auto' ? own : store.settings.get().backend;
}

/** Finished, never-resumed jobs of the kind with the same backend and shape: the rate each ran at. */
function pastRuns(host: JobHost, spec: AnyJobKindSpec, key: string, backend: BackendChoice) {
  const runs: Array<{ secondsPerImage: number; endedAt: number }> = [];
  for (const job of host.store.jobs.list({ limit: PAST_RUNS, kind: spec.engine.kind, state: 'done' })) {
    if (job.attempts !== 1 || job.startedAt === null || job.endedAt === null) continue;
    const parsed = spec.engine.params.safeParse(job.params);
    if (!parsed.success || backendOf(parsed.data, host.store) !== backend) continue;
    let plan;
    try {
      plan = spec.estimate!(host, parsed.data);
    } catch {
      continue; // its dataset is gone
    }
    if (plan.shapeKey !== key) continue;
    const rate = observedRate(plan.count(), (job.endedAt - job.startedAt) / 1000);
    if (rate !== null) runs.push({ secondsPerImage: rate, endedAt: job.endedAt });
  }
  return runs;
}

/** The answer for settings a job cannot start with: the refusal, no numbers. */
export function refusedEstimate(message: string, backend: string): CostEstimate {
  return {
    seconds: null,
    images: 0,
    diskBytes: null,
    basis: { backend, calibrated: null, runs: 0, secondsPerImage: null, note: null },
    parts: [],
    quickLook: null,
    shorter: null,
    refusal: message,
  };
}

/** The estimate of a job of this kind with these (parsed) parameters. */
export async function estimateJob(host: EstimateHost, spec: AnyJobKindSpec, params: unknown): Promise<CostEstimate> {
  let plan;
  try {
    plan = spec.estimate!(host, params);
  } catch (e) {
    // settings the job refuses (a kind without a refuse hook finds out here): answered, as a refusal is
    if (e instanceof ApiError && e.code === 'bad_input')
      return refusedEstimate(e.message, backendOf(params, host.store));
    throw e;
  }
  const count = plan.count();
  const backend = backendOf(params, host.store);
  const cache = new CostCache(host.dataDir);
  const cacheKey = `${backend}|${plan.shapeKey}`;
  let note: string | null = null;
  let calibration = cache.get(cacheKey);
  if (!calibration && plan.probe !== null) {
    try {
      const r = await host.supervisor.calibrate(plan.probe, backend);
      calibration = { backend: r.backend, secondsPerImage: r.secondsPerImage, weights: r.weights, at: Date.now() };
      cache.set(cacheKey, calibration);
    } catch (e) {
      note =
        e instanceof EngineBusyError
          ? 'The time is estimated once the running job ends (timing the network now would slow it down).'
          : `The network could not be timed: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  const runs = pastRuns(host, spec, plan.shapeKey, backend);
  const rate = refineRate(calibration?.secondsPerImage ?? null, runs);
  const seconds = rate === null ? null : secondsFor(count, rate);
  const look =
    rate !== null && seconds !== null && seconds > WARN_SECONDS
      ? quickLook(plan.knobs, (patch) => secondsFor(plan.count(patch), rate))
      : null;
  return {
    seconds,
    images: count.images,
    diskBytes: calibration ? diskBytesFor(count, calibration.weights) : null,
    basis: {
      backend: calibration?.backend ?? backend,
      calibrated: calibration?.secondsPerImage ?? null,
      runs: runs.length,
      secondsPerImage: rate,
      note: rate === null ? note : null,
    },
    parts: count.parts,
    quickLook: look,
    shorter: plan.shorter ?? null,
    refusal: null,
  };
}
