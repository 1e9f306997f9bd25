import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  APP_ENTRY_URL,
  CONTENT_SECURITY_POLICY,
  windowOptions,
  windowWebPreferences,
} from '../../main/app/window-options.js';
import { PICK_PATH_CHANNEL, PickPathKindSchema, pickPathDialogOptions } from '../../main/app/pick-path.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function parseCsp(policy: string): Map<string, string[]> {
  const directives = new Map<string, string[]>();
  for (const part of policy.split(';')) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (!name) continue;
    expect(directives.has(name), `directive ${name} appears twice`).toBe(false);
    directives.set(name.toLowerCase(), sources);
  }
  return directives;
}

describe('window webPreferences', () => {
  it('isolate, sandbox and lock down the renderer', () => {
    const prefs = windowWebPreferences('/app/dist/main/preload.cjs');
    expect(prefs.preload).toBe('/app/dist/main/preload.cjs');
    // The expected values are written here, not imported: this list is the policy the window must keep.
    for (const on of ['contextIsolation', 'sandbox', 'webSecurity'] as const) expect(prefs[on], on).toBe(true);
    const off = [
      'nodeIntegration',
      'nodeIntegrationInWorker',
      'nodeIntegrationInSubFrames',
      'webviewTag',
      'allowRunningInsecureContent',
      'experimentalFeatures',
      'spellcheck',
    ] as const;
    for (const flag of off) expect(prefs[flag], flag).toBe(false);
    // Nothing that loosens security is present at all.
    for (const key of ['enableBlinkFeatures', 'additionalArguments', 'enableRemoteModule', 'disableDialogs']) {
      expect(prefs).not.toHaveProperty(key);
    }
  });

  it('window options use those preferences and stay hidden until ready', () => {
    const options = windowOptions('/p.cjs');
    expect(options.webPreferences).toEqual(windowWebPreferences('/p.cjs'));
    expect(options.title).toBe('Winnow');
    expect(options.show).toBe(false);
    expect(options.minWidth).toBeGreaterThan(0);
    expect(options.minHeight).toBeGreaterThan(0);
    expect(options.width).toBeGreaterThanOrEqual(options.minWidth);
    expect(options.height).toBeGreaterThanOrEqual(options.minHeight);
  });

  it('the page is served from the app scheme, not file:// or http', () => {
    expect(APP_ENTRY_URL).toBe('app://winnow/index.html');
  });
});

describe('content security policy', () => {
  const csp = parseCsp(CONTENT_SECURITY_POLICY);

  it('allows only the app itself to run script', () => {
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(csp.get('default-src')).toEqual(["'self'"]);
  });

  it('has no unsafe keywords anywhere', () => {
    expect(CONTENT_SECURITY_POLICY).not.toMatch(
      /unsafe-eval|unsafe-inline|unsafe-hashes|wasm-unsafe-eval|strict-dynamic/,
    );
  });

  it('names no remote host and no wildcard', () => {
    const allowedSources = new Set(["'self'", "'none'", 'data:', 'blob:']);
    for (const [name, sources] of csp) {
      for (const source of sources) {
        expect(allowedSources.has(source), `${name} allows ${source}`).toBe(true);
      }
    }
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/\*|https?:|wss?:|\/\//);
  });

  it('data: and blob: are allowed for images only', () => {
    for (const [name, sources] of csp) {
      if (name === 'img-src') continue;
      expect(sources, name).not.toContain('data:');
      expect(sources, name).not.toContain('blob:');
    }
  });

  it('blocks plugins, <base>, form posts and framing', () => {
    expect(csp.get('object-src')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(csp.get('connect-src')).toEqual(["'self'"]);
  });
});

// ---- layering: only main/app/ may import 'electron' -------------------------------------------------------

const SOURCE_EXT = /\.(?:[cm]?[jt]sx?|svelte)$/;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(full));
    else if (SOURCE_EXT.test(entry.name)) out.push(full);
  }
  return out;
}

/** Runtime and type imports of 'electron' or 'electron/…', however written (static, dynamic, require). */
const ELECTRON_IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|\bimport\s+)['"]electron(?:\/[^'"]*)?['"]/;

describe('layering', () => {
  it('the import pattern recognises every form', () => {
    for (const line of [
      "import { app } from 'electron';",
      'import type { WebContents } from "electron";',
      "const { ipcRenderer } = require('electron')",
      "await import('electron/main')",
      "import 'electron';",
    ]) {
      expect(ELECTRON_IMPORT.test(line), line).toBe(true);
    }
    expect(ELECTRON_IMPORT.test("import { x } from 'electron-builder';")).toBe(false);
    expect(ELECTRON_IMPORT.test("import { x } from './electron-helpers.js';")).toBe(false);
  });

  it("only files under main/app/ import 'electron'", () => {
    const files = ['main', 'shared', 'renderer'].flatMap((d) => sourceFiles(path.join(ROOT, d)));
    expect(files.length).toBeGreaterThan(0);
    const offenders = files
      .filter((f) => ELECTRON_IMPORT.test(readFileSync(f, 'utf8')))
      .map((f) => path.relative(ROOT, f).split(path.sep).join('/'))
      .filter((f) => !f.startsWith('main/app/'));
    expect(offenders).toEqual([]);
  });

  it('window-options.ts stays pure data (no electron import)', () => {
    const text = readFileSync(path.join(ROOT, 'main/app/window-options.ts'), 'utf8');
    expect(ELECTRON_IMPORT.test(text)).toBe(false);
  });

  it('the sandboxed preload loads nothing at runtime but electron', () => {
    const text = readFileSync(path.join(ROOT, 'main/app/preload.ts'), 'utf8');
    const runtimeImports = [...text.matchAll(/^\s*import\s+(?!type\b)[^;]*?from\s*['"]([^'"]+)['"]/gm)].map(
      (m) => m[1],
    );
    expect(runtimeImports).toEqual(['electron']);
    expect(text).not.toMatch(/\brequire\s*\(|\bimport\s*\(/);
    // Exposes exactly one global.
    expect([...text.matchAll(/exposeInMainWorld\(/g)]).toHaveLength(1);
    expect(text).not.toMatch(/exposeInMainWorld\([^)]*ipcRenderer\s*\)/);
  });
});

// ---- IPC: the channels the preload uses, and the checks main.ts makes on each ------------------------------

describe('IPC channels', () => {
  const preload = readFileSync(path.join(ROOT, 'main/app/preload.ts'), 'utf8');
  const main = readFileSync(path.join(ROOT, 'main/app/main.ts'), 'utf8');
  /** The string constants a file declares: `const NAME = 'value';`. */
  const constants = (text: string) =>
    new Map([...text.matchAll(/^const\s+([A-Z_]+)\s*=\s*'([^']*)';/gm)].map((m) => [m[1]!, m[2]!] as const));

  it('the preload uses exactly the call, push and pick-path channels', () => {
    const names = constants(preload);
    const used = [...preload.matchAll(/ipcRenderer\.(\w+)\(\s*([A-Z_]+)/g)].map(
      (m) => `${m[1]} ${names.get(m[2]!) ?? m[2]}`,
    );
    expect(used.sort()).toEqual(['invoke winnow:call', 'invoke winnow:pick-path', 'on winnow:push']);
    // the preload cannot import pick-path.ts at runtime: its copy of the channel name must match
    expect(names.get('PICK_PATH_CHANNEL')).toBe(PICK_PATH_CHANNEL);
    // nothing else of ipcRenderer is reachable (no send/sendSync, no raw ipcRenderer exposed)
    expect(preload).not.toMatch(/ipcRenderer\.(?:send|sendSync|sendTo|postMessage)\b/);
  });

  it('main.ts handles those invoke channels only, each checking the sender first', () => {
    const handles = [...main.matchAll(/ipcMain\.(\w+)\(\s*([A-Z_]+)/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(handles.sort()).toEqual(['handle CALL_CHANNEL', 'handle PICK_PATH_CHANNEL']);
    expect(constants(main).get('CALL_CHANNEL')).toBe('winnow:call');
    const bodies = [...main.matchAll(/ipcMain\.handle\(([\s\S]*?)\n {2}\}\);/g)].map((m) => m[1]!);
    expect(bodies).toHaveLength(2);
    for (const body of bodies) {
      const firstStatement = body.split('\n').find((l) => l.trim().startsWith('if'));
      expect(firstStatement, body).toMatch(/if \(!isTrustedSender\(event\)\)/);
    }
    expect(main).toMatch(/PickPathKindSchema\.safeParse\(kind\)/);
  });

  it('the picker opens one folder or one file, with a catch-all filter', () => {
    expect(PickPathKindSchema.safeParse('folder').success).toBe(true);
    expect(PickPathKindSchema.safeParse('file').success).toBe(true);
    for (const bad of ['openDirectory', '', null, 1, { kind: 'file' }])
      expect(PickPathKindSchema.safeParse(bad).success).toBe(false);

    const folder = pickPathDialogOptions('folder');
    expect(folder.properties).toContain('openDirectory');
    expect(folder.properties).not.toContain('openFile');
    expect(folder.filters).toBeUndefined();

    const file = pickPathDialogOptions('file');
    expect(file.properties).toContain('openFile');
    expect(file.properties).not.toContain('openDirectory');
    for (const o of [folder, file]) expect(o.properties).not.toContain('multiSelections');
    const extensions = new Set(file.filters?.flatMap((f) => f.extensions));
    for (const ext of ['csv', 'bin', 'gz', '*']) expect(extensions.has(ext), ext).toBe(true);
    expect(file.filters?.at(-1)).toEqual({ name: 'All files', extensions: ['*'] });
    for (const f of file.filters ?? []) for (const e of f.extensions) expect(e).not.toMatch(/^\./);
  });
});
