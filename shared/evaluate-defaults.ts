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

/** How a preset that reproduces a paper trains: its epochs, batch and initial learning rate (SGD, momentum 0.9). */
export interface TrainingRecipe {
  epochs: number;
  batch: number;
  lr: number;
}

export interface PresetInfo {
  label: string;
  /** One line for the form: where the numbers come from and what they cost on a CPU. */
  explain: string;
  sizes: Record<NetworkKind, NetworkSize>;
  /** The paper's training recipe, for presets that claim to be a paper's (the CLI and the form fill it in). */
  recipe?: TrainingRecipe;
}

const plain = (channels: number, layers: number): NetworkSize => ({ channels, layers, auxiliary: false, dropPath: 0 });
/** Outside the small presets: NAS-Bench-201's published network and the baselines at their usual widths. */
const published = { nb201: plain(16, 5), cnn: plain(32, 0), resnet20: plain(16, 0) };

/**
 * [Poyser-thesis] Sec. 6.2.1 (as its Chapter 4): "an SGD optimizer with lr = 0.01, momentum β = 0.9, and weight decay
 * wd = 3e-4 ... for 300 epochs with a batch size of 32". Keys: docs/REFERENCES.md.
 */
const THESIS_RECIPE: TrainingRecipe = { epochs: 300, batch: 32, lr: 0.01 };
/** [DARTS] cnn/train.py: batch_size 96, learning_rate 0.025, epochs 600. */
const DARTS_RECIPE: TrainingRecipe = { epochs: 600, batch: 96, lr: 0.025 };

/**
 * Presets. The thesis ([Poyser-thesis] Sec. 6.2.1) evaluates DDS-NAS cells with 4 cells for MNIST, 14 for
 * Fashion-MNIST and 12 for CIFAR-10, trained by THESIS_RECIPE; it does not state C, so those use the DARTS default
 * C=36. `darts-paper` is the DARTS paper's CIFAR-10 evaluation network (C=36, L=20, auxiliary head, drop-path 0.2;
 * 3.3 M parameters) and train.py's recipe. NAS-Bench-201's published network is C=16 with N=5 cells per stage. The
 * baselines only change width with the preset.
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
    explain: "The thesis' MNIST evaluation: 4 DARTS cells at C=36, 300 epochs of batch 32 at lr 0.01.",
    sizes: { darts: plain(36, 4), ...published },
    recipe: THESIS_RECIPE,
  },
  'thesis-fashion': {
    label: 'Thesis, Fashion-MNIST',
    explain:
      "The thesis' Fashion-MNIST evaluation: 14 DARTS cells at C=36, 300 epochs of batch 32 at lr 0.01. Slow on a CPU.",
    sizes: { darts: plain(36, 14), ...published },
    recipe: THESIS_RECIPE,
  },
  'thesis-cifar': {
    label: 'Thesis, CIFAR-10',
    explain:
      "The thesis' CIFAR-10 evaluation: 12 DARTS cells at C=36, 300 epochs of batch 32 at lr 0.01. Slow on a CPU.",
    sizes: { darts: plain(36, 12), ...published },
    recipe: THESIS_RECIPE,
  },
  'darts-paper': {
    label: 'DARTS paper',
    explain:
      "The DARTS paper's CIFAR-10 network: C=36, 20 cells, auxiliary head, drop-path 0.2 (3.3 M weights), 600 epochs of batch 96 at lr 0.025. Hours per epoch on a CPU.",
    sizes: { darts: { channels: 36, layers: 20, auxiliary: true, dropPath: 0.2 }, ...published },
    recipe: DARTS_RECIPE,
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

/** Epochs, batch and lr from the preset's recipe where `given` leaves them out (undefined); the rest untouched. */
export function withPresetRecipe<T extends { preset?: EvalPreset; epochs?: number; batch?: number; lr?: number }>(
  given: T,
): T {
  const recipe = given.preset === undefined ? undefined : PRESET_INFO[given.preset].recipe;
  if (!recipe) return given;
  return {
    ...given,
    epochs: given.epochs ?? recipe.epochs,
    batch: given.batch ?? recipe.batch,
    lr: given.lr ?? recipe.lr,
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
