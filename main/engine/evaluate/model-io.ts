/**
 * Writing and reading model folders with tfjs: the inference model as a standard LayersModel (model.json with one
 * weights.bin), plus report.json and genotype.json. The layout is what tf.loadLayersModel expects over HTTP or from
 * files, so an exported folder drops into any TensorFlow.js app or the tfjs-to-Keras converter.
 */
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { ModelReportFile } from '../../../shared/evaluate.js';
import { MODEL_FILES, readModelFolder, type ModelJson } from './model-folder.js';

/** Writes model.json + weights.bin (+ report.json, genotype.json when given) into `dir` (created if needed). */
export async function saveModelFolder(
  dir: string,
  model: tf.LayersModel,
  report: ModelReportFile,
  genotypeJson?: string,
): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights =
        artifacts.weightData === undefined
          ? new ArrayBuffer(0)
          : tf.io.concatenateArrayBuffers(artifacts.weightData as ArrayBuffer | ArrayBuffer[]);
      // the layout tfjs' own file and HTTP handlers write (tfjs-core io_utils getModelJSONForModelArtifacts)
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [MODEL_FILES.weights], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      fs.writeFileSync(path.join(dir, MODEL_FILES.weights), Buffer.from(weights));
      fs.writeFileSync(path.join(dir, MODEL_FILES.modelJson), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.byteLength },
      };
    }),
  );
  fs.writeFileSync(path.join(dir, MODEL_FILES.report), `${JSON.stringify(report, null, 2)}\n`);
  if (genotypeJson !== undefined)
    fs.writeFileSync(
      path.join(dir, MODEL_FILES.genotype),
      genotypeJson.endsWith('\n') ? genotypeJson : `${genotypeJson}\n`,
    );
}

/** Loads a model folder's LayersModel (what a tfjs app would do with tf.loadLayersModel) and its report. */
export async function loadModelFolder(dir: string): Promise<{ model: tf.LayersModel; report: ModelReportFile }> {
  const { modelJson, report } = readModelFolder(dir);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson as unknown as tf.io.ModelJSON, async (manifest) => {
    const specs = manifest.flatMap((g) => g.weights);
    const buffers = manifest.flatMap((g) =>
      g.paths.map((p) => {
        const b = fs.readFileSync(path.join(dir, p));
        return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
      }),
    );
    return [specs, tf.io.concatenateArrayBuffers(buffers)];
  });
  const model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  return { model, report };
}

export type { ModelJson };
