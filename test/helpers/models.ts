import type { ModelReportFile, NetworkDescription } from '../../shared/evaluate.js';

/** A plain CNN of width `channels` as an evaluation describes it (no depth, no genotype, no DARTS extras). */
export function cnnNetwork(channels = 8): NetworkDescription & { kind: 'cnn' } {
  return {
    kind: 'cnn',
    channels,
    layers: 0,
    auxiliary: false,
    dropPath: 0,
    genotype: null,
    label: `plain CNN, C=${channels}`,
  };
}

/** report.json of an exported 8x8 grey two-class plain CNN (6 parameters); `over` replaces whole fields. */
export function modelReport(over: Partial<ModelReportFile> = {}): ModelReportFile {
  return {
    format: 'winnow-model',
    version: 1,
    app: 'Winnow test',
    createdAt: '2025-01-01T00:00:00.000Z',
    name: 'exported cnn',
    network: cnnNetwork(8),
    genotypeText: null,
    classNames: ['zero', 'one'],
    preprocessing: { height: 8, width: 8, channels: 1, mean: [0.5], std: [0.25] },
    parameters: 6,
    multiplyAdds: 12,
    dataset: { id: null, name: null, hash: null },
    training: null,
    test: null,
    ...over,
  };
}
