// The renderer's import boundary, in one place: eslint.config.js applies it to renderer/**/*.ts and
// scripts/check-svelte-imports.mjs to the .svelte components (ESLint does not parse those here).
const NODE_BUILTINS = [
  'fs',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'crypto',
  'worker_threads',
  'module',
  'url',
  'util',
  'events',
  'stream',
];
export const NODE_IMPORTS = [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`), 'node:*'];

/** Import patterns (gitignore-style, as ESLint's no-restricted-imports takes them) the renderer may not use. */
export const RENDERER_FORBIDDEN = [
  '**/main/**',
  'electron',
  'better-sqlite3',
  'sharp',
  '@tensorflow/tfjs-node*',
  ...NODE_IMPORTS,
];
export const RENDERER_RULE_MESSAGE = 'renderer/ talks only to window.winnow and shared/.';
