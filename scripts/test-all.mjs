// `npm test`: every stage one after another (stopping at the first failure), with a heartbeat line whenever a stage
// has printed nothing for HEARTBEAT_SECONDS (tsc, a long integration file and the e2e start-up are silent for
// minutes); the last stage adds up the test counts, then each stage's time is printed.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

// WINNOW_TEST_STAGES and WINNOW_HEARTBEAT_SECONDS exist for this script's own test (test/unit/test-all.test.ts).
const DEFAULT_STAGES = [
  'typecheck',
  'lint',
  'build',
  'test:unit',
  'test:integration',
  'test:faults',
  'test:e2e',
  'test:backend',
  'test:security',
  'test:summary',
];
const STAGES = process.env['WINNOW_TEST_STAGES']?.split(',') ?? DEFAULT_STAGES;
const HEARTBEAT_SECONDS = Number(process.env['WINNOW_HEARTBEAT_SECONDS'] ?? 50);

/** "3 min 05 s" / "42 s". */
function duration(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/** Runs `npm run <stage>`, passing its output through; resolves to its exit code. */
function runStage(stage, beat) {
  return new Promise((resolve) => {
    const started = Date.now();
    let lastOutput = Date.now();
    const child = spawn('npm', ['run', stage], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pass = (to) => (chunk) => {
      lastOutput = Date.now();
      to.write(chunk);
    };
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    const timer = setInterval(() => {
      if (Date.now() - lastOutput < beat * 1000) return;
      lastOutput = Date.now();
      process.stdout.write(`· ${stage}: still running, ${duration((Date.now() - started) / 1000)} so far\n`);
    }, 1000);
    child.on('close', (code, signal) => {
      clearInterval(timer);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

async function main() {
  const times = [];
  const t0 = Date.now();
  let failed = null;
  for (const stage of STAGES) {
    const t = Date.now();
    const code = await runStage(stage, HEARTBEAT_SECONDS);
    times.push({ stage, seconds: Math.round((Date.now() - t) / 1000) });
    if (code !== 0) {
      failed = { stage, code };
      break;
    }
  }
  const total = (Date.now() - t0) / 1000;
  fs.mkdirSync('test-results', { recursive: true });
  fs.writeFileSync('test-results/stages.json', JSON.stringify({ stages: times, seconds: Math.round(total) }, null, 2));
  console.log(
    `\nstages: ${times.map((s) => `${s.stage} ${duration(s.seconds)}`).join(', ')}; in all ${duration(total)}`,
  );
  if (failed) {
    console.log(`npm test stopped: the ${failed.stage} stage failed (exit code ${failed.code}); its output is above.`);
    process.exit(failed.code);
  }
}

await main();
