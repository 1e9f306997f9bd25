import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/jobs.js';
import { epochsAndBatchFields, seedField, startFromForm } from '../../renderer/src/lib/form-fields.js';

const job = { id: 7, kind: 'search', state: 'queued' } as JobSummary;

/** A store whose start answers `answer` (null: refused, with `error` as its startError). */
function store(answer: JobSummary | null, error: string | null = null) {
  const started: unknown[] = [];
  return {
    started,
    startError: error,
    startJob(params: { n: number }): Promise<JobSummary | null> {
      started.push(params);
      return Promise.resolve(answer);
    },
  };
}

describe('startFromForm', () => {
  it('starts the job from the built parameters', async () => {
    const s = store(job);
    const out = await startFromForm({ ok: true, params: { n: 3 } }, s, 'The search');
    expect(out).toEqual({ job, problem: null });
    expect(s.started).toEqual([{ n: 3 }]);
  });

  it("shows the form's own refusal and starts nothing", async () => {
    const s = store(job);
    const out = await startFromForm({ ok: false, field: 'epochs', error: 'Epochs: 1 to 600.' }, s, 'The search');
    expect(out).toEqual({ job: null, problem: { field: 'epochs', error: 'Epochs: 1 to 600.' } });
    expect(s.started).toEqual([]);
  });

  it("shows the engine's reason when it refused, else says what could not start", async () => {
    const refused = await startFromForm({ ok: true, params: { n: 1 } }, store(null, 'No such dataset.'), 'The study');
    expect(refused).toEqual({ job: null, problem: { field: '', error: 'No such dataset.' } });
    const silent = await startFromForm({ ok: true, params: { n: 1 } }, store(null), 'The study');
    expect(silent.problem).toEqual({ field: '', error: 'The study could not be started.' });
  });
});

describe('number field specs', () => {
  it('bounds epochs and batch by the limits and names their test ids', () => {
    const limits = { epochs: { min: 1, max: 50 }, batch: { min: 8, max: 512 } };
    expect(epochsAndBatchFields('ae', limits).map((f) => [f.key, f.min, f.max, f.testid])).toEqual([
      ['epochs', 1, 50, 'ae-epochs'],
      ['batch', 8, 512, 'ae-batch'],
    ]);
    expect(seedField('ae')).toMatchObject({ key: 'seed', min: '0', testid: 'ae-seed' });
  });
});
