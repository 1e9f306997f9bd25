/** The one client this page uses, picked once at startup (see client.ts). */
import { pickClient, type BrowserEnvironment, type ClientHandle } from './client.js';
import { PathPicker } from './path-picker.svelte.js';

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

/**
 * Browser mode has no system picker: `client.pickPath` opens Winnow's own folder browser (PathPickerDialog in
 * App.svelte, listing through `files.browse`), so every "Browse" works in both modes.
 */
export const pathPicker = new PathPicker((input) => client.call('files.browse', input));
if (!client.pickPath) client.pickPath = (kind) => pathPicker.open(kind);
