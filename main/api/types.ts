import type { PushMessage } from '../../shared/jobs.js';

/** The single entry point both transports use: validate the input with the method's zod schema, run the handler. */
export interface ApiDispatcher {
  /** Throws ApiError (bad_input, not_found, conflict, internal) with a message a person can act on. */
  dispatch(method: string, input: unknown): Promise<unknown>;
  /** Pushed messages for connected UIs; returns the unsubscribe function. */
  subscribe(listener: (message: PushMessage) => void): () => void;
}
