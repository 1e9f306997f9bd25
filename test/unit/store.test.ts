import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDb, schemaVersion } from '../../main/store/db.js';
import { Store } from '../../main/store/index.js';
import { MIGRATIONS } from '../../main/store/migrations.js';
import { tempDir } from '../helpers/tmp.js';
import path from 'node:path';

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});

function freshStore(): Store {
  const t = tempDir();
  const store = Store.open(path.join(t.dir, 'winnow.db'));
  cleanups.push(() => {
    store.close();
    t.cleanup();
  });
  return store;
}

describe('database', () => {
  it('applies every migration once, with WAL and foreign keys on', () => {
    const store = freshStore();
    expect(schemaVersion(store.db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('foreign_keys', { simple: true })).toBe(1);
    // running migrate again is a no-op
    migrate(store.db, MIGRATIONS);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(
      MIGRATIONS.length,
    );
  });

  it("gives an earlier database's autoencoders the JPEG stage of the originals", () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'winnow.db');
    const old = openDb(file, { migrations: MIGRATIONS.filter((m) => m.version <= 6) });
    old.pragma('foreign_keys = OFF'); // a row without its dataset: only the columns matter here
    old
      .prepare(
        `INSERT INTO autoencoders (dataset_id, preset, losses, kendall, dim, epochs, batch, seed, untrained, backend,
           metrics, history, map_method, dir, created_at)
         VALUES (1, 'mnist-like', '["contractive"]', 0, 8, 1, 8, 0, 0, 'wasm', '{}', '[]', 'umap', 'autoencoders/1', 0)`,
      )
      .run();
    old.close();
    const db = openDb(file);
    cleanups.unshift(() => db.close()); // closed before its folder goes
    expect(db.prepare('SELECT jpeg_quality, jpeg_subsampling FROM autoencoders').all()).toEqual([
      { jpeg_quality: null, jpeg_subsampling: null },
    ]);
  });

  it('refuses a database written by a newer Winnow and leaves it untouched', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'winnow.db');
    const db = openDb(file, {
      migrations: [...MIGRATIONS, { version: 99, description: 'future', sql: 'CREATE TABLE future (x)' }],
    });
    db.close();
    expect(() => openDb(file)).toThrow(/newer Winnow/);
    const again = openDb(file, {
      migrations: [...MIGRATIONS, { version: 99, description: 'future', sql: 'CREATE TABLE future (x)' }],
    });
    expect(schemaVersion(again)).toBe(99);
    again.close();
  });

  it('rolls back a failing migration as a whole', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const file = path.join(t.dir, 'winnow.db');
    openDb(file).close();
    const next = MIGRATIONS.at(-1)!.version + 1;
    const broken = [
      ...MIGRATIONS,
      { version: next, description: 'broken', sql: 'CREATE TABLE ok_table (x); THIS IS NOT SQL' },
    ];
    expect(() => openDb(file, { migrations: broken })).toThrow();
    const db = openDb(file);
    expect(schemaVersion(db)).toBe(next - 1);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'ok_table'").get()).toBeUndefined();
    db.close();
  });
});

describe('jobs repository', () => {
  it('numbers events per job and keeps state, progress, metrics, result and artifacts in step', () => {
    const { jobs } = freshStore();
    const job = jobs.create('selftest', { steps: 3 }, process.pid);
    expect(job.state).toBe('queued');
    expect(jobs.appendEvent(job.id, { type: 'state', state: 'running' }).seq).toBe(1);
    jobs.appendEvent(job.id, { type: 'progress', fraction: 0.5, step: 1, total: 2, etaSeconds: 3 });
    jobs.appendEvent(job.id, { type: 'metric', name: 'loss', value: 1.5, step: 1 });
    jobs.appendEvent(job.id, { type: 'artifact', name: 'weights', path: '/tmp/w.bin' });
    jobs.appendEvent(job.id, { type: 'result', result: { ok: true } });
    const last = jobs.appendEvent(job.id, { type: 'state', state: 'done' });
    expect(last.seq).toBe(6);
    const after = jobs.get(job.id)!;
    expect(after).toMatchObject({
      state: 'done',
      attempts: 1,
      progress: { fraction: 0.5, step: 1, total: 2, etaSeconds: 3 },
      result: { ok: true },
    });
    expect(after.startedAt).not.toBeNull();
    expect(after.endedAt).not.toBeNull();
    expect(jobs.metrics(job.id, 'loss')).toEqual([expect.objectContaining({ step: 1, value: 1.5 })]);
    expect(jobs.artifacts(job.id)).toEqual([expect.objectContaining({ name: 'weights', path: '/tmp/w.bin' })]);
    expect(jobs.events(job.id, 0, 100).map((e) => e.event.type)).toEqual([
      'state',
      'progress',
      'metric',
      'artifact',
      'result',
      'state',
    ]);
    expect(jobs.events(job.id, 4, 100).map((e) => e.seq)).toEqual([5, 6]);
    expect(jobs.events(job.id, 0, 100, ['metric']).map((e) => e.seq)).toEqual([3]);
  });

  it('lists newest first with filters, and counts attempts across resumes', () => {
    const { jobs } = freshStore();
    const a = jobs.create('selftest', {}, process.pid);
    const b = jobs.create('selftest', {}, process.pid);
    jobs.appendEvent(a.id, { type: 'state', state: 'running' });
    jobs.appendEvent(a.id, { type: 'state', state: 'interrupted', message: 'killed' });
    jobs.appendEvent(a.id, { type: 'state', state: 'queued' });
    jobs.appendEvent(a.id, { type: 'state', state: 'running' });
    expect(jobs.get(a.id)).toMatchObject({ state: 'running', attempts: 2, message: null, endedAt: null });
    expect(jobs.list({ limit: 10 }).map((j) => j.id)).toEqual([b.id, a.id]);
    expect(jobs.list({ limit: 10, state: 'running' }).map((j) => j.id)).toEqual([a.id]);
    expect(jobs.list({ limit: 1 })).toHaveLength(1);
  });

  it('passes cancel requests between processes once', () => {
    const { jobs } = freshStore();
    const a = jobs.create('selftest', {}, process.pid);
    jobs.requestCancel(a.id);
    expect(jobs.takeCancelRequests([a.id])).toEqual([a.id]);
    expect(jobs.takeCancelRequests([a.id])).toEqual([]);
  });
});

describe('settings repository', () => {
  it('defaults, updates, and survives a corrupt value', () => {
    const store = freshStore();
    expect(store.settings.get()).toEqual({ backend: 'auto' });
    expect(store.settings.update({ backend: 'cpu' })).toEqual({ backend: 'cpu' });
    store.db.prepare("UPDATE settings SET value = '{not json' WHERE key = 'backend'").run();
    expect(store.settings.get()).toEqual({ backend: 'auto' });
    store.db.prepare("UPDATE settings SET value = '\"quantum\"' WHERE key = 'backend'").run();
    expect(store.settings.get()).toEqual({ backend: 'auto' });
  });
});
