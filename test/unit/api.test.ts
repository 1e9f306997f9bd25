import { describe, expect, it } from 'vitest';
import { API_METHODS } from '../../shared/api.js';
import { ApiError } from '../../main/api/errors.js';
import { openTestHost, rejection } from '../helpers/host.js';

describe('API registry', () => {
  it('validates input with the method schema and says what is wrong', async () => {
    const { api } = await openTestHost();
    const e = await rejection(api.dispatch('jobs.get', { id: 'seven' }));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.code).toBe('bad_input');
    expect(e.message).toMatch(/Invalid input for jobs.get: id:/);
    const e2 = await rejection(api.dispatch('jobs.start', { kind: 'selftest', params: { steps: -1 } }));
    expect(e2.code).toBe('bad_input');
    expect(e2.message).toMatch(/params.steps/);
    const e3 = await rejection(api.dispatch('jobs.start', { kind: 'rm -rf', params: {} }));
    expect(e3.code).toBe('bad_input');
  });

  it('answers unknown methods and missing jobs with not_found', async () => {
    const { api } = await openTestHost();
    expect((await rejection(api.dispatch('system.shutdown', {}))).code).toBe('not_found');
    expect((await rejection(api.dispatch('__proto__', {}))).code).toBe('not_found');
    const e = await rejection(api.dispatch('jobs.get', { id: 999 }));
    expect(e.code).toBe('not_found');
    expect(e.message).toMatch(/There is no job 999/);
  });

  it('reads and writes settings, rejecting unknown backends', async () => {
    const { api } = await openTestHost();
    expect(await api.dispatch('settings.get', undefined)).toEqual({ backend: 'auto' });
    expect(await api.dispatch('settings.set', { backend: 'cpu' })).toEqual({ backend: 'cpu' });
    expect((await rejection(api.dispatch('settings.set', { backend: 'cuda' }))).code).toBe('bad_input');
  });

  it('reports system info with the backend ladder', async () => {
    const { api } = await openTestHost();
    const info = (await api.dispatch('system.info', { backend: 'cpu' })) as {
      backend: { selected: string; attempts: unknown[] };
      dbPath: string;
    };
    expect(info.backend.selected).toBe('cpu');
    expect(info.backend.attempts).toHaveLength(4);
    expect(info.dbPath).toMatch(/winnow\.db$/);
  });

  it('starts, lists and reads the events of a job', async () => {
    const h = await openTestHost();
    const job = (await h.api.dispatch('jobs.start', {
      kind: 'selftest',
      params: { steps: 2, batch: 2, backend: 'cpu' },
    })) as { id: number };
    await h.supervisor.whenIdle();
    const list = (await h.api.dispatch('jobs.list', {})) as Array<{ id: number; state: string }>;
    expect(list[0]).toMatchObject({ id: job.id, state: 'done' });
    const events = (await h.api.dispatch('jobs.events', { id: job.id, types: ['state'] })) as Array<{
      event: { state: string };
    }>;
    expect(events.map((e) => e.event.state)).toEqual(['queued', 'running', 'done']);
  });

  it('has a handler for every method in the shared contract', () => {
    expect(API_METHODS.sort()).toEqual(
      [
        'experiments.archive',
        'experiments.get',
        'experiments.list',
        'experiments.plan',
        'jobs.cancel',
        'jobs.estimate',
        'jobs.events',
        'jobs.get',
        'jobs.kinds',
        'jobs.list',
        'jobs.resume',
        'jobs.start',
        'settings.get',
        'settings.set',
        'system.info',
        'system.setupNative',
        'system.nativeSetupStatus',
        'datasets.list',
        'datasets.get',
        'datasets.detect',
        'files.browse',
        'datasets.existing',
        'datasets.thumbnails',
        'datasets.thumbnailsOf',
        'datasets.rejections',
        'datasets.delete',
        'autoencoders.list',
        'autoencoders.get',
        'autoencoders.reconstructions',
        'autoencoders.delete',
        'searches.list',
        'searches.get',
        'searches.export',
        'evaluations.list',
        'evaluations.get',
        'models.list',
        'models.get',
        'models.file',
        'models.archive',
        'models.import',
        'models.delete',
        'compressions.list',
        'compressions.get',
        'compressions.images',
        'compressions.table',
      ].sort(),
    );
  });
});
