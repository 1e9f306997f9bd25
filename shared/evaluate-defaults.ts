/**
 * The evaluation stage's presets and names, zod-free so the renderer can import them without the schemas
 * (evaluate.ts holds the schemas and checks that its types agree with these).
 */

export const NETWORK_KINDS = ['darts', 'nb201', 'cnn', 'resnet20'] as const;
export type NetworkKind = (typeof NETWORK_KINDS)[number];
export const BASELINES = ['cnn', 'resnet20'] as const;
export type BaselineName = (typeof BASELINES)[number];

export const NETWORK_NAMES: Record<NetworkKind, string> = {
  darts: 'DARTS network',
  nb201: 'NAS-Bench-201 network',
  cnn: 'plain CNN',
  resnet20: 'ResNet-20',
};

export const EVAL_PRESETS = ['tiny', 'small', 'thesis-mnist', 'thesis-fashion', 'thesis-cifar', 'darts-paper'] as const;
export type EvalPreset = (typeof EVAL_PRESETS)[number];

/** The network size a preset gives each kind. `layers`: DARTS cells L; NAS-Bench-201 cells per stage N. */
export interface NetworkSize {
  channels: number;
  layers: number;
  auxiliary: boolean;
  dropPath: number;
}

export interface PresetInfo {
  label: string;
  /** One line for the form: where the numbers come from and what they cost on a CPU. */
  explain: string;
  sizes: Record<NetworkKind, NetworkSize>;
}

const plain = (channels: number, layers: number): NetworkSize => ({ channels, layers, auxiliary: false, dropPath: 0 });
/** Outside the small presets: NAS-Bench-201's published network and the baselines at their usual widths. */
const published = { nb201: plain(16, 5), cnn: plain(32, 0), resnet20: plain(16, 0) };

/**
 * Presets. The thesis (seed 002, Sec. 6.2.1) evaluates DDS-NAS cells with 4 cells for MNIST, 14 for Fashion-MNIST
 * and 12 for CIFAR-10; it does not state C, so those use the DARTS default C=36. `darts-paper` is the DARTS paper's
 * CIFAR-10 evaluation network (C=36, L=20, auxiliary head, drop-path 0.2; 3.3 M parameters). NAS-Bench-201's
 * published network is C=16 with N=5 cells per stage. The baselines only change width with the preset.
 */
export const PRESET_INFO: Record<EvalPreset, PresetInfo> = {
  tiny: {
    label: 'Tiny',
    explain: 'A few thousand weights: seconds per epoch. For trying the pipeline, not for accuracy.',
    sizes: { darts: plain(8, 3), nb201: plain(8, 1), cnn: plain(8, 0), resnet20: plain(8, 0) },
  },
  small: {
    label: 'Small (CPU)',
    explain: 'C=16 with 5 DARTS cells or 1 NAS-Bench-201 cell per stage: minutes per epoch on a CPU.',
    sizes: { darts: plain(16, 5), nb201: plain(16, 1), cnn: plain(32, 0), resnet20: plain(16, 0) },
  },
  'thesis-mnist': {
    label: 'Thesis, MNIST',
    explain: 'The thesis\' MNIST evaluation: 4 DARTS cells at C=36.',
    sizes: { darts: plain(36, 4), ...published },
  },
  'thesis-fashion': {
    label: 'Thesis, Fashion-MNIST',
    explain: 'The thesis\' Fashion-MNIST evaluation: 14 DARTS cells at C=36. Slow on a CPU.',
    sizes: { darts: plain(36, 14), ...published },
  },
  'thesis-cifar': {
    label: 'Thesis, CIFAR-10',
    explain: 'The thesis\' CIFAR-10 evaluation: 12 DARTS cells at C=36. Slow on a CPU.',
    sizes: { darts: plain(36, 12), ...published },
  },
  'darts-paper': {
    label: 'DARTS paper',
    explain: 'The DARTS paper\'s CIFAR-10 network: C=36, 20 cells, auxiliary head, drop-path 0.2 (3.3 M weights). Hours per epoch on a CPU.',
    sizes: { darts: { channels: 36, layers: 20, auxiliary: true, dropPath: 0.2 }, ...published },
  },
};

/** The size an evaluation uses: the preset's, with any explicit choice on top. */
export function networkSize(kind: NetworkKind, preset: EvalPreset, over: Partial<NetworkSize> = {}): NetworkSize {
  const base = PRESET_INFO[preset].sizes[kind];
  return {
    channels: over.channels ?? base.channels,
    layers: over.layers ?? base.layers,
    auxiliary: over.auxiliary ?? base.auxiliary,
    dropPath: over.dropPath ?? base.dropPath,
  };
}

/** Whether a kind has a depth to choose (the baselines' depth is fixed). */
export const hasLayers = (kind: NetworkKind): boolean => kind === 'darts' || kind === 'nb201';

/** Data augmentation actually used: `auto` = random crop with padding + horizontal flip for RGB, none for grey. */
export function augmentationFor(choice: 'auto' | 'on' | 'off', channels: number): boolean {
  return choice === 'on' || (choice === 'auto' && channels === 3);
}

/** Limits of the evaluation parameters, shared by the schema, the CLI and the form. */
export const EVALUATE_LIMITS = {
  epochs: { min: 1, max: 1000 },
  batch: { min: 2, max: 512 },
  channels: { min: 2, max: 128 },
  layers: { min: 1, max: 30 },
} as const;
