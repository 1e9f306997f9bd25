/**
 * `winnow search --algorithm <name>` through the built CLI: GDAS (the cheapest: one operation per edge) runs one
 * epoch of a tiny search on a slice of the MNIST sample with its own flag and records itself in the result and the
 * genotype's provenance; an algorithm the space does not define, and an unknown one, are refused before anything
 * starts, with the reason. Every algorithm's search and resume run in-process in search-algo.test.ts (through the
 * CLI each search would also test the supernet on the whole test split: minutes on a loaded 2-core machine).
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseGenotypeJson } from '../../shared/genotype.js';
import type { SearchResult } from '../../shared/search.js';
import { cliDataFolder } from '../helpers/cli-data.js';
import { runCli } from '../helpers/cli.js';

/** The sample with 5% held out for testing (the least allowed): the supernet's test pass over 501 images, not 2,000. */
const data = cliDataFolder(['dataset', 'sample', 'mnist', '--test-fraction', '0.05'], 180_000);
const dataDir = data.dir;

/** 4 images per class (2 train_w + 2 train_α), batch 8, 4 channels, 1 epoch: seconds per search on wasm. */
const TINY = ['--batch', '8', '--channels', '4', '--seed', '3', '--limit-per-class', '4', '--epochs', '1'];

describe('winnow search --algorithm', () => {
  it.each([['gdas', 'nb201', ['--tau-max', '5']]] as const)(
    '%s runs a search on %s and records itself',
    async (algorithm, space, extra) => {
      const r = await runCli(
        [
          'search',
          '--dataset',
          String(data.datasetId),
          '--space',
          space,
          '--algorithm',
          algorithm,
          ...TINY,
          ...extra,
          '--json',
        ],
        dataDir,
        300_000,
      );
      expect(r.code, r.stderr).toBe(0);
      const out = JSON.parse(r.stdout) as SearchResult & { state: string };
      expect(out).toMatchObject({ state: 'done', algorithm, space });
      const json = parseGenotypeJson(fs.readFileSync(out.files.genotypeJson, 'utf8'));
      expect(json.provenance.algorithm).toBe(algorithm);
      expect(json.provenance.algorithmParams).toEqual({ tauMax: 5, tauMin: 0.1 });
    },
    300_000,
  );

  it('refuses PC-DARTS on the NAS-Bench-201 space, saying why', async () => {
    const r = await runCli(
      ['search', '--dataset', String(data.datasetId), '--space', 'nb201', '--algorithm', 'pc-darts', ...TINY],
      dataDir,
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/defined on the DARTS space/);
  });

  it('refuses an unknown algorithm with the list', async () => {
    const r = await runCli(['search', '--dataset', String(data.datasetId), '--algorithm', 'nope'], dataDir);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/darts2/);
  });
});
