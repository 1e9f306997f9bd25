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
  return spawnSync(process.execPath, [script], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, WINNOW_TEST_STAGES: stages.join(','), WINNOW_HEARTBEAT_SECONDS: String(heartbeatSeconds) },
    timeout: 60_000,
  });
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

  it('passes when every stage passes, without beating for a stage that talks', () => {
    // npm's own start-up is silent for a while on a busy machine: a generous interval keeps this about talking
    const r = runStages({ talks: `node -e "console.log('hello')"` }, ['talks'], 30);
    expect(r.status).toBe(0);
    expect(r.stdout).not.toContain('still running');
  });
});
