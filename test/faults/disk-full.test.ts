/**
 * A full disk (ENOSPC, SQLITE_FULL) or a read-only one, wherever it hits: the job fails with "the disk holding
 * <folder> is full (needs about N MB)", its staging is gone before the database is written, the next start needs
 * no free space, and no stack trace reaches the user. A real small tmpfs is used where this machine lets the test
 * mount one (root); the injected faults run everywhere.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ImportParams } from '../../shared/datasets.js';
import type { PushMessage } from '../../shared/jobs.js';
import type { HostToWorker, WorkerChannel, WorkerToHost } from '../../main/engine/jobs/protocol.js';
import { openDataFolder } from '../../main/store/data-folder.js';
import type { Store } from '../../main/store/index.js';
import { inProcessLauncher } from '../../main/supervisor/launchers.js';
import { JobSupervisor, type SupervisorOptions } from '../../main/supervisor/supervisor.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { later } from '../helpers/scratch.js';

afterEach(() => {
  vi.restoreAllMocks();
});

const FULL = /^The disk holding (.+) is full \(needs about (\d+) MB\)\. Free some space there/;

function host(launcher: SupervisorOptions['launcher'] = inProcessLauncher()) {
  const t = tempDir('winnow-faults-');
  const dataDir = path.join(t.dir, 'data');
  const store = openDataFolder(dataDir);
  const pushes: PushMessage[] = [];
  const supervisor = new JobSupervisor({ store, dataDir, launcher, publish: (m) => pushes.push(m) });
  later(async () => {
    await supervisor.close();
    store.close();
    t.cleanup();
  });
  return { store, supervisor, dataDir, pushes };
}

const enospc = () =>
  Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });

describe('injected: ENOSPC while an import stages its files', () => {
  it('fails the job with the folder and the size, removes the staging, stores nothing', async () => {
    const { store, supervisor, dataDir } = host();
    const real = fs.writeSync;
    let calls = 0;
    vi.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      if (++calls > 1) throw enospc();
      return (real as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync);
    const job = supervisor.start({
      kind: 'import',
      params: ImportParams.parse({
        source: { kind: 'synth-chroma', n: 3000, size: 32, seed: 0 },
        ifExists: 'import-again',
      }),
    });
    await supervisor.whenIdle();
    const done = store.jobs.get(job.id)!;
    expect(done.state).toBe('failed');
    const m = FULL.exec(done.message ?? '');
    expect(m, done.message ?? '').not.toBeNull();
    expect(m![1]).toBe(dataDir);
    expect(Number(m![2])).toBeGreaterThanOrEqual(9); // 3000 images of 32x32x3 plus their rows
    expect(fs.existsSync(path.join(dataDir, 'jobs', String(job.id), 'staging'))).toBe(false);
    expect(store.datasets.list()).toEqual([]);
    expect(done.message).not.toMatch(/\n\s+at /);
  });
});

/** A worker that reports `events` log lines, then finishes. */
function chattyLauncher(events: number): SupervisorOptions['launcher'] {
  return () => {
    let listener: (m: WorkerToHost) => void = () => {};
    let exit: (i: { code: number | null; signal: string | null }) => void = () => {};
    let alive = true;
    const channel: WorkerChannel = {
      pid: undefined,
      send: (m: HostToWorker) => {
        if (m.type !== 'start') return;
        setImmediate(() => {
          for (let i = 0; i < events && alive; i++)
            listener({
              type: 'event',
              jobId: m.jobId,
              event: { type: 'log', level: 'info', message: 'x'.repeat(2000) },
            });
          if (alive) listener({ type: 'finished', jobId: m.jobId, outcome: 'done', result: null });
        });
      },
      onMessage: (l) => (listener = l),
      onExit: (l) => (exit = l),
      kill: () => {
        alive = false;
        setImmediate(() => exit({ code: null, signal: 'SIGTERM' }));
      },
    };
    return channel;
  };
}

function capDatabase(store: Store, extraPages: number): void {
  const pages = store.db.pragma('page_count', { simple: true }) as number;
  store.db.pragma(`max_page_count = ${pages + extraPages}`);
}

describe('injected: the database is full (SQLITE_FULL) while a job reports events', () => {
  it('the job fails with the disk-full message, the process survives, the next start needs no space', async () => {
    const { store, supervisor, dataDir, pushes } = host(chattyLauncher(400));
    capDatabase(store, 30);
    const job = supervisor.start({ kind: 'selftest', params: { steps: 1, batch: 1, backend: 'cpu', seed: 0 } });
    await supervisor.whenIdle();
    const end = pushes.filter((p) => p.channel === 'job.updated' && p.job.id === job.id).at(-1);
    expect(end?.channel === 'job.updated' && end.job.state).toBe('failed');
    expect(end?.channel === 'job.updated' && end.job.message).toMatch(FULL);
    // recovery on the still-full database: no throw, and reading works
    const again = new JobSupervisor({ store, dataDir, launcher: chattyLauncher(0), publish: () => {} });
    expect(store.jobs.list({ limit: 10 }).map((j) => j.id)).toContain(job.id);
    await again.close();
  });
});

function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const t = tempDir('winnow-mount-');
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', t.dir], { stdio: 'ignore' });
    execFileSync('umount', [t.dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    t.cleanup();
  }
}

function tmpfs(sizeMb: number): string {
  const t = tempDir('winnow-tmpfs-');
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeMb}m`, 'tmpfs', t.dir]);
  later(() => {
    execFileSync('umount', ['-l', t.dir]);
    t.cleanup();
  });
  return t.dir;
}

describe.skipIf(!canMount())('a real 3 MB tmpfs as the data folder (root only)', () => {
  it('an import larger than the disk: a plain message, no staging left, later commands work', async () => {
    const dir = path.join(tmpfs(3), 'data');
    const big = await runCli(['dataset', 'synth', 'chroma', '--n', '2000', '--size', '32', '--json'], dir);
    expect(big.code).toBe(1);
    const out = JSON.parse(big.stdout) as { state: string; error: string };
    expect(out.state).toBe('failed');
    expect(out.error).toMatch(FULL);
    expect(big.stderr).not.toMatch(/\n\s+at |SqliteError/);
    expect(fs.readdirSync(path.join(dir, 'jobs', '1'))).toEqual([]);
    const list = await runCli(['jobs', 'list', '--json'], dir);
    expect(list.code, list.stderr).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ state: string; message: string }>)[0]).toMatchObject({
      state: 'failed',
      message: out.error,
    });
    const small = await runCli(['dataset', 'synth', 'chroma', '--n', '20', '--size', '16'], dir);
    expect(small.code, small.stderr).toBe(0);
  });

  it('a read-only data folder: the message names the folder', async () => {
    const mnt = tmpfs(2);
    const dir = path.join(mnt, 'data');
    expect((await runCli(['dataset', 'synth', 'chroma', '--n', '20', '--size', '16'], dir)).code).toBe(0);
    execFileSync('mount', ['-o', 'remount,ro', mnt]);
    const fresh = await runCli(['dataset', 'list'], path.join(mnt, 'other'));
    expect(fresh.code).toBe(1);
    expect(fresh.stderr).toContain(`Winnow cannot write to the data folder ${path.join(mnt, 'other')}`);
    const start = await runCli(
      ['dataset', 'synth', 'chroma', '--n', '20', '--size', '16', '--seed', '9', '--json'],
      dir,
    );
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(dir);
    expect(start.stderr).toMatch(/read-only/);
    expect(start.stderr).not.toMatch(/\n\s+at /);
  });
});
