// `npm test`: every stage one after another (stopping at the first failure), with a heartbeat line whenever a stage
// has printed nothing for HEARTBEAT_SECONDS (tsc, a long integration file and the e2e start-up are silent for
// minutes); the last stage adds up the test counts, then each stage's time is printed.
//
// Stages joined by "+" run at the same time: typecheck (tsc) and lint (eslint) each use one core and read the same
// files, so on a 2-core machine together they take about as long as the slower one. Their output is held back and
// printed whole, one stage after the other, so it does not interleave.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { clearInterval, setInterval } from 'node:timers';

// WINNOW_TEST_STAGES and WINNOW_HEARTBEAT_SECONDS exist for this script's own test (test/unit/test-all.test.ts).
const DEFAULT_STAGES = [
  'typecheck+lint',
  'build',
  'test:unit',
  'test:integration',
  'test:faults',
  'test:e2e',
  'test:backend',
  'test:security',
  'test:summary',
];
const GROUPS = (process.env['WINNOW_TEST_STAGES']?.split(',') ?? DEFAULT_STAGES).map((g) => g.split('+'));
const HEARTBEAT_SECONDS = Number(process.env['WINNOW_HEARTBEAT_SECONDS'] ?? 50);

/** "3 min 05 s" / "42 s". */
function duration(seconds) {
  const s = Math.round(seconds);
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}

/**
 * Runs `npm run <stage>`; resolves to its exit code and seconds. Its output goes straight through, or, when `held`,
 * is kept and printed whole once it exits. `beat` is the heartbeat's clock: the last time anything was printed.
 */
function runStage(stage, held, beat) {
  return new Promise((resolve) => {
    const started = Date.now();
    const kept = [];
    const child = spawn('npm', ['run', stage], { stdio: ['ignore', 'pipe', 'pipe'] });
    const pass = (to) => (chunk) => {
      if (held) return kept.push(chunk);
      beat.last = Date.now();
      to.write(chunk);
    };
    child.stdout.on('data', pass(process.stdout));
    child.stderr.on('data', pass(process.stderr));
    child.on('close', (code, signal) => {
      if (held) {
        beat.last = Date.now();
        process.stdout.write(Buffer.concat(kept));
      }
      resolve({ stage, code: code ?? (signal ? 1 : 0), seconds: Math.round((Date.now() - started) / 1000) });
    });
  });
}

/** Runs one group's stages at once, beating while all of them are silent. */
async function runGroup(stages, beatSeconds) {
  const started = Date.now();
  const beat = { last: Date.now() };
  const running = new Set(stages);
  const timer = setInterval(() => {
    if (Date.now() - beat.last < beatSeconds * 1000) return;
    beat.last = Date.now();
    const names = [...running].join(' + ');
    process.stdout.write(`· ${names}: still running, ${duration((Date.now() - started) / 1000)} so far\n`);
  }, 1000);
  const held = stages.length > 1;
  const results = await Promise.all(
    stages.map((stage) =>
      runStage(stage, held, beat).then((r) => {
        running.delete(stage);
        return r;
      }),
    ),
  );
  clearInterval(timer);
  return results;
}

async function main() {
  const times = [];
  const t0 = Date.now();
  let failed = null;
  for (const group of GROUPS) {
    const results = await runGroup(group, HEARTBEAT_SECONDS);
    for (const r of results) times.push({ stage: r.stage, seconds: r.seconds });
    failed = results.find((r) => r.code !== 0) ?? null;
    if (failed) break;
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
