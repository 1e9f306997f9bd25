/**
 * A job kind registered at run time, driven through `winnow` in-process: its command word, flags generated from its
 * params schema (checks and messages included), --help, --json, and failure exit codes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { main } from '../../main/cli/index.js';
import { defineJobKind } from '../../main/jobs/kind.js';
import { registerJobKind } from '../../main/jobs/registry.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { tempDir } from '../helpers/tmp.js';

const CountParams = z.object({
  upTo: z.number().int().min(1).max(20).default(3).describe('how far to count'),
  step: z.number().positive().max(5).default(1),
  mode: z.enum(['plain', 'fail']).default('plain'),
  loud: z.boolean().default(false),
});
type CountParams = z.infer<typeof CountParams>;

const countKind = defineJobKind<CountParams, { total: number }, undefined>({
  engine: {
    kind: 'count-test',
    params: CountParams,
    resumable: false,
    run: async (ctx, p) => {
      let total = 0;
      for (let i = 1; i <= p.upTo; i++) {
        total += p.step;
        ctx.log('info', `counted ${i}`);
      }
      if (p.mode === 'fail') throw new Error('asked to fail');
      return { total };
    },
  },
  cli: {
    command: 'count-test',
    summary: 'count up, for tests',
    eventLine: (e) => (e.type === 'log' ? e.message : null),
    doneLines: (job, r) => [`Counted to ${r.total} in job ${job.id}.`],
  },
});

const t = tempDir();
let unregister: () => void = () => {};
let out = '';
let err = '';

beforeAll(() => {
  unregister = registerJobKind(countKind);
});
afterAll(() => {
  unregister();
  t.cleanup();
});
afterEach(() => vi.restoreAllMocks());

/** Runs `winnow <args>` in this process; returns its exit code (or the error it ended with) and its output. */
async function winnow(...args: string[]): Promise<{ code: number | Error; stdout: string; stderr: string }> {
  out = '';
  err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  let code: number | Error;
  try {
    code = await main([...args, '--data-dir', t.dir, '--backend', 'cpu'], { launcher: inProcessLauncher() });
  } catch (e) {
    code = e as Error;
  } finally {
    vi.restoreAllMocks();
  }
  return { code, stdout: out, stderr: err };
}

describe('a job kind registered at run time', () => {
  it('runs with flags from its schema, printing its event lines and done lines', async () => {
    const r = await winnow('count-test', '--up-to', '4', '--step', '2');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/Job \d+ \(count-test\) started\./);
    expect(r.stderr).toMatch(/counted 1\n[\s\S]*counted 4\n/);
    expect(r.stderr).toMatch(/Counted to 8 in job \d+\./);
    expect(r.stdout).toBe('');
  }, 60_000);

  it('prints one JSON document with --json, and exits 1 when the job fails', async () => {
    const ok = await winnow('count-test', '--loud', '--json');
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ state: 'done', result: { total: 3 } });
    const failed = await winnow('count-test', '--mode', 'fail', '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toMatchObject({ state: 'failed', error: expect.stringMatching(/asked to fail/) });
  }, 60_000);

  it('checks its flags as the schema says, before any job starts', async () => {
    const bad = await winnow('count-test', '--up-to', '30');
    expect(String(bad.code)).toMatch(/--up-to must be a whole number from 1 to 20; got "30"/);
    expect(String((await winnow('count-test', '--mode', 'loud')).code)).toMatch(
      /--mode must be one of plain, fail; got "loud"/,
    );
    expect(String((await winnow('count-test', '--step', '9')).code)).toMatch(/--step: Too big/);
    expect(String((await winnow('count-test', '--resume', '1', '--up-to', '2')).code)).toMatch(
      /--resume continues a count-test job .* drop --up-to/,
    );
  });

  it('says its flags, ranges, defaults and help under --help', async () => {
    const r = await winnow('count-test', '--help');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Usage: winnow count-test \[options\]/);
    expect(r.stderr).toMatch(/--up-to N \(1 to 20, default 3\) {2}how far to count/);
    expect(r.stderr).toMatch(/--step X \(in \(0, 5\], default 1\)/);
    expect(r.stderr).toMatch(/--mode plain\|fail \(default plain\)/);
    expect(r.stderr).toMatch(/--loud\b/);
  });
});
