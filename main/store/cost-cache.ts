/**
 * Cost before Start's calibrations, kept in the data folder (`cost-calibration.json`) so a shape timed once is
 * estimated at once ever after, across restarts. One small JSON document, written whole to a temporary file,
 * flushed and renamed over the old one (as the folder's marker is): a crash leaves the old or the new, never half.
 * Read back through zod; a damaged or foreign file counts as empty (the shapes are timed again), never an error.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

export const COST_CACHE_FILE = 'cost-calibration.json';

const Entry = z.object({
  backend: z.string(),
  secondsPerImage: z.number().positive(),
  weights: z.number().int().min(0),
  /** When it was measured (ms since the epoch). */
  at: z.number(),
});
export type CostCacheEntry = z.infer<typeof Entry>;

const Doc = z.object({ version: z.literal(1), entries: z.record(z.string(), Entry) });

/** At most this many shapes are kept (the oldest go first). */
const MAX_ENTRIES = 500;

export class CostCache {
  private readonly file: string;
  constructor(dataDir: string) {
    this.file = path.join(dataDir, COST_CACHE_FILE);
  }

  private read(): Record<string, CostCacheEntry> {
    try {
      const parsed = Doc.safeParse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
      return parsed.success ? parsed.data.entries : {};
    } catch {
      return {};
    }
  }

  get(key: string): CostCacheEntry | null {
    return this.read()[key] ?? null;
  }

  set(key: string, entry: CostCacheEntry): void {
    const entries = { ...this.read(), [key]: entry };
    const kept = Object.entries(entries)
      .sort((a, b) => b[1].at - a[1].at)
      .slice(0, MAX_ENTRIES);
    const tmp = `${this.file}.${process.pid}.tmp`;
    const fd = fs.openSync(tmp, 'w');
    try {
      fs.writeSync(fd, `${JSON.stringify({ version: 1, entries: Object.fromEntries(kept) }, null, 1)}\n`);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, this.file);
  }
}
