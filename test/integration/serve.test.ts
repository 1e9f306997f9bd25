import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { PushMessage } from '../../shared/jobs.js';
import { startServe } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir();
let serve: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  serve = await startServe(t.dir);
});
afterAll(async () => {
  await serve?.stop();
  t.cleanup();
});

describe('winnow serve (built, as a process)', () => {
  it('prints a 127.0.0.1 URL with a token; the page loads with it and the API refuses without it', async () => {
    const url = new URL(serve.url);
    expect(url.hostname).toBe('127.0.0.1');
    const token = url.searchParams.get('token')!;
    expect(token.length).toBeGreaterThanOrEqual(32);
    const page = await fetch(serve.url, { redirect: 'manual' });
    expect(page.status).toBe(303);
    const cookie = page.headers.get('set-cookie')!.split(';')[0]!;
    const index = await fetch(new URL('/', serve.url), { headers: { cookie } });
    expect(index.status).toBe(200);
    expect(await index.text()).toMatch(/<div id="app"|<body/);
    expect((await fetch(new URL('/', serve.url))).status).toBe(401);
    const denied = await fetch(new URL('/api/system.info', serve.url), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(denied.status).toBe(401);
  });

  it('runs a self-test through the API and pushes its progress over the WebSocket', async () => {
    const token = new URL(serve.url).searchParams.get('token')!;
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const ws = new WebSocket(`ws://127.0.0.1:${serve.port}/ws?token=${token}`);
    await new Promise((r) => ws.on('open', r));
    const pushes: PushMessage[] = [];
    ws.on('message', (d) => pushes.push(JSON.parse(String(d))));
    const started = await fetch(new URL('/api/jobs.start', serve.url), {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ kind: 'selftest', params: { steps: 4, batch: 8 } }),
    });
    expect(started.status).toBe(200);
    const job = (await started.json()) as { id: number };
    const end = Date.now() + 60_000;
    while (!pushes.some((p) => p.channel === 'job.updated' && p.job.id === job.id && p.job.state === 'done')) {
      if (Date.now() > end) throw new Error('no done push');
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(pushes.some((p) => p.channel === 'job.event' && p.event.type === 'progress')).toBe(true);
    ws.close();
    const info = (await (
      await fetch(new URL('/api/system.info', serve.url), { method: 'POST', headers: auth, body: '{}' })
    ).json()) as {
      transport: string;
      backend: { selected: string };
    };
    expect(info.transport).toBe('http');
    expect(info.backend.selected).toMatch(/wasm|tensorflow|cpu/);
  });
});
