import { defineConfig } from 'vitest/config';

// The suites `npm test` runs one after another. unit, integration, faults and e2e pin the wasm backend (WINNOW_BACKEND):
// their seeded expectations were set there, and they must hold whether or not the native engine is set up. The
// backend suite runs the same code on the native tensorflow backend, against cpu and wasm, and skips (saying so)
// where `winnow setup tensorflow` has not been run.
const PIN_WASM = { WINNOW_BACKEND: 'wasm' };

/**
 * Every unit, integration and e2e file works in its own temporary data folder (and `serve` on port 0), so two files
 * at a time keep both cores of a 2-core machine busy through the waiting (process start-up, a browser, jobs handing
 * over). Each engine then gets one wasm thread (WINNOW_WASM_THREADS), so two do not fight over the cores: with two
 * threads each, two integration files only stretched each other (a compression study went past its 400 s limit);
 * with one, the integration suite took 265 s instead of 433 s and the unit suite 65 s instead of 116 s on an idle
 * 2-core machine. The faults files stay one at a time: they kill processes at moments they time.
 */
const FILES_AT_ONCE = { fileParallelism: true, maxWorkers: 2 } as const;
const ONE_WASM_THREAD = { ...PIN_WASM, WINNOW_WASM_THREADS: '1' };
/** Times a job against its estimate: another file running beside it would skew the one or the other. */
const E2E_TIMING = 'test/e2e/cost.test.ts';

/** tfjs advises installing its node backend the first time a test file uses the cpu backend; Winnow manages backends. */
const TFJS_NODE_ADVICE = 'looks like you are running TensorFlow.js in Node.js';

export default defineConfig({
  test: {
    onConsoleLog: (log) => !log.includes(TFJS_NODE_ADVICE),
    projects: [
      {
        test: {
          name: 'unit',
          sequence: { groupOrder: 0 },
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
          testTimeout: 30_000,
          env: ONE_WASM_THREAD,
          ...FILES_AT_ONCE,
        },
      },
      {
        test: {
          name: 'integration',
          sequence: { groupOrder: 1 },
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          testTimeout: 120_000,
          hookTimeout: 60_000,
          env: ONE_WASM_THREAD,
          ...FILES_AT_ONCE,
        },
      },
      {
        test: {
          // what happens to a data folder under faults: copies, damaged files, full disks, kills (runs the built CLI)
          name: 'faults',
          sequence: { groupOrder: 2 },
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
          sequence: { groupOrder: 3 },
          include: ['test/e2e/**/*.test.ts'],
          exclude: [E2E_TIMING],
          environment: 'node',
          testTimeout: 180_000,
          hookTimeout: 120_000,
          env: ONE_WASM_THREAD,
          ...FILES_AT_ONCE,
        },
      },
      {
        test: {
          // the e2e file that compares an estimate with the time a job took: alone, after the others (`test:e2e`)
          name: 'e2e-timing',
          sequence: { groupOrder: 4 },
          include: [E2E_TIMING],
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
          sequence: { groupOrder: 5 },
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
