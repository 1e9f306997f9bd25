/**
 * A model folder as Winnow exports it: a standard TensorFlow.js LayersModel (model.json + weights.bin, loadable
 * with tf.loadLayersModel in any tfjs app), report.json (ModelReportFile) and, for searched networks, genotype.json.
 * This module checks a folder without loading tfjs, so the host can validate an import before copying anything.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ModelReportFile } from '../../../shared/evaluate.js';

export const MODEL_FILES = {
  modelJson: 'model.json',
  weights: 'weights.bin',
  report: 'report.json',
  genotype: 'genotype.json',
} as const;

/** A folder that is not a usable model; the message says what is wrong and what to do. */
export class ModelFolderError extends Error {
  override name = 'ModelFolderError';
}

interface WeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string };
}

export interface ModelJson {
  modelTopology: Record<string, unknown>;
  format?: string;
  weightsManifest: Array<{ paths: string[]; weights: WeightSpec[] }>;
  [k: string]: unknown;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 };

/** Bytes the manifest's weights occupy (quantised weights by their stored type). */
export function manifestBytes(manifest: ModelJson['weightsManifest']): number {
  let total = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const per = BYTES[w.quantization?.dtype ?? w.dtype];
      if (per === undefined)
        throw new ModelFolderError(
          `Weight "${w.name}" has type ${w.quantization?.dtype ?? w.dtype}, which Winnow cannot read.`,
        );
      total += w.shape.reduce((a, b) => a * b, 1) * per;
    }
  }
  return total;
}

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ModelFolderError(
      `${what} is missing: ${file}. Choose a model Winnow exported: its folder holds model.json, weights.bin and report.json.`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ModelFolderError(`${what} is not valid JSON (${(e as Error).message}): ${file}.`);
  }
}

/**
 * Reads and checks a model folder: model.json is a LayersModel with a weights manifest whose files exist, lie in
 * the folder and hold exactly the bytes the manifest names; report.json is Winnow's. Throws ModelFolderError.
 */
export function readModelFolder(dir: string): {
  modelJson: ModelJson;
  report: ModelReportFile;
  weightFiles: string[];
  hasGenotype: boolean;
} {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new ModelFolderError(
      `${dir} is neither a model folder nor a .winnow-model.zip. Choose the exported archive, or the folder that holds model.json.`,
    );
  const raw = readJson(path.join(dir, MODEL_FILES.modelJson), 'model.json') as Partial<ModelJson>;
  if (
    !raw ||
    typeof raw !== 'object' ||
    typeof raw.modelTopology !== 'object' ||
    raw.modelTopology === null ||
    !Array.isArray(raw.weightsManifest)
  ) {
    throw new ModelFolderError(
      `${path.join(dir, MODEL_FILES.modelJson)} is not a TensorFlow.js LayersModel (it needs modelTopology and weightsManifest). Graph models cannot be imported.`,
    );
  }
  const modelJson = raw as ModelJson;
  const weightFiles: string[] = [];
  for (const group of modelJson.weightsManifest) {
    if (!Array.isArray(group.paths) || !Array.isArray(group.weights))
      throw new ModelFolderError('model.json has a malformed weightsManifest entry (it needs paths and weights).');
    for (const p of group.paths) {
      // weights must live in the folder itself: a manifest must not reach elsewhere on the disk
      if (typeof p !== 'string' || p !== path.basename(p) || p === '.' || p === '..')
        throw new ModelFolderError(
          `model.json names the weights file "${String(p)}", which is not a file name in the model's folder.`,
        );
      if (!fs.existsSync(path.join(dir, p)))
        throw new ModelFolderError(`The weights file ${p} that model.json names is missing from ${dir}.`);
      weightFiles.push(p);
    }
  }
  const expected = manifestBytes(modelJson.weightsManifest);
  const actual = weightFiles.reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
  if (expected !== actual)
    throw new ModelFolderError(
      `The weights files hold ${actual} bytes but model.json describes ${expected}: the folder is incomplete or from another model.`,
    );
  const reportRaw = readJson(path.join(dir, MODEL_FILES.report), 'report.json');
  const parsed = ModelReportFile.safeParse(reportRaw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ModelFolderError(
      `report.json is not a Winnow model report (${first.path.join('.') || 'document'}: ${first.message}). Winnow needs the input size, normalisation and class names it records; export the model with Winnow.`,
    );
  }
  const p = parsed.data.preprocessing;
  if (p.mean.length !== p.channels || p.std.length !== p.channels || p.std.some((s) => !(s > 0))) {
    throw new ModelFolderError(
      "report.json's normalisation does not match its channel count (one mean and one positive std per channel).",
    );
  }
  return {
    modelJson,
    report: parsed.data,
    weightFiles,
    hasGenotype: fs.existsSync(path.join(dir, MODEL_FILES.genotype)),
  };
}
