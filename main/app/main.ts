/**
 * Electron main process: a thin transport. It owns the window, the preload, the menu, the IPC plumbing and
 * the engine worker's process; every API call goes to main/api (openHost) unchanged.
 *
 * The renderer is served from a privileged custom scheme, `app://winnow/…` (files under dist/renderer),
 * rather than file://: the page gets a real origin of its own (so CSP 'self' means "this app", not "any
 * local file"), the IPC sender check compares against that exact origin, and the CSP travels as a real
 * response header (webRequest hooks never fire for file:// or custom schemes, so the protocol handler sets
 * it itself; onHeadersReceived covers anything served over http(s)).
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  app,
  BrowserWindow,
  dialog,
  ipcMain,
  Menu,
  protocol,
  session,
  shell,
  utilityProcess,
  type IpcMainInvokeEvent,
  type MenuItemConstructorOptions,
  type Session,
  type WebContents,
} from 'electron';
import { openHost } from '../api/host.js';
import type { ApiDispatcher } from '../api/types.js';
import type { WorkerChannel, WorkerToHost } from '../engine/jobs/protocol.js';
import { resolveDataDir } from '../store/paths.js';
import type { ApiErrorBody, ApiErrorCode } from '../../shared/api.js';
import { PICK_PATH_CHANNEL, PickPathKindSchema, pickPathDialogOptions } from './pick-path.js';
import { APP_ENTRY_URL, APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY, windowOptions } from './window-options.js';

const CALL_CHANNEL = 'winnow:call';
const PUSH_CHANNEL = 'winnow:push';

// Bundled layout: dist/main/app.js, dist/main/preload.cjs, dist/main/worker.js, dist/renderer/index.html.
const HERE = path.dirname(fileURLToPath(import.meta.url));
const PRELOAD_PATH = path.join(HERE, 'preload.cjs');
const WORKER_PATH = path.join(HERE, 'worker.js');
const RENDERER_ROOT = path.resolve(HERE, '..', 'renderer');
/** better-sqlite3 built for Electron's ABI by scripts/start.mjs (development only). */
const DEV_NATIVE_BINDING = path.resolve(HERE, '..', '..', 'build', 'electron-native', 'better_sqlite3.node');

const log = (line: string): void => void process.stdout.write(`[winnow] ${line}\n`);
const logError = (...args: unknown[]): void => console.error('[winnow]', ...args);

// ---- before 'ready' (must run synchronously at load) ---------------------------------------------------

// One name everywhere (dev runs would otherwise use package.json's lower-case "winnow").
app.setName('Winnow');
app.setPath('userData', path.join(app.getPath('appData'), 'Winnow'));
app.enableSandbox();
protocol.registerSchemesAsPrivileged([
  {
    scheme: APP_SCHEME,
    // corsEnabled: Vite emits <script type="module" crossorigin>, a CORS-mode request even to our own origin.
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true, codeCache: true },
  },
]);

// ---- helpers -----------------------------------------------------------------------------------------

function isAppUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST;
  } catch {
    return false;
  }
}

function isWebUrl(raw: string): boolean {
  try {
    const { protocol: scheme } = new URL(raw);
    return scheme === 'https:' || scheme === 'http:';
  } catch {
    return false;
  }
}

function openInBrowser(url: string): void {
  if (!isWebUrl(url)) return;
  shell.openExternal(url).catch((error: unknown) => logError('could not open', url, error));
}

/** `--data-dir <dir>` or `--data-dir=<dir>` on the command line. */
function dataDirFlag(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--data-dir') return argv[i + 1];
    if (arg.startsWith('--data-dir=')) return arg.slice('--data-dir='.length);
  }
  return undefined;
}

function chooseDataDir(): string {
  const flag = dataDirFlag(process.argv);
  if (flag !== undefined || process.env.WINNOW_DATA_DIR) return resolveDataDir(flag);
  return app.getPath('userData');
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8',
};

/** Serves dist/renderer at app://winnow/, with the CSP as a response header. Nothing outside that folder. */
function registerAppProtocol(ses: Session): void {
  ses.protocol.handle(APP_SCHEME, async (request) => {
    const notFound = (): Response => new Response('Not found', { status: 404 });
    if (request.method !== 'GET' && request.method !== 'HEAD') return new Response(null, { status: 405 });
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return notFound();
    }
    if (url.host !== APP_HOST) return notFound();
    let pathname: string;
    try {
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return notFound();
    }
    // Client-side routes (no file extension) get the app shell.
    if (pathname === '/' || path.posix.extname(pathname) === '') pathname = '/index.html';
    const file = path.resolve(RENDERER_ROOT, `.${pathname}`);
    if (!file.startsWith(RENDERER_ROOT + path.sep)) return notFound();
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : new Uint8Array(body), {
        status: 200,
        headers: {
          'Content-Type': MIME[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Security-Policy': CONTENT_SECURITY_POLICY,
          'X-Content-Type-Options': 'nosniff',
          'Cache-Control': 'no-cache',
        },
      });
    } catch {
      return notFound();
    }
  });
}

function hardenSession(ses: Session): void {
  // The same CSP on every http(s) response (custom schemes get it from registerAppProtocol).
  ses.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
      },
    });
  });
  // Winnow needs no camera, microphone, notifications, geolocation, MIDI, … — deny every request.
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
}

/** Applied to every WebContents the app ever creates (the window, devtools, anything unexpected). */
function hardenWebContents(contents: WebContents): void {
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openInBrowser(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    if (isAppUrl(event.url)) return;
    event.preventDefault();
    openInBrowser(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
}

/** Only the top frame of our own page may call the API. */
function isTrustedSender(event: IpcMainInvokeEvent): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url);
}

const ERROR_CODES: readonly ApiErrorCode[] = ['bad_input', 'not_found', 'conflict', 'unauthorized', 'internal'];

/** An API failure as a plain object: Electron's IPC drops every field of an Error except its message. */
function toErrorBody(error: unknown): ApiErrorBody {
  const e = (error ?? {}) as { code?: unknown; message?: unknown; issues?: unknown; stack?: unknown };
  const code = ERROR_CODES.includes(e.code as ApiErrorCode) ? (e.code as ApiErrorCode) : 'internal';
  if (code === 'internal') logError('API call failed:', e.stack ?? error);
  const message =
    typeof e.message === 'string' && e.message !== ''
      ? e.message
      : 'Something went wrong inside Winnow; see the log for details.';
  const body: ApiErrorBody = { error: { code, message } };
  if (e.issues !== undefined) {
    try {
      body.error.issues = JSON.parse(JSON.stringify(e.issues)) as unknown;
    } catch {
      // issues that do not serialize are left out; the message still says what was wrong
    }
  }
  return body;
}

function registerIpc(api: ApiDispatcher): void {
  ipcMain.handle(CALL_CHANNEL, async (event, method: unknown, input: unknown) => {
    if (!isTrustedSender(event)) {
      logError('refused an API call from', event.senderFrame?.url ?? 'a destroyed frame');
      return toErrorBody({ code: 'unauthorized', message: 'Only the Winnow window may call the Winnow API.' });
    }
    if (typeof method !== 'string') {
      return toErrorBody({ code: 'bad_input', message: 'The API method name must be a string.' });
    }
    try {
      return { result: await api.dispatch(method, input) };
    } catch (error) {
      return toErrorBody(error);
    }
  });
  // The native picker (WinnowClient.pickPath): the chosen path, or null when the user cancels.
  ipcMain.handle(PICK_PATH_CHANNEL, async (event, kind: unknown) => {
    if (!isTrustedSender(event)) {
      logError('refused a file picker request from', event.senderFrame?.url ?? 'a destroyed frame');
      throw new Error('Only the Winnow window may open the file picker.');
    }
    const parsed = PickPathKindSchema.safeParse(kind);
    if (!parsed.success) throw new Error("The picker opens a 'folder' or a 'file'.");
    const options = pickPathDialogOptions(parsed.data);
    const owner = BrowserWindow.fromWebContents(event.sender);
    const picked = await (owner ? dialog.showOpenDialog(owner, options) : dialog.showOpenDialog(options));
    return picked.canceled ? null : (picked.filePaths[0] ?? null);
  });
}

function pipeLines(stream: NodeJS.ReadableStream | null | undefined, write: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', write);
}

/** The engine worker runs in an Electron utility process (a Node process Electron manages). */
function launchWorker(): WorkerChannel {
  const child = utilityProcess.fork(WORKER_PATH, [], { serviceName: 'Winnow engine', stdio: 'pipe' });
  pipeLines(child.stdout, (line) => void process.stdout.write(`[engine] ${line}\n`));
  pipeLines(child.stderr, (line) => console.error(`[engine] ${line}`));
  return {
    get pid() {
      return child.pid;
    },
    send(message) {
      child.postMessage(message);
    },
    onMessage(listener) {
      child.on('message', (message: unknown) => listener(message as WorkerToHost));
    },
    onExit(listener) {
      child.once('exit', (code: number) => listener({ code, signal: null }));
    },
    kill() {
      child.kill();
    },
  };
}

function buildMenu(dataDir: string): Menu {
  const template: MenuItemConstructorOptions[] = [
    ...(process.platform === 'darwin' ? [{ role: 'appMenu' } as MenuItemConstructorOptions] : []),
    { label: 'File', submenu: [{ role: 'quit' }] },
    // Without an Edit menu, copy/paste shortcuts do not work in text fields on macOS.
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    {
      role: 'help',
      submenu: [
        {
          label: 'About Winnow',
          click: () => {
            const owner = BrowserWindow.getFocusedWindow();
            const options = {
              type: 'info' as const,
              title: 'About Winnow',
              message: `Winnow ${app.getVersion()}`,
              detail:
                'Data-efficient neural architecture search and compression-robustness studies.\n\n' +
                `Electron ${process.versions.electron} · Chromium ${process.versions.chrome} · Node ${process.versions.node}\n` +
                `Data folder: ${dataDir}`,
            };
            void (owner ? dialog.showMessageBox(owner, options) : dialog.showMessageBox(options));
          },
        },
      ],
    },
  ];
  return Menu.buildFromTemplate(template);
}

// ---- lifecycle -----------------------------------------------------------------------------------------

let mainWindow: BrowserWindow | null = null;
let host: { api: ApiDispatcher; close(): Promise<void> } | null = null;

function createWindow(api: ApiDispatcher): BrowserWindow {
  const win = new BrowserWindow(windowOptions(PRELOAD_PATH));
  win.once('ready-to-show', () => win.show());
  const unsubscribe = api.subscribe((message) => {
    if (!win.isDestroyed() && !win.webContents.isDestroyed()) win.webContents.send(PUSH_CHANNEL, message);
  });
  win.on('closed', () => {
    unsubscribe();
    if (mainWindow === win) mainWindow = null;
  });
  win.webContents.on('render-process-gone', (_event, details) => logError('renderer gone:', details.reason));
  void win.loadURL(APP_ENTRY_URL);
  return win;
}

function focusWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.focus();
}

async function start(): Promise<void> {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', focusWindow);
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Stop the host (worker, store) before exiting: the job in flight is checkpointed or marked interrupted.
  app.on('will-quit', (event) => {
    if (!host) return;
    event.preventDefault();
    const closing = host;
    host = null;
    closing
      .close()
      .catch((error: unknown) => logError('shutdown:', error))
      .finally(() => app.quit());
  });

  await app.whenReady();
  hardenSession(session.defaultSession);
  registerAppProtocol(session.defaultSession);

  const dataDir = chooseDataDir();
  const nativeBinding = !app.isPackaged && existsSync(DEV_NATIVE_BINDING) ? DEV_NATIVE_BINDING : undefined;
  try {
    host = await openHost({
      dataDir,
      transport: 'electron',
      launcher: launchWorker,
      electronVersion: process.versions.electron ?? null,
      ...(nativeBinding ? { nativeBinding } : {}),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    logError('could not start:', error);
    dialog.showErrorBox('Winnow could not start', `${message}\n\nData folder: ${dataDir}`);
    app.exit(1);
    return;
  }
  log(`data folder ${dataDir}`);

  const api = host.api;
  registerIpc(api);
  Menu.setApplicationMenu(buildMenu(dataDir));
  mainWindow = createWindow(api);
  app.on('activate', () => {
    if (!mainWindow && host) mainWindow = createWindow(api);
  });
}

// Last, so every declaration above is initialised before start() runs.
if (app.requestSingleInstanceLock()) {
  void start();
} else {
  app.quit();
}
