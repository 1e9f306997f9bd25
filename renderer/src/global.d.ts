import type { WinnowClient } from '../../shared/api.js';

declare global {
  interface Window {
    /** Provided by the Electron preload; absent in browser mode. */
    winnow?: WinnowClient;
  }
}

export {};
