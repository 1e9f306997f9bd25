/**
 * A damaged database is refused at open (PRAGMA quick_check) with the backup advice, never used half-read;
 * `winnow doctor` runs the full check, lists what folders and rows disagree on, and --repair cleans what is safe.
 */
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DoctorReport } from '../../main/store/doctor.js';
import { runCli } from '../helpers/cli.js';
import { tempDir } from '../helpers/tmp.js';
import { scratch } from '../helpers/scratch.js';

let template = '';
beforeAll(async () => {
  const t = tempDir('winnow-faults-');
  template = path.join(t.dir, 'template');
  const r = await runCli(['dataset', 'synth', 'chroma', '--n', '200', '--size', '16', '--json'], template);
  expect(r.code, r.stderr).toBe(0);
  return t.cleanup;
});

/** A fresh copy of a data folder holding one dataset (the database checkpointed: no WAL beside it). */
function copy(): string {
  const dir = scratch('data');
  fs.cpSync(template, dir, { recursive: true });
  return dir;
}

function damagePages(db: string): void {
  const fd = fs.openSync(db, 'r+');
  const pages = Math.floor(fs.fstatSync(fd).size / 4096);
  for (let p = 2; p < pages; p += 3) fs.writeSync(fd, Buffer.alloc(32, 0xff), 0, 32, p * 4096);
  fs.closeSync(fd);
}

describe('a damaged database', () => {
  it.each([
    ['truncated', (db: string) => fs.truncateSync(db, Math.floor(fs.statSync(db).size / 2))],
    ['overwritten pages', damagePages],
  ])('%s: refused with the backup advice, files untouched, doctor says damaged', async (_what, damage) => {
    const dir = copy();
    const images = fs.readFileSync(path.join(dir, 'datasets', '1', 'images.u8'));
    damage(path.join(dir, 'winnow.db'));
    const list = await runCli(['dataset', 'list', '--json'], dir);
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`The database ${path.join(dir, 'winnow.db')} is damaged`);
    expect(list.stderr).toContain('Restore winnow.db from a backup');
    expect(list.stderr).not.toMatch(/\n\s+at /);
    const doc = await runCli(['doctor', '--json'], dir);
    expect(doc.code).toBe(1);
    const report = JSON.parse(doc.stdout) as DoctorReport;
    expect(report.integrity).toBe('damaged');
    expect(report.healthy).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'datasets', '1', 'images.u8')).equals(images)).toBe(true);
  });
});

describe('winnow doctor', () => {
  it('a healthy folder: exit 0, no problems', async () => {
    const dir = copy();
    const r = await runCli(['doctor', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ integrity: 'ok', problems: [], healthy: true });
  });

  it('lists orphan folders, partial outputs and rows without folders; --repair moves and removes what is safe', async () => {
    const dir = copy();
    fs.mkdirSync(path.join(dir, 'datasets', '9'));
    fs.writeFileSync(path.join(dir, 'datasets', '9', 'images.u8'), 'x');
    fs.mkdirSync(path.join(dir, 'jobs', '1', 'staging'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'jobs', '1', 'checkpoint.tmp'), { recursive: true });
    fs.rmSync(path.join(dir, 'winnow-folder.json'));
    const check = await runCli(['doctor', '--json'], dir);
    expect(check.code).toBe(1);
    const before = JSON.parse(check.stdout) as DoctorReport;
    expect(before.problems.map((p) => p.kind).sort()).toEqual(['marker', 'orphan-folder', 'staging', 'staging']);
    expect(fs.existsSync(path.join(dir, 'datasets', '9'))).toBe(true); // without --repair nothing changes
    const repair = await runCli(['doctor', '--repair', '--json'], dir);
    expect(repair.code, repair.stdout).toBe(0);
    expect(fs.existsSync(path.join(dir, 'datasets', '9'))).toBe(false);
    const moved = fs.readdirSync(path.join(dir, 'leftovers'));
    expect(moved.some((n) => n.startsWith('datasets-9-'))).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'jobs', '1'))).toEqual([]);
    expect(fs.existsSync(path.join(dir, 'winnow-folder.json'))).toBe(true);
    const after = await runCli(['doctor'], dir);
    expect(after.code, after.stderr).toBe(0);
    // a row whose folder is gone is reported (deleting rows is the user's call)
    fs.rmSync(path.join(dir, 'datasets', '1'), { recursive: true });
    const missing = await runCli(['doctor'], dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("dataset 1's folder datasets/1 is missing");
  });
});
