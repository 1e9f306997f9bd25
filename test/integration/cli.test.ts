import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('winnow CLI (built)', () => {
  it('prints help and exits 0; unknown commands and bad flags exit 2', async () => {
    const help = await runCli(['--help'], t.dir);
    expect(help.code).toBe(0);
    expect(help.stderr).toMatch(/Usage: winnow <command>/);
    expect(help.stdout).toBe('');
    const unknown = await runCli(['frobnicate'], t.dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    expect((await runCli(['selftest', '--steps', 'many'], t.dir)).code).toBe(2);
    expect((await runCli(['selftest', '--backend', 'cuda'], t.dir)).code).toBe(2);
    expect((await runCli(['jobs', 'show'], t.dir)).code).toBe(2);
  });

  it('system info --json prints one JSON document with the backend ladder and its reasons', async () => {
    const r = await runCli(['system', 'info', '--json'], t.dir);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info.dataDir).toBe(t.dir);
    expect(info.backend.attempts.map((a: { name: string }) => a.name)).toEqual([
      'tensorflow-gpu',
      'tensorflow',
      'wasm',
      'cpu',
    ]);
    // whatever machine this runs on, every rung that did not load says why
    for (const a of info.backend.attempts) if (!a.ok) expect(a.reason).toMatch(/\w+/);
    const selected = info.backend.attempts.find((a: { ok: boolean }) => a.ok);
    expect(selected.name).toBe(info.backend.selected);
    if (info.backend.selected === 'wasm') {
      // on "auto" the native rungs say why they did not load; pinned (WINNOW_BACKEND, as the suites run), that
      // they were not tried
      const why =
        info.backend.preference === 'auto'
          ? /not installed|not built|not found|failed to load/
          : /not tried: wasm was requested/;
      for (const name of ['tensorflow-gpu', 'tensorflow']) {
        expect(info.backend.attempts.find((a: { name: string }) => a.name === name).reason).toMatch(why);
      }
    }
  });

  it('selftest --json reports steps/s and the backend, on auto and on cpu', async () => {
    const auto = await runCli(['selftest', '--steps', '5', '--json'], t.dir);
    expect(auto.code).toBe(0);
    const a = JSON.parse(auto.stdout);
    expect(a).toMatchObject({ state: 'done', steps: 5 });
    expect(a.stepsPerSecond).toBeGreaterThan(0);
    expect(['tensorflow-gpu', 'tensorflow', 'wasm']).toContain(a.backend);
    const cpu = await runCli(['selftest', '--steps', '3', '--batch', '8', '--backend', 'cpu', '--json'], t.dir);
    expect(cpu.code).toBe(0);
    expect(JSON.parse(cpu.stdout)).toMatchObject({ state: 'done', backend: 'cpu', steps: 3, batch: 8 });
  });

  it('jobs list/show --json read what selftest stored; a missing job exits 1 with a message', async () => {
    const list = JSON.parse((await runCli(['jobs', 'list', '--json'], t.dir)).stdout) as Array<{
      id: number;
      kind: string;
      state: string;
    }>;
    expect(list.length).toBeGreaterThanOrEqual(2);
    expect(list.every((j) => j.kind === 'selftest' && j.state === 'done')).toBe(true);
    const show = await runCli(['jobs', 'show', String(list[0]!.id), '--json'], t.dir);
    const shown = JSON.parse(show.stdout);
    expect(shown.job.id).toBe(list[0]!.id);
    expect(shown.events.length).toBeGreaterThan(3);
    const missing = await runCli(['jobs', 'show', '9999'], t.dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/There is no job 9999/);
    const cancelDone = await runCli(['jobs', 'cancel', String(list[0]!.id)], t.dir);
    expect(cancelDone.code).toBe(1);
    expect(cancelDone.stderr).toMatch(/already ended/);
  });
});
