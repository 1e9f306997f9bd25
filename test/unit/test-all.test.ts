import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { scratch } from '../helpers/scratch.js';

const script = path.resolve('scripts/test-all.mjs');

/** Runs scripts/test-all.mjs over a throw-away package whose scripts are the given stages. */
function runStages(scripts: Record<string, string>, stages: string[], heartbeatSeconds = 1) {
  const dir = scratch();
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'stages', private: true, scripts }));
  const r = spawnSync(process.execPath, [script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, WINNOW_TEST_STAGES: stages.join(','), WINNOW_HEARTBEAT_SECONDS: String(heartbeatSeconds) },
    timeout: 60_000,
  });
  return { ...r, cwd: dir };
}

describe('npm test’s stage runner', () => {
  it('beats while a stage is silent, stops at the first failure and names it', () => {
    const r = runStages(
      {
        quiet: `node -e "setTimeout(() => console.log('quiet done'), 2600)"`,
        broken: 'node -e "process.exit(3)"',
        never: `node -e "console.log('never ran')"`,
      },
      ['quiet', 'broken', 'never'],
    );
    expect(r.status).toBe(3);
    expect(r.stdout).toMatch(/· quiet: still running, \d s so far/);
    expect(r.stdout).toContain('quiet done');
    expect(r.stdout).not.toContain('never ran');
    expect(r.stdout).toMatch(/stages: quiet \d s, broken \d s; in all \d s/);
    expect(r.stdout).toContain('the broken stage failed (exit code 3)');
  });

  it('runs stages joined by + at the same time, prints each whole, and stops after a group that failed', () => {
    // each stage prints a line, sleeps, prints another: run one after the other they would take 2 x 1.5 s
    const twoLines = (name: string, code: number) =>
      `node -e "console.log('${name} 1'); setTimeout(() => { console.log('${name} 2'); process.exit(${code}); }, 1500)"`;
    const r = runStages(
      { left: twoLines('left', 0), right: twoLines('right', 4), after: `node -e "console.log('after ran')"` },
      ['left+right', 'after'],
      30,
    );
    expect(r.status).toBe(4);
    expect(r.stdout).not.toContain('after ran');
    // held back and printed whole: each stage's two lines are next to each other
    expect(r.stdout).toMatch(/left 1\s*\nleft 2/);
    expect(r.stdout).toMatch(/right 1\s*\nright 2/);
    expect(r.stdout).toContain('the right stage failed (exit code 4)');
    const stages = JSON.parse(fs.readFileSync(path.join(r.cwd, 'test-results/stages.json'), 'utf8')) as {
      stages: Array<{ stage: string; seconds: number }>;
      seconds: number;
    };
    expect(stages.stages.map((s) => s.stage)).toEqual(['left', 'right']);
    // together, not one after the other (npm's start-up adds a second or two to each)
    expect(stages.seconds).toBeLessThan(stages.stages[0]!.seconds + stages.stages[1]!.seconds);
  });

  it('passes when every stage passes, without beating for a stage that talks', () => {
    // npm's own start-up is silent for a while on a busy machine: a generous interval keeps this about talking
    const r = runStages({ talks: `node -e "console.log('hello')"` }, ['talks'], 30);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('still running');
  });
});
