/**
 * Checkpoints carry each file's length and SHA-256; the previous good one is kept until a new one is verified.
 * Every kind of damage falls back to the previous checkpoint with a message, or — when none is usable — names the
 * damaged file and offers a restart from scratch; a full disk while writing one keeps the last good one.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CheckpointDamagedError, readCheckpoint, writeCheckpoint } from '../../main/engine/search/checkpoint.js';
import { Store } from '../../main/store/index.js';
import { importWithCli, runCliJson } from '../helpers/cli-data.js';
import { TINY_NB201_SEARCH, flags, runCli } from '../helpers/cli.js';
import { scratch } from '../helpers/scratch.js';

afterEach(() => {
  vi.restoreAllMocks();
});

function jobDir(): string {
  const dir = path.join(scratch(), 'data', 'jobs', '7');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

const arrays = (x: number) =>
  new Map([
    ['w:a', Float32Array.from({ length: 1000 }, (_, i) => i * x)],
    ['sgd:b', Float32Array.from([x])],
  ]);

const DAMAGE: Array<[string, (cp: string) => void, RegExp]> = [
  [
    'checkpoint.json cut short',
    (cp) => fs.truncateSync(path.join(cp, 'checkpoint.json'), 20),
    /checkpoint\/checkpoint\.json (is damaged|has 20 bytes)/,
  ],
  [
    'arrays.f32 cut to an odd length',
    (cp) => fs.truncateSync(path.join(cp, 'arrays.f32'), 1001),
    /checkpoint\/arrays\.f32 has 1001 bytes/,
  ],
  [
    'arrays.f32 cut by whole floats',
    (cp) => fs.truncateSync(path.join(cp, 'arrays.f32'), 400),
    /checkpoint\/arrays\.f32 has 400 bytes/,
  ],
  [
    'arrays.f32 filled with 0xFF',
    (cp) =>
      fs.writeFileSync(path.join(cp, 'arrays.f32'), Buffer.alloc(fs.statSync(path.join(cp, 'arrays.f32')).size, 0xff)),
    /checkpoint\/arrays\.f32 does not match its checksum/,
  ],
  ['arrays.f32 deleted', (cp) => fs.rmSync(path.join(cp, 'arrays.f32')), /checkpoint\/arrays\.f32 is missing/],
  [
    'manifest.json damaged',
    (cp) => fs.writeFileSync(path.join(cp, 'manifest.json'), '{"vers'),
    /checkpoint\/manifest\.json is damaged/,
  ],
];

describe('damaged checkpoints', () => {
  it.each(DAMAGE)('%s: falls back to the previous checkpoint and says so', (_what, damage, why) => {
    const dir = path.join(jobDir(), 'checkpoint');
    writeCheckpoint(dir, { epochsDone: 1 }, arrays(1));
    writeCheckpoint(dir, { epochsDone: 2 }, arrays(2));
    damage(dir);
    const log = vi.fn();
    const got = readCheckpoint<{ epochsDone: number }>(dir, log)!;
    expect(got.meta.epochsDone).toBe(1);
    expect(got.arrays.get('sgd:b')![0]).toBe(1);
    expect(log).toHaveBeenCalledOnce();
    expect(log.mock.calls[0]![0]).toMatch(why);
    expect(log.mock.calls[0]![0]).toMatch(/continuing from the previous one \(checkpoint\.prev\)/);
    // the next write never lets the damaged one replace the good previous one
    writeCheckpoint(dir, { epochsDone: 2 }, arrays(2));
    expect(readCheckpoint<{ epochsDone: number }>(dir)!.meta.epochsDone).toBe(2);
    expect(readCheckpoint<{ epochsDone: number }>(`${dir}.prev`)!.meta.epochsDone).toBe(1);
  });

  it.each(DAMAGE)('%s, no previous one: the error names the file and offers a restart', (_what, damage, why) => {
    const dir = path.join(jobDir(), 'checkpoint');
    writeCheckpoint(dir, { epochsDone: 1 }, arrays(1));
    damage(dir);
    let error: unknown;
    try {
      readCheckpoint(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointDamagedError);
    expect((error as Error).message).toMatch(why);
    expect((error as Error).message).toContain('winnow jobs resume 7 --restart');
  });

  it('ENOSPC while writing: the disk-full message, the last good checkpoint untouched, no half-written folder', () => {
    const dir = path.join(jobDir(), 'checkpoint');
    writeCheckpoint(dir, { epochsDone: 1 }, arrays(1));
    const real = fs.writeSync;
    vi.spyOn(fs, 'writeSync').mockImplementation(((...args: Parameters<typeof fs.writeSync>) => {
      if (typeof args[1] !== 'string' && (args[1] as Uint8Array).length > 1000)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (real as (...a: unknown[]) => number)(...args);
    }) as typeof fs.writeSync);
    expect(() => writeCheckpoint(dir, { epochsDone: 2 }, arrays(2))).toThrow(
      new RegExp(
        `^The disk holding ${path.dirname(path.dirname(path.dirname(dir))).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is full \\(needs about 1 MB\\)`,
      ),
    );
    vi.restoreAllMocks();
    expect(fs.existsSync(`${dir}.tmp`)).toBe(false);
    expect(readCheckpoint<{ epochsDone: number }>(dir)!.meta.epochsDone).toBe(1);
  });
});

// ---- through the CLI: a tiny NAS-Bench-201 search on the wasm backend ---------------------------------------------

const SEARCH = ['search', ...flags({ dataset: 1, ...TINY_NB201_SEARCH })];

interface SearchOut {
  jobId: number;
  state: string;
  error?: string;
  genotype: unknown;
  alphas: unknown;
  final: unknown;
}

async function dataFolder(): Promise<string> {
  const dir = scratch('data');
  await importWithCli(dir, ['dataset', 'synth', 'chroma', '--n', '60', '--size', '16']);
  return dir;
}

function markInterrupted(dir: string, jobId: number): void {
  const store = Store.open(path.join(dir, 'winnow.db'));
  store.db
    .prepare("UPDATE jobs SET state = 'interrupted', owner_pid = NULL, worker_pid = NULL WHERE id = ?")
    .run(jobId);
  store.close();
}

describe('resuming a search whose checkpoint is damaged (CLI)', () => {
  it('falls back with a message and ends as the straight run did; with both damaged, --restart runs it again', async () => {
    const dir = await dataFolder();
    const want = await runCliJson<SearchOut>(SEARCH, dir, 120_000);
    const cp = path.join(dir, 'jobs', String(want.jobId), 'checkpoint');

    markInterrupted(dir, want.jobId);
    fs.writeFileSync(path.join(cp, 'arrays.f32'), Buffer.alloc(fs.statSync(path.join(cp, 'arrays.f32')).size, 0xff));
    const got = await runCliJson<SearchOut>(['search', '--resume', String(want.jobId)], dir, 120_000);
    expect([got.genotype, got.alphas, got.final]).toEqual([want.genotype, want.alphas, want.final]);
    const log = await runCli(['jobs', 'show', String(want.jobId), '--json'], dir);
    expect(log.stdout).toMatch(
      /The latest checkpoint is damaged \(checkpoint\/arrays\.f32 does not match its checksum/,
    );

    markInterrupted(dir, want.jobId);
    fs.truncateSync(path.join(cp, 'checkpoint.json'), 10);
    fs.truncateSync(path.join(`${cp}.prev`, 'arrays.f32'), 8);
    const refused = await runCli(['search', '--resume', String(want.jobId), '--json'], dir, 120_000);
    expect(refused.code).toBe(1);
    const why = (JSON.parse(refused.stdout) as SearchOut).error ?? '';
    expect(why).toMatch(/checkpoint\/checkpoint\.json .*checkpoint\.prev\/arrays\.f32 has 8 bytes/);
    expect(why).toContain(`winnow jobs resume ${want.jobId} --restart`);
    const restarted = await runCliJson<{ result: SearchOut }>(
      ['jobs', 'resume', String(want.jobId), '--restart'],
      dir,
      120_000,
    );
    const again = restarted.result;
    expect([again.genotype, again.alphas, again.final]).toEqual([want.genotype, want.alphas, want.final]);
    expect(fs.readdirSync(path.join(dir, 'leftovers')).some((n) => n.startsWith(`jobs-${want.jobId}-`))).toBe(true);
  });
});
