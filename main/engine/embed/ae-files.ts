/**
 * The files of one autoencoder (staged by the job, moved to <data dir>/autoencoders/<id>/ by the host):
 * weights, the embedding of every image of its dataset, the 2-D map, sample reconstructions, and a summary.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { AeDetail, AeLoss, AeMapPoint, AeMetrics, AePreset } from '../../../shared/autoencoder.js';
import type { JpegStage } from '../../../shared/jpeg-stage.js';

export const AE_FILES = {
  summary: 'autoencoder.json',
  weights: 'weights.bin',
  embeddings: 'embeddings.f32',
  map: 'map.json',
  reconstructions: 'reconstructions.u8',
} as const;

export interface WeightEntry {
  name: string;
  shape: number[];
  /** Offset in floats into weights.bin. */
  offset: number;
}

export interface AeFileSummary {
  version: 1;
  datasetId: number;
  preset: AePreset | 'custom';
  losses: AeLoss[];
  kendall: boolean;
  dim: number;
  inputSize: number;
  channels: 1 | 3;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  untrained: boolean;
  backend: string;
  metrics: AeMetrics;
  history: AeDetail['history'];
  mapMethod: string;
  weights: WeightEntry[];
  /** Rows of the dataset whose reconstructions are in reconstructions.u8, in that order. */
  reconstructionIndices: number[];
  /** Images embedded (= the dataset's images, in stored order). */
  embedded: number;
  /** The JPEG round trip its images went through, training and embedding [Poyser-thesis §6]; null or absent: none. */
  jpeg?: JpegStage | null;
}

export function writeWeights(
  dir: string,
  weights: Record<string, { data: Float32Array; shape: number[] }>,
): WeightEntry[] {
  const entries: WeightEntry[] = [];
  let offset = 0;
  const names = Object.keys(weights).sort();
  for (const name of names) {
    entries.push({ name, shape: weights[name]!.shape, offset });
    offset += weights[name]!.data.length;
  }
  const all = new Float32Array(offset);
  names.forEach((name, i) => all.set(weights[name]!.data, entries[i]!.offset));
  fs.writeFileSync(path.join(dir, AE_FILES.weights), Buffer.from(all.buffer, all.byteOffset, all.byteLength));
  return entries;
}

export function readWeights(
  dir: string,
  entries: readonly WeightEntry[],
): Record<string, { data: Float32Array; shape: number[] }> {
  const buf = fs.readFileSync(path.join(dir, AE_FILES.weights));
  const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out: Record<string, { data: Float32Array; shape: number[] }> = {};
  for (const e of entries) {
    const size = e.shape.reduce((a, b) => a * b, 1);
    out[e.name] = { data: all.slice(e.offset, e.offset + size), shape: e.shape };
  }
  return out;
}

export function readSummary(dir: string): AeFileSummary {
  return JSON.parse(fs.readFileSync(path.join(dir, AE_FILES.summary), 'utf8')) as AeFileSummary;
}

export function readMap(dir: string): AeMapPoint[] {
  const file = path.join(dir, AE_FILES.map);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as AeMapPoint[]) : [];
}

/** The stored embeddings (n × dim) of every image of the dataset. */
export function readEmbeddings(dir: string, dim: number): Float32Array {
  const buf = fs.readFileSync(path.join(dir, AE_FILES.embeddings));
  if (buf.byteLength % (4 * dim) !== 0)
    throw new Error(`${dir}: embeddings file does not hold whole ${dim}-d vectors.`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
