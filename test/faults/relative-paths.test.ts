/**
 * A data folder is self-contained: copied (`cp -a`) or moved, it keeps working, and deleting in one copy never
 * touches another. Rows written by an older Winnow with absolute paths are rewritten by a migration.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDb } from '../../main/store/db.js';
import { Store } from '../../main/store/index.js';
import { MIGRATIONS } from '../../main/store/migrations.js';
import { runCli } from '../helpers/cli.js';
import { scratch } from '../helpers/scratch.js';

async function withDataset(dir: string): Promise<void> {
  const r = await runCli(['dataset', 'synth', 'chroma', '--n', '20', '--size', '16', '--json'], dir);
  expect(r.code, r.stderr).toBe(0);
}

describe('a copied or moved data folder', () => {
  it('deleting a dataset in a copy leaves the original untouched', async () => {
    const base = scratch();
    const a = path.join(base, 'a');
    const b = path.join(base, 'b');
    await withDataset(a);
    fs.cpSync(a, b, { recursive: true, preserveTimestamps: true });
    const rm = await runCli(['dataset', 'rm', '1', '--json'], b);
    expect(rm.code, rm.stderr).toBe(0);
    expect(fs.existsSync(path.join(b, 'datasets', '1'))).toBe(false);
    expect(fs.existsSync(path.join(a, 'datasets', '1', 'images.u8'))).toBe(true);
    const list = await runCli(['dataset', 'list', '--json'], a);
    expect((JSON.parse(list.stdout) as unknown[]).length).toBe(1);
  });

  it('a moved folder finds its own files', async () => {
    const base = scratch();
    const a = path.join(base, 'a');
    const moved = path.join(base, 'moved');
    await withDataset(a);
    fs.renameSync(a, moved);
    const store = Store.open(path.join(moved, 'winnow.db'));
    try {
      expect(store.datasets.dir(1)).toBe(path.join(moved, 'datasets', '1'));
      expect(fs.existsSync(path.join(store.datasets.dir(1)!, 'images.u8'))).toBe(true);
      expect((store.db.prepare('SELECT dir FROM datasets').get() as { dir: string }).dir).toBe('datasets/1');
    } finally {
      store.close();
    }
    // and deleting it there removes the moved folder's copy
    const rm = await runCli(['dataset', 'rm', '1'], moved);
    expect(rm.code, rm.stderr).toBe(0);
    expect(fs.existsSync(path.join(moved, 'datasets', '1'))).toBe(false);
  });
});

describe('the migration to relative paths', () => {
  it('rewrites absolute rows of an older database; paths outside the folder are kept and never deleted', () => {
    const old = scratch();
    const dir = path.join(old, 'data');
    const db = openDb(path.join(dir, 'winnow.db'), { migrations: MIGRATIONS.filter((m) => m.version <= 4) });
    const now = Date.now();
    db.prepare(
      "INSERT INTO jobs (id, kind, state, params, created_at, result) VALUES (7, 'search', 'done', '{}', ?, ?)",
    ).run(now, JSON.stringify({ files: { genotypeJson: path.join('/elsewhere/data', 'jobs', '7', 'genotype.json') } }));
    db.prepare('INSERT INTO job_events (job_id, seq, ts, type, payload) VALUES (7, 1, ?, ?, ?)').run(
      now,
      'artifact',
      JSON.stringify({ type: 'artifact', name: 'genotype', path: '/elsewhere/data/jobs/7/genotype.json' }),
    );
    db.prepare(
      "INSERT INTO artifacts (job_id, name, path, created_at) VALUES (7, 'genotype', '/elsewhere/data/jobs/7/genotype.json', ?)",
    ).run(now);
    const insertDataset = db.prepare(
      `INSERT INTO datasets (id, name, format, source, source_fingerprint, width, height, channels, images, dir, bytes, options, duplicates, created_at)
       VALUES (?, 'd', 'folder', '/src', 'f', 8, 8, 1, 0, ?, 0, '{}', '{}', ?)`,
    );
    insertDataset.run(1, '/elsewhere/data/datasets/1', now);
    insertDataset.run(2, '/somewhere/unrelated', now);
    db.prepare(
      `INSERT INTO models (id, name, origin, class_names, preprocessing, parameters, multiply_adds, dir, created_at)
       VALUES (3, 'm', 'import', '[]', '{}', 0, 0, 'C:\\Users\\me\\winnow\\models\\3', ?)`,
    ).run(now);
    db.close();

    const outside = path.join(old, 'outside');
    fs.mkdirSync(outside);
    const store = Store.open(path.join(dir, 'winnow.db'));
    try {
      store.db.prepare('UPDATE datasets SET dir = ? WHERE id = 2').run(outside);
      expect(store.datasets.dir(1)).toBe(path.join(dir, 'datasets', '1'));
      expect(store.models.get(3)!.dir).toBe(path.join(dir, 'models', '3'));
      expect(store.jobs.get(7)!.result).toEqual({
        files: { genotypeJson: path.join(dir, 'jobs', '7', 'genotype.json') },
      });
      expect(store.jobs.artifacts(7)[0]!.path).toBe(path.join(dir, 'jobs', '7', 'genotype.json'));
      expect(store.jobs.events(7, 0, 10)[0]!.event).toMatchObject({
        path: path.join(dir, 'jobs', '7', 'genotype.json'),
      });
      const raw = store.db.prepare('SELECT id, dir FROM datasets ORDER BY id').all();
      expect(raw).toEqual([
        { id: 1, dir: 'datasets/1' },
        { id: 2, dir: outside },
      ]);
      // a row that still names a folder outside the data folder never deletes it
      const gone = store.datasets.delete(2)!;
      expect(store.paths.removeFolder(gone)).toBe(false);
      expect(fs.existsSync(outside)).toBe(true);
    } finally {
      store.close();
    }
  });
});
