/**
 * A data folder is never silently started over: a missing, empty or foreign database next to existing data is
 * refused with a message that says what was found and what to do, and a new id never reuses (deletes) a folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MARKER_FILE } from '../../main/store/data-folder.js';
import { runCli } from '../helpers/cli.js';
import { later, scratch } from '../helpers/scratch.js';

const folder = (name = 'data'): string => scratch(name);

async function synth(dir: string, seed = 0): Promise<void> {
  const r = await runCli(
    ['dataset', 'synth', 'chroma', '--n', '20', '--size', '16', '--seed', String(seed), '--json'],
    dir,
  );
  expect(r.code, r.stderr).toBe(0);
}

const imagesOf = (dir: string, id: number) => fs.readFileSync(path.join(dir, 'datasets', String(id), 'images.u8'));

describe('a data folder with data but no usable database', () => {
  it.each([
    ['empty', (db: string) => fs.writeFileSync(db, '')],
    ['missing', (db: string) => fs.rmSync(db)],
  ])('refuses a database that is %s and changes nothing', async (what, damage) => {
    const dir = folder();
    await synth(dir);
    const before = imagesOf(dir, 1);
    for (const f of ['winnow.db-wal', 'winnow.db-shm']) fs.rmSync(path.join(dir, f), { force: true });
    damage(path.join(dir, 'winnow.db'));
    const list = await runCli(['dataset', 'list'], dir);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`its database ${path.join(dir, 'winnow.db')} is ${what}`);
    expect(list.stderr).toMatch(/datasets\/ \(1 entry\)/);
    expect(list.stderr).toMatch(/Restore winnow\.db from a backup/);
    expect(list.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const again = await runCli(['dataset', 'synth', 'chroma', '--n', '20', '--size', '16', '--seed', '5'], dir);
    expect(again.code).toBe(1);
    expect(imagesOf(dir, 1).equals(before)).toBe(true);
  });

  it('refuses the database of another data folder', async () => {
    const a = folder('a');
    const b = folder('b');
    await synth(a);
    await synth(b, 3);
    const before = imagesOf(a, 1);
    const markerA = JSON.parse(fs.readFileSync(path.join(a, MARKER_FILE), 'utf8')) as { id: string };
    const markerB = JSON.parse(fs.readFileSync(path.join(b, MARKER_FILE), 'utf8')) as { id: string };
    expect(markerA.id).not.toBe(markerB.id);
    for (const f of ['winnow.db-wal', 'winnow.db-shm']) fs.rmSync(path.join(a, f), { force: true });
    fs.copyFileSync(path.join(b, 'winnow.db'), path.join(a, 'winnow.db'));
    const rm = await runCli(['dataset', 'rm', '1'], a);
    expect(rm.code).toBe(1);
    expect(rm.stderr).toContain('belongs to another data folder');
    expect(rm.stderr).toContain(markerB.id);
    expect(imagesOf(a, 1).equals(before)).toBe(true);
  });

  it('a copy keeps the identity and works; a new empty folder starts with a marker', async () => {
    const a = folder('a');
    await synth(a);
    const b = `${a}-copy`;
    fs.cpSync(a, b, { recursive: true });
    later(() => fs.rmSync(b, { recursive: true, force: true }));
    const list = await runCli(['dataset', 'list', '--json'], b);
    expect(list.code, list.stderr).toBe(0);
    expect(fs.readFileSync(path.join(b, MARKER_FILE), 'utf8')).toBe(fs.readFileSync(path.join(a, MARKER_FILE), 'utf8'));
  });
});

describe('new ids never reuse a folder', () => {
  it('an older database restored next to newer folders: the new import moves them aside', async () => {
    const dir = folder();
    await synth(dir, 1);
    const backup = path.join(path.dirname(dir), 'backup.db');
    const ck = await runCli(['jobs', 'list', '--json'], dir); // leaves the WAL checkpointed on close
    expect(ck.code).toBe(0);
    fs.copyFileSync(path.join(dir, 'winnow.db'), backup);
    await synth(dir, 2);
    const second = imagesOf(dir, 2);
    // the user restores the backup: it knows dataset 1 and job 1 only
    for (const f of ['winnow.db-wal', 'winnow.db-shm']) fs.rmSync(path.join(dir, f), { force: true });
    fs.copyFileSync(backup, path.join(dir, 'winnow.db'));
    await synth(dir, 3);
    const leftovers = fs.readdirSync(path.join(dir, 'leftovers'));
    const moved = leftovers.find((n) => n.startsWith('datasets-2-'));
    expect(moved, leftovers.join(', ')).toBeDefined();
    expect(fs.readFileSync(path.join(dir, 'leftovers', moved!, 'images.u8')).equals(second)).toBe(true);
    expect(leftovers.some((n) => n.startsWith('jobs-2-'))).toBe(true);
    expect(imagesOf(dir, 2).equals(second)).toBe(false); // the new dataset 2 is the new import
  });
});
