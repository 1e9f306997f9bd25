/** The search form's plain number fields, as data for NumberFields.svelte (in the order the form shows them). */
import { SEARCH_PARAMS } from '../../../shared/generated/params.js';
import { epochsAndBatchFields, seedField, withHelp, type NumberFieldSpec, type NumberKeys } from './form-fields.js';
import { SEARCH_LIMITS as L, SELECTION_LIMITS as SL, type SearchForm } from './search.js';

export type SearchField = NumberFieldSpec<NumberKeys<SearchForm>>;

/** dds: when the subset is mastered and resampled, and the paper's cyclic weight learning rate. */
export const DDS_FIELDS: readonly SearchField[] = withHelp(
  [
    {
      key: 'mastery',
      label: 'Mastery m',
      title:
        'Share of the training subset (0–1) the network must get right, or find easy (see Mastery by), before its easy images are swapped for new, different ones [DDS-NAS §3].',
      min: '0',
      max: '1',
      step: 'any',
      testid: 'search-mastery',
    },
    {
      key: 'hardness',
      label: 'Hardness',
      title:
        "An image counts as easy once the network's average confidence in its true class, over the hardness window, reaches this (0–1) [DDS-NAS §3].",
      min: '0',
      max: '1',
      step: 'any',
      testid: 'search-hardness',
    },
    {
      key: 'hardnessWindow',
      label: 'Hardness window',
      title: 'How many recent epochs that confidence is averaged over.',
      min: SL.hardnessWindow.min,
      max: SL.hardnessWindow.max,
      testid: 'search-hardness-window',
    },
    {
      key: 'warmupEpochs',
      label: 'Warm-up epochs',
      title: 'Epochs trained on the first subset before any image is swapped (the paper: 10).',
      min: SL.warmupEpochs.min,
      max: SL.warmupEpochs.max,
      testid: 'search-warmup',
    },
    {
      key: 'cyclicLrBase',
      label: 'Cyclic lr base',
      title:
        'The lowest learning rate: it rises from here to the maximum and back, again and again (a cyclic schedule, used instead of the slow cosine decay) [DDS-NAS].',
      min: '0',
      max: SL.cyclicLrBase.max,
      step: 'any',
      testid: 'search-cyclic-base',
    },
    {
      key: 'cyclicLrMax',
      label: 'Cyclic lr max',
      title: 'The highest learning rate of that cycle.',
      min: '0',
      max: SL.cyclicLrMax.max,
      step: 'any',
      testid: 'search-cyclic-max',
    },
    {
      key: 'cyclicLrStep',
      label: 'Cyclic lr step',
      title: 'Epochs from the lowest learning rate to the highest (half a cycle).',
      min: SL.cyclicLrStep.min,
      max: SL.cyclicLrStep.max,
      testid: 'search-cyclic-step',
    },
  ],
  SEARCH_PARAMS,
);

/** bdp: how often and how much of train and validation is pruned. */
export const BDP_FIELDS: readonly SearchField[] = withHelp(
  [
    {
      key: 'pruneEvery',
      label: 'Prune every T',
      title: `Prune after every T epochs; each sample's variance of error is measured over those T epochs, so T is at least ${SL.pruneEvery.min}.`,
      min: SL.pruneEvery.min,
      max: SL.pruneEvery.max,
      testid: 'search-prune-every',
    },
    {
      key: 'pruneTrain',
      label: 'Prune train %',
      title: 'Percent of the remaining training samples pruned each time: those whose error varies least (lowest VoE).',
      min: '0',
      max: '99.99',
      step: 'any',
      testid: 'search-prune-train',
    },
    {
      key: 'pruneVal',
      label: 'Prune val %',
      title:
        'Percent of the remaining validation samples pruned each time: those whose error varies most (highest VoE).',
      min: '0',
      max: '99.99',
      step: 'any',
      testid: 'search-prune-val',
    },
  ],
  SEARCH_PARAMS,
);

/** The supernet's initial channels (before the cells field, whose words follow the space). */
export const CHANNEL_FIELDS: readonly SearchField[] = withHelp(
  [
    {
      key: 'channels',
      label: 'Channels C',
      title: 'Initial channels of the supernet; each reduction doubles them.',
      min: L.channels.min,
      max: L.channels.max,
      testid: 'search-channels',
    },
  ],
  SEARCH_PARAMS,
);

/** The supernet's training length, batch and weight learning rate (between the cells and α lr fields). */
export const TRAINING_FIELDS: readonly SearchField[] = withHelp(
  [
    ...epochsAndBatchFields('search', L),
    {
      key: 'lr',
      label: 'Weight lr',
      title: 'SGD with momentum 0.9, cosine-annealed to 0.001 (DARTS).',
      min: '0',
      max: L.lr.max,
      step: 'any',
      testid: 'search-lr',
    },
  ],
  SEARCH_PARAMS,
);

/** The seed, after the α learning rate. */
export const SEED_FIELDS: readonly SearchField[] = withHelp([seedField('search')], SEARCH_PARAMS);

/** An on/off field beside a strategy's number fields (CheckField): the form value it edits and its words. */
export interface SearchCheck {
  key: 'lrReset' | 'balance';
  label: string;
  caption: string;
  title: string;
  help?: string;
  testid: string;
}

/** A strategy's on/off field, its help the parameter's description; test id `search-{key in kebab case}`. */
function searchCheck(key: SearchCheck['key'], label: string, caption: string, title: string): SearchCheck {
  const testid = `search-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  return { key, label, caption, title, help: SEARCH_PARAMS[key].description, testid };
}

/** DDS's fields: its number fields and the learning-rate reset. */
export const DDS_GROUP = {
  fields: DDS_FIELDS,
  check: searchCheck(
    'lrReset',
    'Lr reset',
    'on a new subset',
    'Reset the cyclic learning rate to its max when a new subset comes in.',
  ),
};

/** BDP's fields: its number fields and the class balance constraint. */
export const BDP_GROUP = {
  fields: BDP_FIELDS,
  check: searchCheck(
    'balance',
    'Class balance',
    'keep classes balanced',
    "BDP's automatic class balance constraint; off is the paper's ablation.",
  ),
};
