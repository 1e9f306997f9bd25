import { describe, expect, it, vi } from 'vitest';
import type { WinnowClient } from '../../shared/api.js';
import type { PushMessage } from '../../shared/jobs.js';
import {
  ApiCallError,
  PushChannel,
  TOKEN_STORAGE_KEY,
  backoffDelay,
  buildApiRequest,
  createHttpClient,
  errorCode,
  errorMessage,
  parsePushMessage,
  pickClient,
  pushSocketUrl,
  readApiResponse,
  resolveToken,
  urlWithoutToken,
  type BrowserEnvironment,
  type SocketLike,
} from '../../renderer/src/lib/client.js';

const json = (status: number, body: unknown, statusText = ''): Response =>
  new Response(JSON.stringify(body), { status, statusText, headers: { 'Content-Type': 'application/json' } });

class MemoryStorage {
  map = new Map<string, string>();
  getItem(k: string) {
    return this.map.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.map.set(k, v);
  }
}

class FakeSocket implements SocketLike {
  static all: FakeSocket[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: unknown) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  closed = false;
  constructor(public url: string) {
    FakeSocket.all.push(this);
  }
  close() {
    this.closed = true;
  }
  open() {
    this.onopen?.({});
  }
  drop() {
    this.onerror?.({});
    this.onclose?.({});
  }
  send(message: unknown) {
    this.onmessage?.({ data: typeof message === 'string' ? message : JSON.stringify(message) });
  }
}

const sampleJob = {
  id: 3,
  kind: 'selftest' as const,
  state: 'running' as const,
  params: {},
  createdAt: 1,
  startedAt: 2,
  endedAt: null,
  progress: { fraction: 0.5 },
  message: null,
  result: null,
  attempts: 1,
};

describe('buildApiRequest', () => {
  it('POSTs JSON to /api/<method> with same-origin credentials', () => {
    const req = buildApiRequest('http://127.0.0.1:7777/', 'jobs.get', { id: 4 }, null);
    expect(req.url).toBe('http://127.0.0.1:7777/api/jobs.get');
    expect(req.init.method).toBe('POST');
    expect(req.init.credentials).toBe('same-origin');
    expect(req.init.headers['Content-Type']).toBe('application/json');
    expect(req.init.headers.Authorization).toBeUndefined();
    expect(JSON.parse(req.init.body)).toEqual({ id: 4 });
  });
  it('sends {} when there is no input, and the bearer token when known', () => {
    const req = buildApiRequest('http://h', 'system.info', undefined, 'abc');
    expect(req.init.body).toBe('{}');
    expect(req.init.headers.Authorization).toBe('Bearer abc');
  });
});

describe('readApiResponse', () => {
  it('returns the JSON result of a 200', async () => {
    await expect(readApiResponse('jobs.list', json(200, [1, 2]))).resolves.toEqual([1, 2]);
  });
  it("throws the server's message and keeps its code and issues", async () => {
    const res = json(409, { error: { code: 'conflict', message: 'Job #3 is already finished.', issues: ['x'] } });
    const err = await readApiResponse('jobs.cancel', res).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiCallError);
    expect((err as ApiCallError).message).toBe('Job #3 is already finished.');
    expect((err as ApiCallError).code).toBe('conflict');
    expect((err as ApiCallError).status).toBe(409);
    expect((err as ApiCallError).issues).toEqual(['x']);
    expect((err as ApiCallError).method).toBe('jobs.cancel');
  });
  it('explains a 401 without a body and any other non-JSON failure', async () => {
    const e401 = (await readApiResponse('x', new Response('nope', { status: 401 })).catch(
      (e: unknown) => e,
    )) as ApiCallError;
    expect(e401.code).toBe('unauthorized');
    expect(e401.message).toMatch(/winnow serve/);
    const e502 = (await readApiResponse('x', new Response('<html>', { status: 502, statusText: 'Bad Gateway' })).catch(
      (e: unknown) => e,
    )) as ApiCallError;
    expect(e502.code).toBe('http');
    expect(e502.message).toContain('HTTP 502 Bad Gateway');
  });
});

describe('createHttpClient', () => {
  const push = new PushChannel({
    url: 'ws://h/ws',
    createSocket: (u) => new FakeSocket(u),
    setTimer: () => 0,
    clearTimer: () => undefined,
  });
  it('calls fetch with the built request', async () => {
    const fetch = vi.fn(async () => json(200, { backend: 'wasm' }));
    const client = createHttpClient({ origin: 'http://h:1', token: 't', fetch, push });
    await expect(client.call('settings.get')).resolves.toEqual({ backend: 'wasm' });
    expect(fetch).toHaveBeenCalledWith(
      'http://h:1/api/settings.get',
      expect.objectContaining({ method: 'POST', body: '{}' }),
    );
    expect(client.transport).toBe('http');
  });
  it('turns a network failure into a readable error', async () => {
    const client = createHttpClient({
      origin: 'http://h:1',
      token: null,
      fetch: async () => {
        throw new TypeError('Failed to fetch');
      },
      push,
    });
    const err = (await client.call('jobs.list').catch((e: unknown) => e)) as ApiCallError;
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/Cannot reach the Winnow server/);
  });
});

describe('token handling', () => {
  it('takes the token from the URL and remembers it for the tab', () => {
    const s = new MemoryStorage();
    expect(resolveToken('?token=abc&x=1', s)).toBe('abc');
    expect(s.getItem(TOKEN_STORAGE_KEY)).toBe('abc');
    expect(resolveToken('', s)).toBe('abc');
    expect(resolveToken('', new MemoryStorage())).toBeNull();
    expect(resolveToken('', null)).toBeNull();
  });
  it('strips the token from the address, keeping the hash', () => {
    expect(urlWithoutToken('http://h:1/?token=abc#/runs/3')).toBe('http://h:1/#/runs/3');
    expect(urlWithoutToken('http://h:1/#/runs')).toBeNull();
  });
  it('builds the push socket URL', () => {
    expect(pushSocketUrl({ protocol: 'http:', host: '127.0.0.1:7777' }, null)).toBe('ws://127.0.0.1:7777/ws');
    expect(pushSocketUrl({ protocol: 'https:', host: 'h' }, 'a b')).toBe('wss://h/ws?token=a%20b');
  });
});

describe('errorMessage / errorCode', () => {
  it("strips Electron's IPC wrapper", () => {
    expect(errorMessage(new Error("Error invoking remote method 'winnow:call': Error: Job #9 not found."))).toBe(
      'Job #9 not found.',
    );
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(new Error(''))).toMatch(/no reason/);
    expect(errorCode(new ApiCallError('m', 'conflict', 'x'))).toBe('conflict');
    expect(errorCode(new Error('x'))).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('doubles from 0.5 s up to 10 s', () => {
    const mid = () => 0.5; // no jitter
    expect([0, 1, 2, 3, 4, 5, 6, 20].map((a) => backoffDelay(a, mid))).toEqual([
      500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000,
    ]);
  });
  it('jitters within ±20 %', () => {
    expect(backoffDelay(0, () => 0)).toBe(400);
    expect(backoffDelay(0, () => 1)).toBe(600);
  });
});

describe('parsePushMessage', () => {
  it('accepts both channels and rejects anything else', () => {
    const updated = { channel: 'job.updated', job: sampleJob };
    expect(parsePushMessage(JSON.stringify(updated))).toEqual(updated);
    const ev = { channel: 'job.event', jobId: 3, seq: 5, ts: 9, event: { type: 'log', level: 'info', message: 'hi' } };
    expect(parsePushMessage(JSON.stringify(ev))).toEqual(ev);
    expect(parsePushMessage('not json')).toBeNull();
    expect(parsePushMessage(JSON.stringify({ channel: 'other' }))).toBeNull();
    expect(parsePushMessage(new ArrayBuffer(2))).toBeNull();
  });
});

describe('PushChannel', () => {
  function setup() {
    FakeSocket.all = [];
    const timers: { fn: () => void; ms: number; cleared: boolean }[] = [];
    const channel = new PushChannel({
      url: 'ws://h/ws?token=t',
      createSocket: (u) => new FakeSocket(u),
      setTimer: (fn, ms) => {
        const t = { fn, ms, cleared: false };
        timers.push(t);
        return t;
      },
      clearTimer: (h) => {
        (h as { cleared: boolean }).cleared = true;
      },
      random: () => 0.5,
    });
    const states: string[] = [];
    channel.onState((s, reconnected) => states.push(reconnected ? `${s}*` : s));
    return { channel, timers, states };
  }

  it('connects on first subscribe, delivers messages, and closes with the last subscriber', () => {
    const { channel, states } = setup();
    expect(FakeSocket.all).toHaveLength(0);
    const got: PushMessage[] = [];
    const off = channel.subscribe((m) => got.push(m));
    const off2 = channel.subscribe(() => undefined);
    expect(FakeSocket.all).toHaveLength(1);
    expect(FakeSocket.all[0]!.url).toBe('ws://h/ws?token=t');
    FakeSocket.all[0]!.open();
    expect(channel.state).toBe('open');
    FakeSocket.all[0]!.send({ channel: 'job.updated', job: sampleJob });
    FakeSocket.all[0]!.send('garbage');
    expect(got).toHaveLength(1);
    off();
    expect(FakeSocket.all[0]!.closed).toBe(false);
    off2();
    expect(FakeSocket.all[0]!.closed).toBe(true);
    expect(states).toEqual(['open']);
  });

  it('reconnects with growing delays and reports reconnecting, then open again', () => {
    const { channel, timers, states } = setup();
    channel.subscribe(() => undefined);
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.drop();
    expect(channel.state).toBe('reconnecting');
    expect(timers.map((t) => t.ms)).toEqual([500]);
    timers[0]!.fn();
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1]!.drop(); // failed attempt
    expect(timers.map((t) => t.ms)).toEqual([500, 1000]);
    timers[1]!.fn();
    FakeSocket.all[2]!.open();
    expect(channel.state).toBe('open');
    expect(states).toEqual(['open', 'reconnecting', 'open*']);
    // A later drop starts from the short delay again.
    FakeSocket.all[2]!.drop();
    expect(timers[2]!.ms).toBe(500);
  });

  it('stops retrying when the last subscriber leaves', () => {
    const { channel, timers } = setup();
    const off = channel.subscribe(() => undefined);
    FakeSocket.all[0]!.drop();
    expect(channel.state).toBe('connecting');
    off();
    expect(timers[0]!.cleared).toBe(true);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const { channel } = setup();
    const got: number[] = [];
    channel.subscribe(() => {
      throw new Error('boom');
    });
    channel.subscribe(() => got.push(1));
    FakeSocket.all[0]!.open();
    FakeSocket.all[0]!.send({ channel: 'job.updated', job: sampleJob });
    expect(got).toEqual([1]);
  });
});

describe('pickClient', () => {
  function env(over: Partial<BrowserEnvironment> = {}): BrowserEnvironment {
    return {
      location: {
        protocol: 'http:',
        host: '127.0.0.1:7777',
        origin: 'http://127.0.0.1:7777',
        search: '',
        href: 'http://127.0.0.1:7777/#/runs',
      },
      fetch: async () => json(200, {}),
      WebSocket: FakeSocket,
      setTimeout: () => 0,
      clearTimeout: () => undefined,
      ...over,
    };
  }

  it('uses window.winnow when the preload provides it', () => {
    const winnow: WinnowClient = {
      transport: 'electron',
      call: (async () => ({})) as WinnowClient['call'],
      subscribe: () => () => undefined,
    };
    const h = pickClient(env({ winnow }));
    expect(h.client).toBe(winnow);
    expect(h.connectionState()).toBe('open');
  });

  it('builds the HTTP client otherwise, with the token from the URL, and cleans the address bar', async () => {
    FakeSocket.all = [];
    const replaceState = vi.fn();
    const fetch = vi.fn(async () => json(200, []));
    const storage = new MemoryStorage();
    const h = pickClient(
      env({
        location: {
          protocol: 'http:',
          host: '127.0.0.1:7777',
          origin: 'http://127.0.0.1:7777',
          search: '?token=sekrit',
          href: 'http://127.0.0.1:7777/?token=sekrit#/settings',
        },
        history: { replaceState },
        sessionStorage: storage,
        fetch,
      }),
    );
    expect(h.client.transport).toBe('http');
    expect(replaceState).toHaveBeenCalledWith(null, '', 'http://127.0.0.1:7777/#/settings');
    expect(storage.getItem(TOKEN_STORAGE_KEY)).toBe('sekrit');
    await h.client.call('jobs.list');
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit & { headers: Record<string, string> }];
    expect(init.headers.Authorization).toBe('Bearer sekrit');
    h.client.subscribe(() => undefined);
    expect(FakeSocket.all[0]!.url).toBe('ws://127.0.0.1:7777/ws?token=sekrit');
  });
});
