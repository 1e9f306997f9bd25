/**
 * Search checkpoints (write / read / the `.old` fallback / version check), the per-class limit of the search
 * pools, and the `full` selection strategy's per-epoch shuffles.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SearchHalf } from '../../shared/datasets.js';
import { CHECKPOINT_VERSION, readCheckpoint, writeCheckpoint } from '../../main/engine/search/checkpoint.js';
import { searchPools } from '../../main/engine/search/darts.js';
import { FullSelection } from '../../main/engine/selection/full.js';
import type { SelectionPools } from '../../main/engine/selection/strategy.js';

interface Meta {
  epochsDone: number;
  history: Array<{ epoch: number; loss: number }>;
  selection: unknown;
  note: string;
}

const META: Meta = {
  epochsDone: 3,
  history: [
    { epoch: 1, loss: 2.5 },
    { epoch: 2, loss: 1.25 },
  ],
  selection: { seed: 7, order: [3, 1, 2] },
  note: 'ünïcødé ✓',
};

function arrays(): Map<string, Float32Array> {
  return new Map([
    ['w:stem.conv', Float32Array.from({ length: 27 }, (_, i) => i / 7 - 1.5)],
    ['a:alpha.normal', Float32Array.from([1e-3, -2e-3, Math.PI, -0, 3.4e38, 1.2e-38])],
    ['sgd:momentum:empty', new Float32Array(0)],
    ['adam:m:x', Float32Array.from([42])],
  ]);
}

describe('search checkpoints', () => {
  let root: string;
  let dir: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'winnow-checkpoint-'));
    dir = path.join(root, 'checkpoint');
  });
  afterEach(() => {
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('round trip: meta and every array (order, length, exact float32 bits)', () => {
    const a = arrays();
    writeCheckpoint(dir, META, a);
    const got = readCheckpoint<Meta>(dir);
    expect(got).not.toBeNull();
    expect(got!.meta).toEqual(META);
    expect([...got!.arrays.keys()]).toEqual([...a.keys()]);
    for (const [k, v] of a) {
      const r = got!.arrays.get(k)!;
      expect(r).toBeInstanceOf(Float32Array);
      expect(new Uint8Array(r.buffer, r.byteOffset, r.byteLength)).toEqual(
        new Uint8Array(v.buffer, v.byteOffset, v.byteLength),
      );
    }
    // nothing left beside it
    expect(fs.readdirSync(root).sort()).toEqual(['checkpoint']);
  });

  it('the arrays read back are independent copies', () => {
    writeCheckpoint(dir, META, arrays());
    const got = readCheckpoint<Meta>(dir)!;
    got.arrays.get('adam:m:x')![0] = -1;
    expect(got.arrays.get('w:stem.conv')![0]).toBeCloseTo(-1.5, 6);
    expect(readCheckpoint<Meta>(dir)!.arrays.get('adam:m:x')![0]).toBe(42);
  });

  it('a second write replaces the first; a stale .tmp from a killed write is ignored and cleaned', () => {
    writeCheckpoint(dir, META, arrays());
    fs.mkdirSync(`${dir}.tmp`);
    fs.writeFileSync(path.join(`${dir}.tmp`, 'checkpoint.json'), '{ half written');
    const next = { ...META, epochsDone: 4 };
    writeCheckpoint(dir, next, new Map([['only', Float32Array.from([1, 2])]]));
    const got = readCheckpoint<Meta>(dir)!;
    expect(got.meta.epochsDone).toBe(4);
    expect([...got.arrays.keys()]).toEqual(['only']);
    // the replaced checkpoint is kept as the previous one (the fallback when the newest is damaged)
    expect(fs.readdirSync(root).sort()).toEqual(['checkpoint', 'checkpoint.prev']);
  });

  it('a missing directory reads as null', () => {
    expect(readCheckpoint(dir)).toBeNull();
    expect(readCheckpoint(path.join(root, 'nowhere', 'deeper'))).toBeNull();
  });

  it('a leftover .old is used when the main directory is missing (killed between the two renames)', () => {
    writeCheckpoint(dir, META, arrays());
    fs.renameSync(dir, `${dir}.old`);
    const got = readCheckpoint<Meta>(dir);
    expect(got).not.toBeNull();
    expect(got!.meta).toEqual(META);
    expect(got!.arrays.get('adam:m:x')![0]).toBe(42);
    // and the next write goes through cleanly
    writeCheckpoint(dir, { ...META, epochsDone: 5 }, arrays());
    expect(readCheckpoint<Meta>(dir)!.meta.epochsDone).toBe(5);
    expect(fs.readdirSync(root).sort()).toEqual(['checkpoint']);
  });

  it('an incomplete main directory falls back to .old', () => {
    writeCheckpoint(dir, META, arrays());
    fs.renameSync(dir, `${dir}.old`);
    fs.mkdirSync(dir);
    fs.writeFileSync(
      path.join(dir, 'checkpoint.json'),
      JSON.stringify({ version: CHECKPOINT_VERSION, meta: { epochsDone: 99 }, arrays: [] }),
    );
    expect(readCheckpoint<Meta>(dir)!.meta.epochsDone).toBe(3);
  });

  it('a version mismatch throws with a message that says what to do', () => {
    writeCheckpoint(dir, META, arrays());
    const file = path.join(dir, 'checkpoint.json');
    const doc = JSON.parse(fs.readFileSync(file, 'utf8')) as { version: number };
    expect(doc.version).toBe(CHECKPOINT_VERSION);
    fs.writeFileSync(file, JSON.stringify({ ...doc, version: CHECKPOINT_VERSION + 1 }));
    expect(() => readCheckpoint(dir)).toThrow(new RegExp(`version ${CHECKPOINT_VERSION + 1}.*Start the search again`));
  });
});

/** A dataset of `perClass[c]` rows per class, spread over train_w / train_α / held out in a fixed pattern. */
function dataset(perClass: number[]): { labels: number[]; halves: Array<SearchHalf | null>; classNames: string[] } {
  const labels: number[] = [];
  const halves: Array<SearchHalf | null> = [];
  const pattern: Array<SearchHalf | null> = ['w', 'a', 'w', null, 'a'];
  let k = 0;
  // interleave the classes so rows of one class are not contiguous
  const left = [...perClass];
  while (left.some((n) => n > 0)) {
    left.forEach((n, c) => {
      if (n <= 0) return;
      labels.push(c);
      halves.push(pattern[k++ % pattern.length]!);
      left[c] = n - 1;
    });
  }
  return { labels, halves, classNames: perClass.map((_, c) => `class${c}`) };
}

function count(rows: readonly number[], labels: readonly number[], classes: number): number[] {
  const n = new Array<number>(classes).fill(0);
  for (const r of rows) n[labels[r]!]!++;
  return n;
}

describe('searchPools', () => {
  const d = dataset([20, 9, 3]);
  const classes = 3;
  const available = (half: SearchHalf) =>
    count(
      d.halves.flatMap((h, r) => (h === half ? [r] : [])),
      d.labels,
      classes,
    );

  it('no limit: every train_w row to train, every train_α row to val, held-out rows nowhere', () => {
    const p = searchPools(d, null, 1);
    expect(p.classes).toBe(classes);
    expect(p.labels).toBe(d.labels);
    expect([...p.train].sort((a, b) => a - b)).toEqual(d.halves.flatMap((h, r) => (h === 'w' ? [r] : [])));
    expect([...p.val].sort((a, b) => a - b)).toEqual(d.halves.flatMap((h, r) => (h === 'a' ? [r] : [])));
  });

  it.each([8, 9, 4, 2, 1])('limit %i per class: at most floor(limit / 2) per class in each half', (limit) => {
    const cap = Math.floor(limit / 2);
    const p = searchPools(d, limit, 1);
    for (const [half, rows] of [
      ['w', p.train],
      ['a', p.val],
    ] as const) {
      for (const r of rows) expect(d.halves[r]).toBe(half);
      expect(new Set(rows).size).toBe(rows.length);
      const avail = available(half);
      expect(count(rows, d.labels, classes)).toEqual(avail.map((n) => Math.min(n, cap)));
    }
  });

  it('the choice is deterministic for a seed and depends on it', () => {
    const a = searchPools(d, 4, 1);
    const b = searchPools(d, 4, 1);
    expect(a.train).toEqual(b.train);
    expect(a.val).toEqual(b.val);
    const others = [2, 3, 4, 5, 6].map((s) => searchPools(d, 4, s));
    expect(
      others.some(
        (o) => JSON.stringify(o.train) !== JSON.stringify(a.train) || JSON.stringify(o.val) !== JSON.stringify(a.val),
      ),
    ).toBe(true);
  });
});

describe('FullSelection', () => {
  const pools: SelectionPools = {
    train: Array.from({ length: 40 }, (_, i) => 3 * i),
    val: Array.from({ length: 25 }, (_, i) => 3 * i + 1),
    labels: Array.from({ length: 120 }, (_, i) => i % 4),
    classes: 4,
  };
  const sorted = (a: readonly number[]) => [...a].sort((x, y) => x - y);

  it('each epoch is a permutation of the pools', () => {
    const s = new FullSelection(pools, 3);
    for (const epoch of [0, 1, 7]) {
      const e = s.select(epoch);
      expect(sorted(e.train)).toEqual(sorted(pools.train));
      expect(sorted(e.val)).toEqual(sorted(pools.val));
    }
    // the pools themselves are not shuffled in place
    expect(pools.train[1]).toBe(3);
  });

  it('same (seed, epoch) gives the same order, also from a fresh instance (resume); epochs and seeds differ', () => {
    const a = new FullSelection(pools, 3);
    const b = new FullSelection(pools, 3);
    b.restore();
    expect(b.select(2)).toEqual(a.select(2));
    expect(a.select(2)).toEqual(a.select(2));
    expect(a.select(0).train).not.toEqual(a.select(1).train);
    expect(a.select(0).val).not.toEqual(a.select(1).val);
    expect(new FullSelection(pools, 4).select(0).train).not.toEqual(a.select(0).train);
    // actually shuffled, not the pool order
    expect(a.select(0).train).not.toEqual(pools.train);
    expect(a.state()).toEqual({ seed: 3 });
  });
});
