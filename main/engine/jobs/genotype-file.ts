/**
 * A job's genotype.json: the genotype it found with the provenance that says where it came from (the app, the job,
 * the dataset's content fingerprint, then what the job adds), written into the job folder and reported as an
 * artifact. Searches and rankings write one; evaluations read it back.
 */
import fs from 'node:fs';
import { toGenotypeJson, type Genotype, type GenotypeProvenance } from '../../../shared/genotype.js';
import type { JobContext } from './context.js';
import type { DatasetJobContext } from './dataset-context.js';

/** What the job itself says about the run; the rest of the provenance comes from its context. */
export type GenotypeRun = Omit<
  GenotypeProvenance,
  'app' | 'createdAt' | 'jobId' | 'datasetId' | 'datasetName' | 'datasetHash'
>;

export function writeGenotypeFile(
  ctx: JobContext<Pick<DatasetJobContext, 'datasetId' | 'datasetName' | 'datasetHash'> & { app: string }>,
  file: string,
  genotype: Genotype,
  run: GenotypeRun,
): void {
  const c = ctx.hostContext;
  const json = toGenotypeJson(genotype, {
    app: c.app,
    createdAt: new Date().toISOString(),
    jobId: ctx.jobId,
    datasetId: c.datasetId,
    datasetName: c.datasetName,
    datasetHash: c.datasetHash,
    ...run,
  });
  fs.writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  ctx.emit({ type: 'artifact', name: 'genotype', path: file, mime: 'application/json' });
}
