/**
 * The security-relevant settings of Winnow's window, as plain data: no 'electron' import, so a unit test can
 * import this file and assert every flag (test/unit/electron-security.test.ts) and Electronegativity can read it.
 */

import { CSP_DIRECTIVES, contentSecurityPolicy } from '../../shared/csp.js';

/** The custom scheme and host the renderer is served from (see main.ts: `app://winnow/index.html`). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'winnow';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** Content Security Policy for every response the window receives (shared/csp.ts, also used by `winnow serve`). */
export { CSP_DIRECTIVES };
export const CONTENT_SECURITY_POLICY: string = contentSecurityPolicy();

/** The subset of Electron's WebPreferences this app sets (kept structural so no electron import is needed). */
export interface WinnowWebPreferences {
  preload: string;
  contextIsolation: true;
  sandbox: true;
  nodeIntegration: false;
  nodeIntegrationInWorker: false;
  nodeIntegrationInSubFrames: false;
  webviewTag: false;
  webSecurity: true;
  allowRunningInsecureContent: false;
  experimentalFeatures: false;
  spellcheck: false;
  safeDialogs: true;
  navigateOnDragDrop: false;
}

export function windowWebPreferences(preloadPath: string): WinnowWebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    spellcheck: false,
    safeDialogs: true,
    navigateOnDragDrop: false,
  };
}

export interface WinnowWindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: false;
  backgroundColor: string;
  webPreferences: WinnowWebPreferences;
}

export function windowOptions(preloadPath: string): WinnowWindowOptions {
  return {
    width: 1280,
    height: 840,
    minWidth: 900,
    minHeight: 600,
    title: 'Winnow',
    // Shown on 'ready-to-show' so the user never sees an empty white frame.
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: windowWebPreferences(preloadPath),
  };
}
