/**
 * The parameters the NAS-Bench-201 jobs that score cells share (`naswot`, `dsm-search`): the network's size, and the
 * weight-sharing supernet whose inherited weights give a cell's accuracy — trained by uniform single-path sampling
 * over the training split, SGD as the search's — with its BN recalibration. Declared once here; each job's schema
 * takes them by name.
 */
import { z } from 'zod';
import { Seed } from './seed.js';

export const NB201_SUPERNET_FIELDS = {
  /** Initial channels C of the network (and of its supernet). */
  channels: z.number().int().min(1).max(64).default(16).describe('initial channels C of the network'),
  /** Cells per stage (NB201 uses 5; 1 is five times faster on a CPU). */
  cells: z.number().int().min(1).max(5).default(1).describe('cells per stage of the network'),
  /** Images resized to this square size; null = the dataset's own size. */
  inputSize: z
    .number()
    .int()
    .min(8)
    .max(64)
    .nullable()
    .default(null)
    .describe('resize images to this square size (default: their own)'),
  /** The supernet: epochs of uniform single-path training over the training split (train_w), SGD as the search's. */
  supernetEpochs: z
    .number()
    .int()
    .min(1)
    .max(200)
    .default(5)
    .describe('epochs of training the shared network: each step trains one random cell of it'),
  supernetBatch: z
    .number()
    .int()
    .min(2)
    .max(512)
    .default(64)
    .describe('images per step of training and evaluating the shared network'),
  supernetLr: z.number().positive().max(10).default(0.025).describe('learning rate of the shared network (SGD)'),
  /** Batches of training images each inherited-weight evaluation recalibrates BN statistics on. */
  calibrationBatches: z
    .number()
    .int()
    .min(1)
    .max(50)
    .default(4)
    .describe("batches that refresh each evaluated cell's normalisation statistics before it is measured"),
  /** Use at most this many training images per class for the supernet and the validation split; null = all. */
  limitPerClass: z
    .number()
    .int()
    .min(2)
    .max(1_000_000)
    .nullable()
    .default(null)
    .describe('use at most this many training images per class'),
  seed: Seed.default(0).describe('seed of every random choice of the job'),
};
