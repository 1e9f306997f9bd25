import { describe, expect, it } from 'vitest';
import { bundleReport, describeReport, type ChunkFacts } from '../../scripts/bundle-budget.js';

const chunk = (fileName: string, bytes: number, imports: string[] = [], kind: 'entry' | 'page' | 'shared' = 'shared') =>
  ({ fileName, bytes, imports, isEntry: kind === 'entry', isDynamicEntry: kind === 'page' }) satisfies ChunkFacts;

describe('the renderer page budget', () => {
  // entry → runtime; page A → chart → runtime (counted once); page B → small; chart is shared by A only.
  const chunks = [
    chunk('assets/index-1.js', 100, ['assets/runtime-1.js'], 'entry'),
    chunk('assets/runtime-1.js', 50),
    chunk('assets/A-1.js', 200, ['assets/chart-1.js', 'assets/runtime-1.js'], 'page'),
    chunk('assets/chart-1.js', 170, ['assets/runtime-1.js']),
    chunk('assets/B-1.js', 30, [], 'page'),
  ];

  it('counts what each page loads with the entry, shared chunks once', () => {
    const r = bundleReport(chunks, 1000);
    expect(r.entryBytes).toBe(150);
    expect(r.totalBytes).toBe(550);
    expect(r.pages).toEqual([
      { chunk: 'assets/A-1.js', bytes: 520 },
      { chunk: 'assets/B-1.js', bytes: 180 },
    ]);
    expect(r.overBudget).toEqual([]);
  });

  it('names the pages over budget', () => {
    const r = bundleReport(chunks, 500);
    expect(r.overBudget.map((p) => p.chunk)).toEqual(['assets/A-1.js']);
    expect(describeReport(r, 500)).toBe(
      'renderer: entry 0 KB, largest page A 1 KB (budget 1 KB a page), all chunks 1 KB',
    );
  });

  it('refuses a graph that names a chunk it did not emit', () => {
    expect(() => bundleReport([chunk('i.js', 1, ['missing.js'], 'entry')])).toThrow(/missing\.js/);
  });
});
