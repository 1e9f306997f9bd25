/**
 * The tensorflow suite's gate: whether the native backend loads in this process, and why not. Every file of the
 * suite skips its tests when it does not (CI without `winnow setup tensorflow`), and global-setup.ts prints one line
 * saying so.
 */
import { selectBackend } from '../../main/engine/backend/ladder.js';

let probe: Promise<string | null> | null = null;

/** null when the tensorflow backend loads, else the ladder's reason. Leaves the backend selected. */
export function nativeUnavailable(): Promise<string | null> {
  probe ??= selectBackend('tensorflow').then(
    () => null,
    (e: unknown) => (e instanceof Error ? e.message : String(e)),
  );
  return probe;
}
