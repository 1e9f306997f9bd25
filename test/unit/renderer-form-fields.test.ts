import { describe, expect, it } from 'vitest';
import type { JobSummary } from '../../shared/jobs.js';
import { SEARCH_PARAMS } from '../../shared/generated/params.js';
import { choiceCards, epochsAndBatchFields, seedField, startFromForm } from '../../renderer/src/lib/form-fields.js';
import { BDP_GROUP, CHANNEL_FIELDS, DDS_GROUP } from '../../renderer/src/lib/search-fields.js';

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

describe('choiceCards', () => {
  it('gives the group its options in the table order, with each card title and sub line', () => {
    const cards = choiceCards(
      { label: 'Supernet', name: 'dsm-supernet', help: 'Where the weights come from.' },
      {
        train: { title: 'Train a new one', sub: 'uniform single-path' },
        reuse: { title: 'Reuse one', sub: 'from a job' },
      },
    );
    expect(cards.label).toBe('Supernet');
    expect(cards.name).toBe('dsm-supernet');
    expect(cards.help).toBe('Where the weights come from.');
    expect(cards.options).toEqual(['train', 'reuse']);
    expect(cards.title('reuse')).toBe('Reuse one');
    expect(cards.sub('train')).toBe('uniform single-path');
  });
});

describe('search strategy field specs', () => {
  it('name the on/off field each strategy edits, with its test id and the parameter help', () => {
    expect(DDS_GROUP.check).toMatchObject({ key: 'lrReset', testid: 'search-lr-reset' });
    expect(DDS_GROUP.check.help).toBe(SEARCH_PARAMS.lrReset.description);
    expect(BDP_GROUP.check).toMatchObject({ key: 'balance', testid: 'search-balance' });
    expect(BDP_GROUP.check.help).toBe(SEARCH_PARAMS.balance.description);
    expect(DDS_GROUP.fields.map((f) => f.key)).not.toContain('lrReset');
  });

  it('describe the channels field with its bounds and help', () => {
    expect(CHANNEL_FIELDS).toHaveLength(1);
    expect(CHANNEL_FIELDS[0]).toMatchObject({ key: 'channels', label: 'Channels C', testid: 'search-channels' });
    expect(CHANNEL_FIELDS[0]?.help).toBe(SEARCH_PARAMS.channels.description);
  });
});
