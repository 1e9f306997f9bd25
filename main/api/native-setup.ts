/**
 * The Settings page's "Set up the native engine": runs main/setup/native-engine.ts in the host process, one setup
 * at a time, keeping a status the page polls. When it succeeds the engine process is let go (when idle) and the
 * backend report refreshed, so "auto" picks the new rung without a restart of the app.
 */
import type { NativeSetupStatus } from '../../shared/api.js';
import { SetupError, setupNativeEngine } from '../setup/native-engine.js';
import type { ApiContext } from './registry.js';
import { APP_ROOT } from './version.js';

const IDLE: NativeSetupStatus = {
  state: 'idle',
  variant: null,
  current: null,
  steps: [],
  startedAt: null,
  finishedAt: null,
  error: null,
  result: null,
};

let status: NativeSetupStatus = { ...IDLE };

export function nativeSetupStatus(): NativeSetupStatus {
  return status;
}

/** Starts a setup unless one is running; returns the status at once. `run` is replaceable for tests. */
export function startNativeSetup(
  gpu: boolean,
  ctx: ApiContext,
  run: typeof setupNativeEngine = setupNativeEngine,
): NativeSetupStatus {
  if (status.state === 'running') return status;
  status = { ...IDLE, state: 'running', variant: gpu ? 'gpu' : 'cpu', current: 'Starting', startedAt: Date.now() };
  run({
    variant: gpu ? 'gpu' : 'cpu',
    appRoot: APP_ROOT,
    onProgress: (p) => {
      status = { ...status, current: p.message };
    },
  }).then(
    async (r) => {
      status = {
        ...status,
        state: 'done',
        current: null,
        finishedAt: Date.now(),
        steps: r.steps.map((s) => ({ step: s.step, seconds: s.ms / 1000, note: s.note })),
        result: {
          backend: r.backend,
          tfVersion: r.tfVersion,
          packageVersion: r.packageVersion,
          source: r.source,
          alreadySetUp: r.alreadySetUp,
        },
      };
      if (ctx.supervisor.releaseEngine()) ctx.backendReport = undefined;
    },
    (e: unknown) => {
      const message =
        e instanceof SetupError
          ? e.message
          : `The setup stopped unexpectedly: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`;
      status = { ...status, state: 'failed', current: null, finishedAt: Date.now(), error: message };
    },
  );
  return status;
}

/** For tests: forget the last setup. */
export function _resetNativeSetupForTest(): void {
  status = { ...IDLE };
}
