/**
 * Sandboxed preload: exposes exactly one object, `window.winnow`, implementing WinnowClient over IPC.
 * It runs in a sandbox, so it may require only 'electron' — every other import here must be `import type`
 * (test/unit/electron-security.test.ts checks this).
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { ApiErrorBody, ApiInput, ApiMethod, ApiOutput, PickPathKind, WinnowClient } from '../../shared/api.js';
import type { PushMessage } from '../../shared/jobs.js';

const CALL_CHANNEL = 'winnow:call';
const PUSH_CHANNEL = 'winnow:push';
/** Same string as PICK_PATH_CHANNEL in pick-path.ts (a sandboxed preload cannot import it; the unit test compares). */
const PICK_PATH_CHANNEL = 'winnow:pick-path';

/** What the main process answers on CALL_CHANNEL (see main.ts). */
type CallReply = { result: unknown } | ApiErrorBody;

/**
 * An API failure. Note: contextBridge re-creates Errors in the page's world from their `message` only, so the
 * page sees a plain Error with this message; `code` is kept here for callers inside the preload world.
 */
class ApiCallError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
  }
}

const listeners = new Set<(message: PushMessage) => void>();

ipcRenderer.on(PUSH_CHANNEL, (_event: IpcRendererEvent, message: PushMessage) => {
  for (const listener of [...listeners]) {
    try {
      listener(message);
    } catch (error) {
      console.error('winnow: a push listener threw', error);
    }
  }
});

const client: WinnowClient = {
  async call<M extends ApiMethod>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> {
    const reply = (await ipcRenderer.invoke(CALL_CHANNEL, method, input)) as CallReply;
    if ('error' in reply) throw new ApiCallError(reply.error.code, reply.error.message);
    return reply.result as ApiOutput<M>;
  },
  subscribe(listener: (message: PushMessage) => void): () => void {
    // contextBridge hands us a proxy of the page's function; keep exactly that proxy so unsubscribe finds it.
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  transport: 'electron',
  /** The native folder/file picker; main.ts checks the sender and the kind. */
  async pickPath(kind: PickPathKind): Promise<string | null> {
    const picked: unknown = await ipcRenderer.invoke(PICK_PATH_CHANNEL, kind);
    return typeof picked === 'string' ? picked : null;
  },
};

contextBridge.exposeInMainWorld('winnow', client);
