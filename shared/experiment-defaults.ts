/**
 * The experiment grid's plain lists and words without zod, so the renderer can import them (shared/experiment.ts
 * builds the schemas from them and re-exports everything here).
 */

/** A search's data selection, as an experiment names it: the search strategies, and BDP without its balance. */
export const EXPERIMENT_STRATEGIES = ['full', 'random', 'dds', 'dds-untrained', 'bdp', 'bdp-no-balance'] as const;

export const STRATEGY_LABELS: Record<(typeof EXPERIMENT_STRATEGIES)[number], string> = {
  full: 'Full data',
  random: 'Random subset',
  dds: 'DDS',
  'dds-untrained': 'DDS, untrained autoencoder',
  bdp: 'BDP',
  'bdp-no-balance': 'BDP, no class balance',
};

/** Where JPEG compression is applied [Poyser-thesis §6]. */
export const EXPERIMENT_STAGES = ['autoencoder', 'search', 'evaluation'] as const;

export const EXPERIMENT_SCALES = ['quick', 'small', 'paper'] as const;

/** A compression arm in words: "originals", "JPEG 15 at search, evaluation". */
export const armLabel = (a: {
  quality: number | null;
  stages: readonly (typeof EXPERIMENT_STAGES)[number][];
}): string =>
  a.quality === null || a.stages.length === 0
    ? 'originals'
    : `JPEG ${a.quality} at ${EXPERIMENT_STAGES.filter((s) => a.stages.includes(s)).join(', ')}`;

/** The measurements the report summarises per cell. */
export const REPORT_METRICS = [
  'testAccuracy',
  'supernetAccuracy',
  'searchSeconds',
  'imagesProcessed',
  'parameters',
  'multiplyAdds',
] as const;
