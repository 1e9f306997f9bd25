/**
 * Cost before Start in the forms (components/CostEstimate.svelte): the estimate's lines in words, and a small
 * cache of answers so a setting the user returns to shows its numbers at once.
 */
import {
  QUICK_LOOK_SECONDS,
  WARN_SECONDS,
  formatBytes,
  formatDuration,
  type CostEstimate,
} from '../../../shared/cost.js';

export { QUICK_LOOK_SECONDS, WARN_SECONDS };

const BACKEND_WORDS: Record<string, string> = {
  'tensorflow-gpu': 'the TensorFlow GPU engine',
  tensorflow: 'the native TensorFlow engine',
  wasm: 'the WebAssembly engine',
  cpu: 'the plain JavaScript engine',
};

export interface CostLines {
  time: string;
  images: string;
  disk: string;
  /** Where the time comes from, in a sentence. */
  basis: string;
  /** Above 30 minutes. */
  long: boolean;
}

export function costLines(e: CostEstimate): CostLines {
  const b = e.basis;
  const engine = BACKEND_WORDS[b.backend] ?? b.backend;
  let basis: string;
  if (e.seconds === null) basis = b.note ?? 'The time is not known yet.';
  else if (b.calibrated !== null)
    basis =
      `Timed by running a few training steps of this network with ${engine} on this computer` +
      (b.runs > 0 ? `, corrected by ${b.runs} finished run${b.runs === 1 ? '' : 's'} of the same size.` : '.');
  else basis = `From ${b.runs} finished run${b.runs === 1 ? '' : 's'} of the same size with ${engine}.`;
  return {
    time: e.seconds === null ? 'not known yet' : `about ${formatDuration(e.seconds)}`,
    images: `${e.images.toLocaleString('en')} images processed`,
    disk: e.diskBytes === null ? 'disk use not known yet' : `about ${formatBytes(e.diskBytes)} on disk`,
    basis: `${basis} ${e.parts.join('; ')}.`.replace(/^(.)/, (c) => c.toUpperCase()),
    long: e.seconds !== null && e.seconds > WARN_SECONDS,
  };
}

/** The last answers, by kind and parameters (a few dozen: one form's recent settings). */
export class EstimateCache {
  private readonly map = new Map<string, CostEstimate>();
  constructor(private readonly size = 50) {}

  static key(kind: string, params: unknown): string {
    return `${kind} ${JSON.stringify(params)}`;
  }

  get(key: string): CostEstimate | undefined {
    return this.map.get(key);
  }

  set(key: string, e: CostEstimate): void {
    this.map.delete(key);
    this.map.set(key, e);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

export const estimates = new EstimateCache();

/** What a form's estimate asks about: the parameters Start would send (with `extra`), or null while incomplete. */
export function builtParams<P extends object>(
  built: { ok: true; params: P } | { ok: false },
  extra: Partial<P> = {},
): P | null {
  return built.ok ? { ...built.params, ...extra } : null;
}

export { formatDuration };
