/** API tests' host: in-process, on a fresh data folder, closed and removed after the test. */
import type { ApiError } from '../../main/api/errors.js';
import { openHost, type WinnowHost } from '../../main/api/host.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { later, scratch } from './scratch.js';

/** A host whose jobs run in this process, closed (before its folder is removed) after the current test. */
export async function openTestHost(): Promise<WinnowHost> {
  const host = await openHost({ dataDir: scratch(), transport: 'in-process', launcher: inProcessLauncher() });
  later(() => host.close());
  return host;
}

/** The ApiError a call rejects with (fails the test when it resolves). */
export async function rejection(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('expected a rejection');
}
