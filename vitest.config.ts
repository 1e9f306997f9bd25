import { defineConfig } from 'vitest/config';

// The suites `npm test` runs one after another. unit, integration, faults and e2e pin the wasm backend (WINNOW_BACKEND):
// their seeded expectations were set there, and they must hold whether or not the native engine is set up. The
// backend suite runs the same code on the native tensorflow backend, against cpu and wasm, and skips (saying so)
// where `winnow setup tensorflow` has not been run.
const PIN_WASM = { WINNOW_BACKEND: 'wasm' };

/** tfjs advises installing its node backend the first time a test file uses the cpu backend; Winnow manages backends. */
const TFJS_NODE_ADVICE = 'looks like you are running TensorFlow.js in Node.js';

export default defineConfig({
  test: {
    onConsoleLog: (log) => !log.includes(TFJS_NODE_ADVICE),
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          env: PIN_WASM,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          env: PIN_WASM,
          // worker processes and tfjs make these heavy: two cores, run one file at a time
          fileParallelism: false,
        },
      },
      {
        test: {
          // what happens to a data folder under faults: copies, damaged files, full disks, kills (runs the built CLI)
          name: 'faults',
          include: ['test/faults/**/*.test.ts'],
          environment: 'node',
          env: PIN_WASM,
          testTimeout: 120_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          env: PIN_WASM,
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'backend',
          include: ['test/backend/**/*.test.ts'],
          environment: 'node',
          testTimeout: 240_000,
          hookTimeout: 120_000,
          globalSetup: ['test/backend/global-setup.ts'],
          env: { TF_CPP_MIN_LOG_LEVEL: '2' },
          fileParallelism: false,
        },
      },
    ],
  },
});
