import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PushMessage } from '../../shared/jobs.js';
import { ApiError } from '../../main/api/errors.js';
import type { ApiDispatcher } from '../../main/api/types.js';
import { isLoopbackHost, startWebServer, type RunningWebServer } from '../../main/web/server.js';
import { tempDir } from '../helpers/tmp.js';

let server: RunningWebServer;
let cleanup: () => void;
let listeners: Array<(m: PushMessage) => void> = [];
const calls: Array<{ method: string; input: unknown }> = [];

const fakeApi: ApiDispatcher = {
  async dispatch(method, input) {
    calls.push({ method, input });
    if (method === 'boom') throw new ApiError('conflict', 'It is busy.');
    return { echoed: method, input: input ?? null };
  },
  subscribe(l) {
    listeners.push(l);
    return () => (listeners = listeners.filter((x) => x !== l));
  },
};

beforeEach(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  const ui = path.join(t.dir, 'ui');
  fs.mkdirSync(path.join(ui, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(ui, 'index.html'), '<!doctype html><title>Winnow</title>');
  fs.writeFileSync(path.join(ui, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(t.dir, 'secret.txt'), 'nope');
  server = await startWebServer({ api: fakeApi, staticDir: ui, host: '127.0.0.1', port: 0, token: 'tok3n' });
});
afterEach(async () => {
  await server.close();
  cleanup();
});

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(
  pathname: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: server.port, path: pathname, method: opts.method ?? 'GET', headers: opts.headers },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

const json = { 'Content-Type': 'application/json' };

describe('winnow serve HTTP transport', () => {
  it('prints a loopback URL that carries the token', () => {
    expect(server.urlWithToken).toBe(`http://127.0.0.1:${server.port}/?token=tok3n`);
  });

  it('answers 401 to every request without the token', async () => {
    expect((await request('/')).status).toBe(401);
    expect((await request('/assets/app.js')).status).toBe(401);
    const api = await request('/api/system.info', { method: 'POST', headers: json, body: '{}' });
    expect(api.status).toBe(401);
    expect(JSON.parse(api.body).error.code).toBe('unauthorized');
    expect(
      (
        await request('/api/system.info', {
          method: 'POST',
          headers: { ...json, Authorization: 'Bearer wrong' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    expect(calls).toHaveLength(0);
  });

  it('turns ?token into an HttpOnly SameSite=Strict cookie and drops it from the URL', async () => {
    const first = await request('/?token=tok3n');
    expect(first.status).toBe(303);
    expect(first.headers.location).toBe('/');
    expect(first.headers['set-cookie']?.[0]).toMatch(/^winnow_token=tok3n; HttpOnly; SameSite=Strict; Path=\//);
    const page = await request('/', { headers: { Cookie: 'winnow_token=tok3n' } });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['content-security-policy']).toContain(`ws://127.0.0.1:${server.port}`);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
  });

  it('calls the API with a bearer token and maps errors to status codes', async () => {
    const auth = { ...json, Authorization: 'Bearer tok3n' };
    const ok = await request('/api/jobs.list', { method: 'POST', headers: auth, body: '{"limit":3}' });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ echoed: 'jobs.list', input: { limit: 3 } });
    const conflict = await request('/api/boom', { method: 'POST', headers: auth, body: '' });
    expect(conflict.status).toBe(409);
    expect(JSON.parse(conflict.body).error).toEqual({ code: 'conflict', message: 'It is busy.' });
    expect((await request('/api/jobs.list', { method: 'POST', headers: auth, body: '{oops' })).status).toBe(400);
    expect((await request('/api/jobs.list', { method: 'GET', headers: auth })).status).toBe(405);
    // a form post (no JSON content type) could come cross-site: refused
    expect(
      (
        await request('/api/jobs.list', {
          method: 'POST',
          headers: { Authorization: 'Bearer tok3n', 'Content-Type': 'text/plain' },
          body: '{}',
        })
      ).status,
    ).toBe(415);
  });

  it('refuses other Host names (DNS rebinding) and paths outside the UI folder', async () => {
    expect(
      (await request('/', { headers: { Host: `evil.example:${server.port}`, Cookie: 'winnow_token=tok3n' } })).status,
    ).toBe(421);
    expect((await request('/../secret.txt', { headers: { Cookie: 'winnow_token=tok3n' } })).status).toBe(404);
    expect((await request('/%2e%2e/secret.txt', { headers: { Cookie: 'winnow_token=tok3n' } })).status).toBe(404);
    expect((await request('/assets/app.js', { headers: { Cookie: 'winnow_token=tok3n' } })).status).toBe(200);
  });

  it('pushes messages over an authenticated WebSocket only', async () => {
    const bad = new WebSocket(`ws://127.0.0.1:${server.port}/ws`);
    await expect(
      new Promise((resolve, reject) => (bad.on('open', resolve), bad.on('error', reject))),
    ).rejects.toThrow();
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=tok3n`);
    await new Promise((r) => ws.on('open', r));
    const got = new Promise<string>((r) => ws.on('message', (d) => r(String(d))));
    const msg: PushMessage = {
      channel: 'job.event',
      jobId: 1,
      seq: 1,
      ts: 1,
      event: { type: 'log', level: 'info', message: 'hi' },
    };
    listeners.forEach((l) => l(msg));
    expect(JSON.parse(await got)).toEqual(msg);
    ws.close();
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback names', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', 'localhost', '::1']) expect(isLoopbackHost(h)).toBe(true);
    for (const h of ['0.0.0.0', '192.168.1.4', 'example.com', '::']) expect(isLoopbackHost(h)).toBe(false);
  });
});
