/**
 * The browser transport of `winnow serve`: the built renderer and the API over HTTP, pushes over a
 * WebSocket. Bound to loopback by default and protected by a random token: the printed URL carries it,
 * the first page load turns it into a SameSite=Strict HttpOnly cookie, and every request without it gets 401.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { contentSecurityPolicy } from '../../shared/csp.js';
import { ApiError, HTTP_STATUS } from '../api/errors.js';
import type { ApiDispatcher } from '../api/types.js';

export interface WebServerOptions {
  api: ApiDispatcher;
  /** Folder of the built renderer (dist/renderer). */
  staticDir: string;
  host: string;
  port: number;
  /** Defaults to 32 random bytes. */
  token?: string;
  /** Largest JSON body accepted, bytes. */
  maxBodyBytes?: number;
}

export interface RunningWebServer {
  url: string;
  /** The URL with the access token: the one to open. */
  urlWithToken: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const COOKIE = 'winnow_token';
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
export const isLoopbackHost = (host: string): boolean => LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}

function cookieToken(req: http.IncomingMessage): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return null;
}

function bearerToken(req: http.IncomingMessage): string | null {
  const h = req.headers.authorization;
  return h && h.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

export async function startWebServer(options: WebServerOptions): Promise<RunningWebServer> {
  const token = options.token ?? crypto.randomBytes(32).toString('base64url');
  const maxBody = options.maxBodyBytes ?? 1 << 20;
  const staticRoot = path.resolve(options.staticDir);
  if (!fs.existsSync(path.join(staticRoot, 'index.html'))) {
    throw new Error(
      `The UI is not built (${path.join(staticRoot, 'index.html')} is missing): run \`npm run build\` first.`,
    );
  }
  let port = options.port;
  // With an explicit non-loopback bind the user chose to be reachable by any name; the token still guards.
  const checkHost = isLoopbackHost(options.host);
  const hostAllowed = (host: string | undefined): boolean => !checkHost || allowedHosts().has(host ?? '');
  const allowedHosts = (): Set<string> => {
    const names = new Set([
      '127.0.0.1',
      'localhost',
      '[::1]',
      options.host.includes(':') ? `[${options.host}]` : options.host,
    ]);
    return new Set([...names].map((n) => `${n}:${port}`));
  };

  const authorized = (req: http.IncomingMessage, url: URL): boolean => {
    const given = bearerToken(req) ?? cookieToken(req) ?? url.searchParams.get('token');
    return given !== null && safeEqual(given, token);
  };

  const securityHeaders = (res: http.ServerResponse) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  };

  const sendJson = (res: http.ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  };

  const unauthorized = (res: http.ServerResponse, api: boolean) => {
    if (api)
      return sendJson(res, 401, {
        error: {
          code: 'unauthorized',
          message: 'Missing or wrong access token. Open the URL printed by `winnow serve`.',
        },
      });
    res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(
      'Winnow: this page needs its access token. Open the full URL that `winnow serve` printed (it ends in ?token=...).\n',
    );
  };

  async function readBody(req: http.IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > maxBody) throw new ApiError('bad_input', `Request body is larger than ${maxBody} bytes.`);
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString('utf8').trim();
    if (text === '') return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ApiError('bad_input', 'Request body is not valid JSON.');
    }
  }

  async function handleApi(req: http.IncomingMessage, res: http.ServerResponse, method: string) {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendJson(res, 405, { error: { code: 'bad_input', message: 'API calls use POST.' } });
    }
    // A JSON content type cannot be sent cross-site without a CORS preflight, which this server never grants.
    if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendJson(res, 415, {
        error: { code: 'bad_input', message: 'API calls need Content-Type: application/json.' },
      });
    }
    try {
      const input = await readBody(req);
      const result = await options.api.dispatch(method, input);
      sendJson(res, 200, result ?? null);
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('internal', e instanceof Error ? e.message : String(e));
      sendJson(res, HTTP_STATUS[err.code], {
        error: { code: err.code, message: err.message, ...(err.issues ? { issues: err.issues } : {}) },
      });
    }
  }

  function serveStatic(res: http.ServerResponse, pathname: string, wsOrigin: string) {
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    const file = path.resolve(staticRoot, '.' + rel);
    if (!file.startsWith(staticRoot + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found\n');
      return;
    }
    const ext = path.extname(file);
    const headers: Record<string, string> = { 'Content-Type': MIME[ext] ?? 'application/octet-stream' };
    if (ext === '.html') {
      headers['Content-Security-Policy'] = contentSecurityPolicy([wsOrigin]);
      headers['Cache-Control'] = 'no-store';
    }
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  }

  const server = http.createServer((req, res) => {
    securityHeaders(res);
    // DNS-rebinding guard: only answer requests addressed to this server by a loopback or the bound name.
    if (!hostAllowed(req.headers.host)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Misdirected request\n');
      return;
    }
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const isApi = url.pathname.startsWith('/api/');
    if (!authorized(req, url)) return unauthorized(res, isApi);
    if (url.searchParams.has('token')) {
      // First load: keep the token in a cookie and drop it from the address bar and history.
      res.setHeader('Set-Cookie', `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`);
      url.searchParams.delete('token');
      res.writeHead(303, { Location: url.pathname + url.search + url.hash }).end();
      return;
    }
    if (isApi) return void handleApi(req, res, url.pathname.slice('/api/'.length));
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    serveStatic(res, url.pathname, `ws://${req.headers.host}`);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  const sockets = new Set<WebSocket>();
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://${req.headers.host}`);
    const origin = req.headers.origin;
    const originOk = origin === undefined || origin.replace(/^https?:\/\//, '') === req.headers.host;
    if (url.pathname !== '/ws' || !hostAllowed(req.headers.host) || !originOk || !authorized(req, url)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
      ws.on('error', () => sockets.delete(ws));
    });
  });
  const unsubscribe = options.api.subscribe((message) => {
    const text = JSON.stringify(message);
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const hostInUrl = options.host.includes(':')
    ? `[${options.host}]`
    : options.host === '0.0.0.0'
      ? '127.0.0.1'
      : options.host;
  const base = `http://${hostInUrl}:${port}/`;
  return {
    url: base,
    urlWithToken: `${base}?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of sockets) ws.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
