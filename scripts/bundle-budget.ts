/**
 * The renderer's size budget, checked by every build (vite.config.ts): what the window must load to show one page —
 * the entry chunk, the page's chunk and every chunk they import statically — stays within PAGE_BUDGET_BYTES. The
 * pages are separate chunks (App.svelte imports them lazily), so this is the size that decides how soon a page
 * appears; the sum of all chunks is reported beside it.
 */

/** The most a page may load, in bytes (450 KB). */
export const PAGE_BUDGET_BYTES = 450_000;

/** One emitted chunk, as Rollup describes it in `generateBundle`. */
export interface ChunkFacts {
  fileName: string;
  /** The chunk's code size in bytes. */
  bytes: number;
  isEntry: boolean;
  /** Loaded through `import()` (a page). */
  isDynamicEntry: boolean;
  /** Chunks it imports statically (they load with it). */
  imports: readonly string[];
}

export interface PageLoad {
  /** The page chunk's file name (the entry's own, for the entry). */
  chunk: string;
  /** Bytes the window loads to show it: the entry's closure plus the page's. */
  bytes: number;
}

export interface BundleReport {
  totalBytes: number;
  entryBytes: number;
  pages: PageLoad[];
  /** The pages whose load exceeds the budget, largest first. */
  overBudget: PageLoad[];
}

/** The chunk and everything it imports statically, transitively. */
function closure(start: string, byName: ReadonlyMap<string, ChunkFacts>, into: Set<string>): Set<string> {
  const stack = [start];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (into.has(name)) continue;
    const chunk = byName.get(name);
    if (!chunk) throw new Error(`The bundle names a chunk it did not emit: ${name}`);
    into.add(name);
    stack.push(...chunk.imports);
  }
  return into;
}

export function bundleReport(chunks: readonly ChunkFacts[], budget = PAGE_BUDGET_BYTES): BundleReport {
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const sum = (names: Iterable<string>) => [...names].reduce((n, name) => n + byName.get(name)!.bytes, 0);
  const entries = chunks.filter((c) => c.isEntry);
  if (entries.length !== 1) throw new Error(`Expected one entry chunk, found ${entries.length}.`);
  const entryClosure = closure(entries[0]!.fileName, byName, new Set());
  const pages = chunks
    .filter((c) => c.isDynamicEntry)
    .map((c) => ({ chunk: c.fileName, bytes: sum(closure(c.fileName, byName, new Set(entryClosure))) }))
    .sort((a, b) => b.bytes - a.bytes);
  return {
    totalBytes: sum(byName.keys()),
    entryBytes: sum(entryClosure),
    pages,
    overBudget: pages.filter((p) => p.bytes > budget),
  };
}

const kb = (bytes: number) => `${Math.round(bytes / 1000)} KB`;

/** One line for the build log. */
export function describeReport(r: BundleReport, budget = PAGE_BUDGET_BYTES): string {
  const largest = r.pages[0];
  const page = largest
    ? `, largest page ${largest.chunk.replace(/^.*\//, '').replace(/-[\w-]+\.js$/, '')} ${kb(largest.bytes)}`
    : '';
  return `renderer: entry ${kb(r.entryBytes)}${page} (budget ${kb(budget)} a page), all chunks ${kb(r.totalBytes)}`;
}
