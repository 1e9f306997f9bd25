import { describe, expect, it } from 'vitest';
import { BACKEND_PACKAGES, selectBackend } from '../../main/engine/backend/ladder.js';

// Its own file, so the first selection in this process is the concurrent one.
describe('backend ladder', () => {
  it('serialises concurrent first selections (two wasm inits at once used to fail the second)', async () => {
    const reports = await Promise.all([
      selectBackend('wasm'),
      selectBackend('wasm'),
      selectBackend('cpu'),
      selectBackend('auto'),
    ]);
    expect(reports.map((r) => r.selected)).toEqual(['wasm', 'wasm', 'cpu', expect.stringMatching(/tensorflow|wasm/)]);
    for (const r of reports) {
      expect(r.attempts.map((a) => a.name)).toEqual(['tensorflow-gpu', 'tensorflow', 'wasm', 'cpu']);
      expect(r.attempts.map((a) => a.packageName)).toEqual(Object.values(BACKEND_PACKAGES));
    }
  });

  it('names why a forced backend is unavailable and why the others were not tried', async () => {
    const cpu = await selectBackend('cpu');
    expect(cpu.attempts.filter((a) => a.skipped).map((a) => a.reason)).toEqual([
      'not tried: cpu was requested',
      'not tried: cpu was requested',
      'not tried: cpu was requested',
    ]);
    const gpu = await selectBackend('tensorflow-gpu').catch((e: Error) => e);
    if (gpu instanceof Error)
      expect(gpu.message).toMatch(
        /^The tensorflow-gpu backend is not available: .+Choose "auto" or another backend\.$/,
      );
  });
});
