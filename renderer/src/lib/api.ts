/** The one client this page uses, picked once at startup (see client.ts). */
import { pickClient, type BrowserEnvironment, type ClientHandle } from './client.js';

export const handle: ClientHandle = pickClient({
  winnow: window.winnow,
  location: window.location,
  history: window.history,
  get sessionStorage() {
    // Reading sessionStorage throws when storage is disabled.
    try {
      return window.sessionStorage;
    } catch {
      return undefined;
    }
  },
  fetch: (url, init) => window.fetch(url, init),
  WebSocket: window.WebSocket as unknown as BrowserEnvironment['WebSocket'],
  setTimeout: (fn, ms) => window.setTimeout(fn, ms),
  clearTimeout: (h) => window.clearTimeout(h as number),
  console: window.console,
});

export const client = handle.client;
