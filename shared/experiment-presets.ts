/**
 * The papers' comparisons as experiment presets, each at three scales: `quick` (minutes on wasm on two cores: the
 * mechanics, not evidence), `small` (hours on a CPU with the native engine: evidence on MNIST-like data) and `paper`
 * (the papers' settings, for a GPU).
 */
import type { ExperimentParamsInput, ExperimentScale } from './experiment.js';

export const EXPERIMENT_PRESETS = ['dds-ablation', 'bdp', 'dds-under-compression', 'compression-robustness'] as const;
export type ExperimentPresetId = (typeof EXPERIMENT_PRESETS)[number];

export interface ExperimentPresetInfo {
  id: ExperimentPresetId;
  label: string;
  /** What the preset compares and what the paper found, in two sentences. */
  compares: string;
  /** The paper and section it reproduces (docs/REFERENCES.md keys). */
  source: string;
}

export const PRESET_INFO: Record<ExperimentPresetId, ExperimentPresetInfo> = {
  'dds-ablation': {
    id: 'dds-ablation',
    label: 'DDS ablation',
    compares:
      'DDS against a random subset of the same size, DDS with an untrained autoencoder, and the full data. The paper finds DDS as accurate as full data at a fraction of the images, and better than both ablations.',
    source: '[DDS-NAS §5.2, Table 4]',
  },
  bdp: {
    id: 'bdp',
    label: 'BDP pruning',
    compares:
      'Full data against BDP pruning by variance of error, with and without its class balance. The paper keeps accuracy at half the search cost or less, and the balance helps.',
    source: '[BDP §4, Table 7]',
  },
  'dds-under-compression': {
    id: 'dds-under-compression',
    label: 'DDS under JPEG compression',
    compares:
      'JPEG at the evaluation stage only, at search and evaluation, and at every stage, against the original images (DDS + DARTS). The thesis recommends training the autoencoder and searching on originals, compressing only for evaluation.',
    source: '[Poyser-thesis §6]',
  },
  'compression-robustness': {
    id: 'compression-robustness',
    label: 'Compression robustness',
    compares:
      'A searched network and a hand-designed baseline tested on compressed images, retrained on them, and trained on a mix, with and without chroma subsampling, with the bias between groups where the dataset has groups.',
    source: '[Poyser-thesis §3]',
  },
};

/** The grid's sizes per scale: what every child shares. */
interface ScaleSettings {
  seeds: number[];
  search: Record<string, unknown>;
  evaluate: Record<string, unknown>;
  autoencoder: Record<string, unknown>;
}

const SCALES: Record<ExperimentScale, ScaleSettings> = {
  // tiny supernets on 100 images, tested on 10 a class: the dds-ablation grid fits in about 15 minutes on wasm
  quick: {
    seeds: [0],
    search: {
      epochs: 2,
      batch: 16,
      channels: 4,
      cells: 3,
      limitPerClass: 10,
      subset: 10,
      warmupEpochs: 1,
      testLimitPerClass: 10,
    },
    // batch 16: enough steps in 4 epochs for the tiny network to learn (70 % on the MNIST sample, not 10 %)
    evaluate: { preset: 'tiny', epochs: 4, batch: 16, limitPerClass: 30, testLimitPerClass: 20 },
    autoencoder: { epochs: 1, batch: 64 },
  },
  // small supernets on 1,500 images (750 to train, 750 to validate; subsets of a fifth), three seeds: hours on a
  // CPU with the native engine — sized so dds-ablation runs in about two hours on two cores
  small: {
    seeds: [0, 1, 2],
    search: {
      epochs: 8,
      batch: 32,
      channels: 8,
      cells: 5,
      limitPerClass: 150,
      subset: 150,
      warmupEpochs: 3,
      testLimitPerClass: 100,
    },
    evaluate: { preset: 'tiny', epochs: 10, batch: 64, limitPerClass: 200, testLimitPerClass: 100 },
    autoencoder: { epochs: 5, batch: 32 },
  },
  // DARTS' search and evaluation settings [DARTS §3] [DDS-NAS §4.1]
  paper: {
    seeds: [0, 1, 2],
    search: { epochs: 50, batch: 64, channels: 16, cells: 8, warmupEpochs: 10 },
    evaluate: { preset: 'darts-paper' },
    autoencoder: {},
  },
};

/** BDP prunes every T epochs: this many prunes leave about half the training images, where pruning shows. */
export function bdpEpochs(pruneEvery: number, pruneTrain: number, keep = 0.5): { epochs: number; prunes: number } {
  const prunes = Math.max(1, Math.ceil(Math.log(keep) / Math.log(1 - pruneTrain)));
  // the last prune happens at the end of epoch prunes·T; one more epoch trains on what it left
  return { epochs: prunes * pruneEvery + 1, prunes };
}

const BDP_SCALE: Record<ExperimentScale, { pruneEvery: number; pruneTrain: number; pruneVal: number }> = {
  quick: { pruneEvery: 2, pruneTrain: 0.3, pruneVal: 0.1 },
  small: { pruneEvery: 3, pruneTrain: 0.2, pruneVal: 0.1 },
  paper: { pruneEvery: 5, pruneTrain: 0.2, pruneVal: 0.1 },
};

/** The qualities of the compression presets: the thesis' four; one at the quick scale, to fit its time. */
const QUALITIES: Record<ExperimentScale, number[]> = { quick: [10], small: [5, 15, 50, 95], paper: [5, 15, 50, 95] };

/** A preset's grid at a scale, for a dataset: the experiment's parameters before parsing. */
export function presetParams(id: ExperimentPresetId, scale: ExperimentScale, datasetId: number): ExperimentParamsInput {
  const s = SCALES[scale];
  const base = {
    datasetId,
    preset: id,
    scale,
    name: `${PRESET_INFO[id].label} (${scale})`,
    seeds: s.seeds,
    search: s.search,
    evaluate: s.evaluate,
    autoencoder: s.autoencoder,
  };
  switch (id) {
    case 'dds-ablation':
      return { ...base, strategies: ['full', 'random', 'dds', 'dds-untrained'] };
    case 'bdp': {
      const b = BDP_SCALE[scale];
      return {
        ...base,
        strategies: ['full', 'bdp', 'bdp-no-balance'],
        search: { ...s.search, ...b, epochs: bdpEpochs(b.pruneEvery, b.pruneTrain).epochs },
      };
    }
    case 'dds-under-compression': {
      const arms = QUALITIES[scale].flatMap((quality) => [
        { quality, stages: ['evaluation' as const] },
        { quality, stages: ['search' as const, 'evaluation' as const] },
        { quality, stages: ['autoencoder' as const, 'search' as const, 'evaluation' as const] },
      ]);
      return { ...base, strategies: ['dds'], compression: [{ quality: null, stages: [] }, ...arms] };
    }
    case 'compression-robustness':
      return {
        ...base,
        strategies: ['dds'],
        baselines: scale === 'quick' ? ['cnn'] : ['cnn', 'resnet20'],
        study: {
          qualities: scale === 'quick' ? [10, 50] : [5, 10, 20, 50, 80, 95],
          subsampling: ['4:2:0', '4:4:4'],
          protocols: scale === 'quick' ? ['test', 'mixed'] : ['test', 'retrain', 'mixed'],
          epochs: scale === 'quick' ? 4 : scale === 'small' ? 10 : 30,
          ...(scale === 'quick' ? { preset: 'tiny', batch: 16, limitPerClass: 30 } : {}),
        },
      };
  }
}

/** A sentence on what a scale's results are worth, for the report and the form. */
export const SCALE_NOTES: Record<ExperimentScale, string> = {
  quick:
    'Quick scale: tiny networks, a few epochs and a few hundred images, to show the mechanics in minutes. Its numbers are not evidence for or against the papers.',
  small:
    'Small scale: small networks on up to 1,500 images with three seeds, hours on a CPU with the native engine; evidence on MNIST-like data, not the papers’ settings.',
  paper: 'Paper scale: the papers’ settings; meant for a GPU (days on a CPU).',
};
