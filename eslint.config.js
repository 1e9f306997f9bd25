// Lints TypeScript (Svelte components are checked by svelte-check). The import rules encode the layering
// of ARCHITECTURE.md so a crossing fails `npm test`, not a code review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const NODE_BUILTINS = ['fs', 'path', 'os', 'child_process', 'net', 'http', 'crypto', 'worker_threads', 'module', 'url', 'util', 'events', 'stream'];
const nodeImports = [...NODE_BUILTINS, ...NODE_BUILTINS.map((m) => `node:${m}`), 'node:*'];

export default tseslint.config(
  { ignores: ['dist/**', 'release/**', 'build/**', 'node_modules/**', 'test-results/**', 'coverage/**', '**/*.svelte'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['shared/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', '**/renderer/**', 'electron', ...nodeImports], message: 'shared/ imports nothing from main/, renderer/ or Node.' }] }],
    },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/main/**', 'electron', 'better-sqlite3', 'sharp', '@tensorflow/tfjs-node*', ...nodeImports], message: 'renderer/ talks only to window.winnow and shared/.' }] }],
    },
  },
  {
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['electron', 'better-sqlite3', '**/store/**', '**/app/**', '**/web/**', '**/api/**', '**/supervisor/**'], message: 'The engine receives data and emits events: no Electron, store, transports or API.' }] }],
    },
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'electron', message: 'Only main/app/ may import electron.' }] }],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bin/**/*.mjs', 'test/**/*.ts'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly' } },
    rules: { 'no-console': 'off' },
  },
);
