/** Model folders written by hand for the models API tests (no engine): a 2x3 float32 weight and its report. */
import fs from 'node:fs';
import path from 'node:path';
import type { ModelReportFile } from '../../shared/evaluate.js';
import { modelReport } from './models.js';
import { scratch } from './scratch.js';

export const WEIGHTS = Buffer.from(Array.from({ length: 24 }, (_, i) => (i * 37 + 5) % 256));
export const MODEL_JSON = JSON.stringify({
  format: 'layers-model',
  modelTopology: {},
  weightsManifest: [{ paths: ['weights.bin'], weights: [{ name: 'a', shape: [2, 3], dtype: 'float32' }] }],
});

export function modelFolder(opts: { report?: ModelReportFile; weights?: Buffer; genotype?: string } = {}): string {
  const dir = path.join(scratch(), 'export');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'model.json'), MODEL_JSON);
  fs.writeFileSync(path.join(dir, 'weights.bin'), opts.weights ?? WEIGHTS);
  fs.writeFileSync(path.join(dir, 'report.json'), JSON.stringify(opts.report ?? modelReport(), null, 2));
  if (opts.genotype) fs.writeFileSync(path.join(dir, 'genotype.json'), opts.genotype);
  return dir;
}

/** Every file under `dir` with its bytes (as hex), to see that nothing changed. */
export function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs
      .readdirSync(dir)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('hex')]),
  );
}
