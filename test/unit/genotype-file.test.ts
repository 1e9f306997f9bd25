import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGenotypeJson } from '../../shared/genotype.js';
import type { JobEvent } from '../../shared/jobs.js';
import { parseNb201 } from '../../shared/genotype/text.js';
import { createJobContext } from '../../main/engine/jobs/context.js';
import { writeGenotypeFile, type GenotypeRun } from '../../main/engine/jobs/genotype-file.js';
import { NB201_BEST } from '../fixtures/genotypes.js';
import { scratch } from '../helpers/scratch.js';

describe('writeGenotypeFile', () => {
  it('writes the genotype with the context provenance and the run, and reports the artifact', () => {
    const dir = scratch();
    const events: JobEvent[] = [];
    const hostContext = { app: 'Winnow 9.9', datasetId: 4, datasetName: 'digits', datasetHash: 'sha256:ab' };
    const ctx = createJobContext(
      {
        jobId: 12,
        jobDir: dir,
        resume: false,
        backendPreference: 'auto',
        signal: new AbortController().signal,
        hostContext,
      },
      (e) => events.push(e),
    );
    const file = path.join(dir, 'genotype.json');
    const genotype = parseNb201(NB201_BEST);
    const before = Date.now();
    const run: GenotypeRun = {
      space: 'nb201',
      strategy: 'naswot-random',
      seed: 3,
      epochs: 0,
      alphas: null,
      metrics: { cellsScored: 100 },
    };
    writeGenotypeFile(ctx, file, genotype, run);
    const doc = parseGenotypeJson(fs.readFileSync(file, 'utf8'));
    expect(doc.genotype).toEqual(genotype);
    const { createdAt, ...rest } = doc.provenance;
    expect(rest).toEqual({
      app: 'Winnow 9.9',
      jobId: 12,
      datasetId: 4,
      datasetName: 'digits',
      datasetHash: 'sha256:ab',
      ...run,
    });
    expect(Date.parse(createdAt)).toBeGreaterThanOrEqual(before - 1000);
    expect(events).toEqual([{ type: 'artifact', name: 'genotype', path: file, mime: 'application/json' }]);
  });
});
