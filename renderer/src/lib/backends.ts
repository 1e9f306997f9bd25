/** The backend ladder as the Settings page shows it. Mirrors shared/backend.ts without bundling zod. */
import type { BackendAttempt, BackendChoice, BackendName } from '../../../shared/backend.js';

export const LADDER = ['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu'] as const satisfies readonly BackendName[];
export const CHOICES = ['auto', ...LADDER] as const satisfies readonly BackendChoice[];

// Compile-time guard: fails to type-check if shared/backend.ts gains a rung this list lacks.
type Missing = Exclude<BackendName, (typeof LADDER)[number]>;
const exhaustive: [Missing] extends [never] ? true : Missing = true;
void exhaustive;

export const CHOICE_LABELS: Record<BackendChoice, string> = {
  auto: 'Automatic: the best one that loads',
  'tensorflow-gpu': 'TensorFlow with CUDA GPU',
  tensorflow: 'TensorFlow native (CPU)',
  wasm: 'WebAssembly',
  cpu: 'Plain JavaScript (slowest)',
};

export const DEFAULT_PACKAGES: Record<BackendName, string> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs',
};

export type RungStatus = 'loaded' | 'failed' | 'skipped' | 'untried';

export interface Rung {
  name: BackendName;
  packageName: string;
  status: RungStatus;
  selected: boolean;
  reason: string;
  ms: number | undefined;
}

/** One row per rung, in ladder order, whether or not the report tried it. */
export function ladderRows(attempts: readonly BackendAttempt[], selected: BackendName | null): Rung[] {
  return LADDER.map((name) => {
    const a = attempts.find((x) => x.name === name);
    const status: RungStatus = !a ? 'untried' : a.ok ? 'loaded' : a.skipped ? 'skipped' : 'failed';
    let reason = a?.reason ?? '';
    if (!reason && status === 'skipped') reason = 'Not tried: another backend was chosen first.';
    if (!reason && status === 'untried') reason = 'Not tried.';
    return {
      name,
      packageName: a?.packageName ?? DEFAULT_PACKAGES[name],
      status,
      selected: name === selected,
      reason,
      ms: a?.ms,
    };
  });
}

export const STATUS_LABELS: Record<RungStatus, string> = {
  loaded: 'Yes',
  failed: 'No',
  skipped: 'Skipped',
  untried: 'Not tried',
};
