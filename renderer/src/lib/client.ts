/**
 * The API client the pages use. In Electron the preload exposes one as `window.winnow`; in browser mode
 * (`winnow serve`) we build one over HTTP (calls) and a WebSocket (pushed messages). Pages do not know which.
 *
 * Everything here is plain TypeScript with its environment injected (fetch, WebSocket, timers, storage), so the
 * request building, error mapping and reconnect logic are unit-tested in Node.
 */
import { forApp } from '../../../shared/cli-hint.js';
import type { ApiErrorBody, ApiErrorCode, ApiInput, ApiMethod, ApiOutput, WinnowClient } from '../../../shared/api.js';
import type { PushMessage } from '../../../shared/jobs.js';

// ---- errors ----------------------------------------------------------------------------------------

/** Codes from the API, plus the two the client itself can hit: the server is unreachable, or it answered oddly. */
export type ClientErrorCode = ApiErrorCode | 'network' | 'http';

/** A refused or failed call. `message` is written for a person (the server's message when it sent one). */
export class ApiCallError extends Error {
  readonly code: ClientErrorCode;
  readonly issues: unknown;
  readonly status: number | undefined;
  readonly method: string;

  constructor(
    method: string,
    code: ClientErrorCode,
    message: string,
    opts: { issues?: unknown; status?: number; cause?: unknown } = {},
  ) {
    // the server's message without its command-line hints (shared/cli-hint.ts)
    super(forApp(message), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'ApiCallError';
    this.method = method;
    this.code = code;
    this.issues = opts.issues;
    this.status = opts.status;
  }
}

/** The message to show for anything thrown by a call. Strips Electron's IPC wrapper text. */
export function errorMessage(error: unknown): string {
  let text: string;
  if (error instanceof Error) text = error.message;
  else if (typeof error === 'string') text = error;
  else {
    try {
      text = JSON.stringify(error);
    } catch {
      text = String(error);
    }
  }
  text = text.replace(/^Error invoking remote method '[^']*':\s*/, '').replace(/^(?:[A-Za-z]*Error):\s+/, '');
  return forApp(text) || 'Something went wrong, but no reason was given.';
}

/** The error code of anything thrown by a call, when it has one (kept across Electron's IPC when possible). */
export function errorCode(error: unknown): string | undefined {
  if (error && typeof error === 'object' && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

function isErrorBody(value: unknown): value is ApiErrorBody {
  if (!value || typeof value !== 'object' || !('error' in value)) return false;
  const e = (value as { error: unknown }).error;
  return !!e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string';
}

// ---- HTTP calls ------------------------------------------------------------------------------------

export interface ApiRequest {
  url: string;
  init: RequestInit & { headers: Record<string, string>; body: string };
}

/** The request for one call: `POST <origin>/api/<method>` with the input as JSON (`{}` when there is none). */
export function buildApiRequest(origin: string, method: string, input: unknown, token: string | null): ApiRequest {
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    Accept: 'application/json',
  };
  if (token) headers.Authorization = `Bearer ${token}`;
  return {
    url: `${origin.replace(/\/+$/, '')}/api/${encodeURIComponent(method)}`,
    init: {
      method: 'POST',
      headers,
      body: JSON.stringify(input === undefined ? {} : input),
      credentials: 'same-origin',
      cache: 'no-store',
    },
  };
}

/** Turns a fetch Response into the result, or throws an ApiCallError with the server's message. */
export async function readApiResponse(method: string, res: Response): Promise<unknown> {
  let text = '';
  try {
    text = await res.text();
  } catch (cause) {
    throw new ApiCallError(method, 'network', `The connection dropped while reading the answer to ${method}.`, {
      status: res.status,
      cause,
    });
  }
  let body: unknown = undefined;
  let parsed = false;
  if (text.length > 0) {
    try {
      body = JSON.parse(text);
      parsed = true;
    } catch {
      parsed = false;
    }
  }
  if (res.ok) {
    if (text.length === 0) return undefined;
    if (!parsed) {
      throw new ApiCallError(method, 'http', `The server's answer to ${method} was not JSON.`, { status: res.status });
    }
    return body;
  }
  if (parsed && isErrorBody(body)) {
    const { code, message, issues } = body.error;
    throw new ApiCallError(method, typeof code === 'string' ? code : 'http', message, { issues, status: res.status });
  }
  if (res.status === 401 || res.status === 403) {
    throw new ApiCallError(
      method,
      'unauthorized',
      'This page is not signed in to the Winnow server. Open it again from the address `winnow serve` printed (it carries the access token).',
      { status: res.status },
    );
  }
  const statusText = res.statusText ? ` ${res.statusText}` : '';
  throw new ApiCallError(method, 'http', `The Winnow server answered ${method} with HTTP ${res.status}${statusText}.`, {
    status: res.status,
  });
}

// ---- auth token ------------------------------------------------------------------------------------

export const TOKEN_STORAGE_KEY = 'winnow.token';

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** The access token: from the page URL's `?token=` (and remembered for this tab), else the remembered one. */
export function resolveToken(search: string, storage: KeyValueStorage | null): string | null {
  const fromUrl = new URLSearchParams(search).get('token');
  if (fromUrl) {
    try {
      storage?.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // Storage can be disabled; the token still works for this page load and the cookie covers the rest.
    }
    return fromUrl;
  }
  try {
    return storage?.getItem(TOKEN_STORAGE_KEY) || null;
  } catch {
    return null;
  }
}

/** The page address without its `?token=` (so it does not linger in history or screenshots); null when absent. */
export function urlWithoutToken(href: string): string | null {
  const url = new URL(href);
  if (!url.searchParams.has('token')) return null;
  url.searchParams.delete('token');
  return url.toString();
}

/** `ws(s)://<host>/ws`, with `?token=` when one is known. */
export function pushSocketUrl(location: { protocol: string; host: string }, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}//${location.host}/ws${query}`;
}

// ---- pushed messages over a WebSocket ----------------------------------------------------------------

/** Connection to the push channel: `open` when messages flow, `reconnecting` while waiting to retry. */
export type ConnectionState = 'connecting' | 'open' | 'reconnecting';

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling to 10 s, with ±20 % jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(10_000, 500 * 2 ** Math.max(0, Math.min(attempt, 10)));
  const jitter = 1 + (random() * 0.4 - 0.2);
  return Math.round(base * jitter);
}

/** The parts of a browser WebSocket we use. */
export interface SocketLike {
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close(code?: number, reason?: string): void;
}

/** Parses one pushed message; null (and a console warning) for anything that is not a PushMessage. */
export function parsePushMessage(data: unknown): PushMessage | null {
  if (typeof data !== 'string') return null;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return null;
  }
  if (!value || typeof value !== 'object') return null;
  const m = value as Record<string, unknown>;
  if (m.channel === 'job.updated' && m.job && typeof m.job === 'object') return value as PushMessage;
  if (
    m.channel === 'job.event' &&
    typeof m.jobId === 'number' &&
    typeof m.seq === 'number' &&
    m.event &&
    typeof m.event === 'object'
  ) {
    return value as PushMessage;
  }
  return null;
}

export interface PushChannelOptions {
  url: string;
  createSocket: (url: string) => SocketLike;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  random?: () => number;
  log?: (message: string, detail?: unknown) => void;
}

/**
 * One WebSocket shared by all subscribers; opened with the first subscriber, closed with the last, and
 * reopened with backoff whenever it drops.
 */
export class PushChannel {
  private readonly listeners = new Set<(message: PushMessage) => void>();
  private readonly stateListeners = new Set<(state: ConnectionState, reconnected: boolean) => void>();
  private socket: SocketLike | null = null;
  private timer: unknown = null;
  private attempt = 0;
  private everOpened = false;
  private _state: ConnectionState = 'connecting';

  constructor(private readonly opts: PushChannelOptions) {}

  get state(): ConnectionState {
    return this._state;
  }

  subscribe(listener: (message: PushMessage) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && !this.socket && this.timer === null) this.connect();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  /** Called with every change of state; `reconnected` is true when the socket opens again after a drop. */
  onState(listener: (state: ConnectionState, reconnected: boolean) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: ConnectionState, reconnected = false): void {
    if (state === this._state && !reconnected) return;
    this._state = state;
    for (const l of [...this.stateListeners]) l(state, reconnected);
  }

  private connect(): void {
    this.timer = null;
    let socket: SocketLike;
    try {
      socket = this.opts.createSocket(this.opts.url);
    } catch (err) {
      this.opts.log?.('Could not open the push connection', err);
      this.scheduleReconnect();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      const reconnected = this.everOpened;
      this.everOpened = true;
      this.attempt = 0;
      this.setState('open', reconnected);
    };
    socket.onmessage = (ev) => {
      if (this.socket !== socket) return;
      const message = parsePushMessage(ev.data);
      if (!message) {
        this.opts.log?.('Ignored a pushed message that is not a PushMessage', ev.data);
        return;
      }
      for (const l of [...this.listeners]) {
        try {
          l(message);
        } catch (err) {
          this.opts.log?.('A push listener failed', err);
        }
      }
    };
    socket.onerror = () => {
      // A close event always follows; reconnect happens there.
    };
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      if (this.listeners.size > 0) this.scheduleReconnect();
    };
  }

  private scheduleReconnect(): void {
    this.setState(this.everOpened ? 'reconnecting' : 'connecting');
    const delay = backoffDelay(this.attempt, this.opts.random);
    this.attempt += 1;
    this.timer = this.opts.setTimer(() => this.connect(), delay);
  }

  private stop(): void {
    if (this.timer !== null) {
      this.opts.clearTimer(this.timer);
      this.timer = null;
    }
    const socket = this.socket;
    this.socket = null;
    if (socket) {
      socket.onclose = null;
      socket.onmessage = null;
      socket.close(1000, 'no subscribers');
    }
  }
}

// ---- the HTTP client -------------------------------------------------------------------------------

export interface HttpClientOptions {
  /** Where the API lives, e.g. `http://127.0.0.1:7777` (the page's own origin). */
  origin: string;
  token: string | null;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  push: PushChannel;
}

export function createHttpClient(opts: HttpClientOptions): WinnowClient {
  return {
    transport: 'http',
    async call<M extends ApiMethod>(method: M, input?: ApiInput<M>): Promise<ApiOutput<M>> {
      const req = buildApiRequest(opts.origin, method, input, opts.token);
      let res: Response;
      try {
        res = await opts.fetch(req.url, req.init);
      } catch (cause) {
        throw new ApiCallError(
          method,
          'network',
          'Cannot reach the Winnow server. Check that `winnow serve` is still running, then try again.',
          { cause },
        );
      }
      return (await readApiResponse(method, res)) as ApiOutput<M>;
    },
    subscribe(listener) {
      return opts.push.subscribe(listener);
    },
  };
}

// ---- picking the client ----------------------------------------------------------------------------

/** The client plus what the status bar shows about its connection. */
export interface ClientHandle {
  client: WinnowClient;
  connectionState(): ConnectionState;
  /** `reconnected` is true when pushes flow again after a drop (re-fetch what may have been missed). */
  onConnectionChange(listener: (state: ConnectionState, reconnected: boolean) => void): () => void;
}

export interface BrowserEnvironment {
  winnow?: WinnowClient | undefined;
  location: { protocol: string; host: string; origin: string; search: string; href: string };
  history?: { replaceState(data: unknown, unused: string, url?: string | null): void } | undefined;
  sessionStorage?: KeyValueStorage | undefined;
  fetch: (url: string, init: RequestInit) => Promise<Response>;
  WebSocket: new (url: string) => SocketLike;
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
  console?: { warn(...args: unknown[]): void } | undefined;
}

/** Uses `window.winnow` when the Electron preload provides it; otherwise builds the HTTP client. */
export function pickClient(env: BrowserEnvironment): ClientHandle {
  if (env.winnow) {
    const client = env.winnow;
    return {
      client,
      connectionState: () => 'open',
      onConnectionChange: () => () => undefined,
    };
  }
  let storage: KeyValueStorage | null = null;
  try {
    storage = env.sessionStorage ?? null;
  } catch {
    storage = null;
  }
  const token = resolveToken(env.location.search, storage);
  const clean = urlWithoutToken(env.location.href);
  if (clean && env.history) {
    try {
      env.history.replaceState(null, '', clean);
    } catch {
      // Not fatal: the token merely stays visible in the address bar.
    }
  }
  const push = new PushChannel({
    url: pushSocketUrl(env.location, token),
    createSocket: (url) => new env.WebSocket(url),
    setTimer: (fn, ms) => env.setTimeout(fn, ms),
    clearTimer: (h) => env.clearTimeout(h),
    log: (message, detail) => env.console?.warn(`[winnow] ${message}`, detail),
  });
  const client = createHttpClient({ origin: env.location.origin, token, fetch: env.fetch, push });
  return {
    client,
    connectionState: () => push.state,
    onConnectionChange: (listener) => push.onState(listener),
  };
}
