// Lints TypeScript (Svelte components are checked by svelte-check; their imports by
// scripts/check-svelte-imports.mjs). The import rules encode the layering
// of ARCHITECTURE.md so a crossing fails `npm test`, not a code review.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { NODE_IMPORTS as nodeImports, RENDERER_FORBIDDEN, RENDERER_RULE_MESSAGE } from './scripts/layering.mjs';

const ELECTRON_ONLY_IN_APP = { name: 'electron', message: 'Only main/app/ may import electron.' };

export default tseslint.config(
  {
    ignores: ['dist/**', 'release/**', 'build/**', 'node_modules/**', 'test-results/**', 'coverage/**', '**/*.svelte'],
  },
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
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/main/**', '**/renderer/**', 'electron', ...nodeImports],
              message: 'shared/ imports nothing from main/, renderer/ or Node.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: RENDERER_FORBIDDEN,
              message: RENDERER_RULE_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  // main/ blocks go from general to particular: for a file several blocks match, the last one's
  // no-restricted-imports is the one that applies, so each particular block repeats the general rule
  {
    files: ['main/**/*.ts'],
    ignores: ['main/app/**'],
    rules: {
      'no-restricted-imports': ['error', { paths: [ELECTRON_ONLY_IN_APP] }],
    },
  },
  {
    files: ['main/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [ELECTRON_ONLY_IN_APP],
          patterns: [
            {
              group: [
                'better-sqlite3',
                '**/store/**',
                '**/app/**',
                '**/web/**',
                '**/api/**',
                '**/supervisor/**',
                '**/cli/**',
                '**/jobs/kind*',
                '**/jobs/registry*',
              ],
              message:
                'The engine receives data and emits events: no Electron, store, transports, API or job registry.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['main/jobs/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        // a kind may name its CLI lines (main/cli/<kind>.ts: pure formatting), not the commands that find it
        {
          paths: [ELECTRON_ONLY_IN_APP],
          patterns: [
            {
              group: ['**/app/**', '**/web/**', '**/cli/commands/**', '**/cli/index*', '**/cli/run*', '**/cli/args*'],
              message:
                'A job kind is transport-free: the app, the server and the CLI commands find it through the registry.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['scripts/**/*.{js,mjs}', 'bin/**/*.mjs', 'test/**/*.ts'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: { 'no-console': 'off' },
  },
);
