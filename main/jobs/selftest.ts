/** Self-test: a few training steps of a small network, to check the backend and measure its speed. */
import { selftestHandler } from '../engine/jobs/selftest.js';
import { defineJobKind } from './kind.js';

export const selftestKind = defineJobKind({
  engine: selftestHandler,
  cli: { command: 'selftest', summary: 'train a tiny network for a few steps to check the engine and its speed' },
  ui: { label: 'Self-test', noun: 'self-test' },
});
