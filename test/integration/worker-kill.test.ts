import { afterAll, describe, expect, it } from 'vitest';
import { openHost, workerLogFile } from '../../main/api/host.js';
import { forkLauncher } from '../../main/supervisor/launchers.js';
import { tempDir, waitFor } from '../helpers/tmp.js';

const t = tempDir();
afterAll(() => t.cleanup());

describe('engine worker process', () => {
  it('kill -9 during a self-test leaves the job interrupted with a message, and the next job runs', async () => {
    const host = await openHost({
      dataDir: t.dir,
      transport: 'in-process',
      launcher: forkLauncher({ logFile: workerLogFile(t.dir) }),
    });
    try {
      const victim = host.supervisor.start({
        kind: 'selftest',
        params: { steps: 100_000, batch: 8, backend: 'auto', seed: 1 },
      });
      await waitFor(() => (host.store.jobs.get(victim.id)!.progress?.step ?? 0) >= 1, 60_000, 'first step');
      const pid = host.supervisor.workerPid!;
      expect(pid).toBeGreaterThan(0);
      expect(pid).not.toBe(process.pid);
      process.kill(pid, 'SIGKILL');
      await waitFor(() => host.store.jobs.get(victim.id)!.state === 'interrupted', 10_000, 'interrupted');
      expect(host.store.jobs.get(victim.id)!.message).toMatch(/engine process was killed \(SIGKILL/);

      const next = host.supervisor.start({
        kind: 'selftest',
        params: { steps: 3, batch: 8, backend: 'auto', seed: 1 },
      });
      await host.supervisor.whenIdle();
      expect(host.store.jobs.get(next.id)!.state).toBe('done');
      expect(host.supervisor.workerPid).not.toBe(pid);

      // the interrupted one can be resumed (a selftest starts over) and then cancelled
      expect(host.supervisor.resume(victim.id).state).toBe('running');
      host.supervisor.cancel(victim.id);
      await host.supervisor.whenIdle();
      expect(host.store.jobs.get(victim.id)!.state).toBe('cancelled');
    } finally {
      await host.close();
    }
  });
});
