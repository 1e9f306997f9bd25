/**
 * What an evaluation builds and when it refuses to start (engine/evaluate/context.ts), and which training rows it
 * uses (trainingRows in engine/evaluate/job.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Split } from '../../shared/datasets.js';
import type { EvaluateParams } from '../../shared/evaluate.js';
import { parseGenotype } from '../../shared/genotype.js';
import { describeNetwork, evaluateRefusal } from '../../main/engine/evaluate/context.js';
import { trainingRows } from '../../main/engine/evaluate/job.js';
import { datasetFacts } from '../fixtures/dataset-facts.js';

const DARTS_V2 = parseGenotype(
  "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=[2, 3, 4, 5], reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=[2, 3, 4, 5])",
);
const NB201 = parseGenotype('|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|');

type NetParams = Parameters<typeof describeNetwork>[0];
const genotypeSource = { kind: 'genotype', text: 'x' } as const;
const params = (over: Partial<NetParams>): NetParams => ({ source: genotypeSource, preset: 'small', ...over });

describe('describeNetwork', () => {
  it('takes a DARTS network from the preset, with overrides on top', () => {
    expect(describeNetwork(params({}), DARTS_V2)).toEqual({
      kind: 'darts',
      channels: 16,
      layers: 5,
      auxiliary: false,
      dropPath: 0,
      genotype: DARTS_V2,
      label: 'DARTS network, C=16, 5 cells',
    });
    expect(describeNetwork(params({ preset: 'darts-paper' }), DARTS_V2)).toMatchObject({
      channels: 36,
      layers: 20,
      auxiliary: true,
      dropPath: 0.2,
      label: 'DARTS network, C=36, 20 cells (auxiliary head, drop-path 0.2)',
    });
    // explicit choices win over the preset, including "off" for the paper's auxiliary head and drop-path
    expect(
      describeNetwork(
        params({ preset: 'darts-paper', channels: 20, layers: 8, auxiliary: false, dropPath: 0 }),
        DARTS_V2,
      ),
    ).toMatchObject({
      channels: 20,
      layers: 8,
      auxiliary: false,
      dropPath: 0,
      label: 'DARTS network, C=20, 8 cells',
    });
    expect(describeNetwork(params({ preset: 'tiny', dropPath: 0.3 }), DARTS_V2).label).toBe(
      'DARTS network, C=8, 3 cells (drop-path 0.3)',
    );
    expect(describeNetwork(params({ preset: 'thesis-fashion', auxiliary: true }), DARTS_V2).label).toBe(
      'DARTS network, C=36, 14 cells (auxiliary head)',
    );
  });

  it('ignores the DARTS-only auxiliary head and drop-path for a NAS-Bench-201 network', () => {
    expect(describeNetwork(params({ preset: 'darts-paper', auxiliary: true, dropPath: 0.4 }), NB201)).toEqual({
      kind: 'nb201',
      channels: 16,
      layers: 5,
      auxiliary: false,
      dropPath: 0,
      genotype: NB201,
      label: 'NAS-Bench-201 network, C=16, 5 cells per stage',
    });
    expect(describeNetwork(params({ preset: 'small', layers: 3, channels: 24 }), NB201).label).toBe(
      'NAS-Bench-201 network, C=24, 3 cells per stage',
    );
  });

  it('gives the baselines the preset width, no depth, no genotype and no DARTS extras', () => {
    const cnn = describeNetwork(
      params({ source: { kind: 'baseline', name: 'cnn' }, preset: 'small', layers: 9, auxiliary: true, dropPath: 0.5 }),
      null,
    );
    expect(cnn).toEqual({
      kind: 'cnn',
      channels: 32,
      layers: 0,
      auxiliary: false,
      dropPath: 0,
      genotype: null,
      label: 'plain CNN, C=32',
    });
    const resnet = describeNetwork(
      params({ source: { kind: 'baseline', name: 'resnet20' }, preset: 'darts-paper' }),
      null,
    );
    expect(resnet).toEqual({
      kind: 'resnet20',
      channels: 16,
      layers: 0,
      auxiliary: false,
      dropPath: 0,
      genotype: null,
      label: 'ResNet-20, C=16',
    });
    expect(
      describeNetwork(params({ source: { kind: 'baseline', name: 'resnet20' }, preset: 'tiny', channels: 12 }), null)
        .label,
    ).toBe('ResNet-20, C=12');
    // a baseline never carries a genotype, even when one is handed in
    expect(describeNetwork(params({ source: { kind: 'baseline', name: 'cnn' } }), DARTS_V2)).toMatchObject({
      kind: 'cnn',
      genotype: null,
    });
  });
});

describe('evaluateRefusal', () => {
  const ok = datasetFacts(3, { w: 50, a: 50 }, { trainImages: 100, testImages: 10 });
  const darts = { kind: 'darts' as const, auxiliary: false, channels: 16 };
  const batch = (b: number): Pick<EvaluateParams, 'batch'> => ({ batch: b });

  it('accepts a dataset that fits, including the edges of each limit', () => {
    expect(evaluateRefusal(batch(64), darts, ok)).toBeNull();
    expect(evaluateRefusal(batch(100), darts, ok)).toBeNull(); // batch = training images
    expect(
      evaluateRefusal(batch(2), darts, { ...ok, width: 8, height: 8, trainImages: 2, testImages: 1, classes: 2 }),
    ).toBeNull();
    expect(evaluateRefusal(batch(2), darts, { ...ok, width: 256, height: 256 })).toBeNull();
    expect(
      evaluateRefusal(batch(2), { kind: 'darts', auxiliary: true, channels: 16 }, { ...ok, width: 20, height: 20 }),
    ).toBeNull();
    expect(evaluateRefusal(batch(2), darts, { ...ok, width: 19, height: 19 })).toBeNull(); // no auxiliary head
  });

  it('refuses an odd channel count for DARTS only (FactorizedReduce joins two halves of C)', () => {
    expect(evaluateRefusal(batch(2), { ...darts, channels: 15 }, ok)).toBe(
      'A DARTS network needs an even channel count (its reductions join two halves of C); C=15 is odd. Choose 16 or 14.',
    );
    expect(evaluateRefusal(batch(2), { kind: 'nb201', auxiliary: false, channels: 15 }, ok)).toBeNull();
  });

  it('refuses fewer than two classes', () => {
    expect(evaluateRefusal(batch(2), darts, { ...ok, classes: 1 })).toBe(
      'Dataset "digits" has 1 class; a classifier needs at least two. Import a dataset with two or more classes.',
    );
  });

  it('refuses images under 8 px on their smaller side, naming the network', () => {
    const r = evaluateRefusal(
      batch(2),
      { kind: 'resnet20', auxiliary: false, channels: 16 },
      { ...ok, width: 30, height: 7 },
    );
    expect(r).toMatch(
      /^Images of 30x7 are too small: the ResNet-20 halves the resolution twice and needs at least 8x8\./,
    );
  });

  it('refuses images over 256 px on their larger side', () => {
    expect(evaluateRefusal(batch(2), darts, { ...ok, width: 257, height: 64 })).toMatch(
      /^Images of 257x64 are too large.*256x256 or smaller/,
    );
  });

  it('refuses the auxiliary head on images under 20 px', () => {
    expect(
      evaluateRefusal(batch(2), { kind: 'darts', auxiliary: true, channels: 16 }, { ...ok, width: 19, height: 32 }),
    ).toMatch(/auxiliary head needs images of at least 20x20.*these are 19x32\. Turn the auxiliary head off\./);
  });

  it('refuses a dataset without test images', () => {
    expect(evaluateRefusal(batch(2), darts, { ...ok, testImages: 0 })).toMatch(/^Dataset "digits" has no test images/);
  });

  it('refuses fewer than two training images', () => {
    expect(evaluateRefusal(batch(2), darts, { ...ok, trainImages: 1 })).toBe(
      'Dataset "digits" has 1 training image; training needs at least two.',
    );
    expect(evaluateRefusal(batch(2), darts, { ...ok, trainImages: 0 })).toBe(
      'Dataset "digits" has 0 training images; training needs at least two.',
    );
  });

  it('refuses a batch larger than the training images', () => {
    expect(evaluateRefusal(batch(101), darts, ok)).toBe(
      'The batch of 101 is larger than the 100 training images. Lower the batch size to 100 or less.',
    );
  });
});

describe('trainingRows', () => {
  // 3 classes; rows 0..19. Class 0: rows 0-7 train, 8-9 test; class 1: rows 10-12 train, 13 test; class 2: 14-19 train.
  const labels = [...Array<number>(10).fill(0), ...Array<number>(4).fill(1), ...Array<number>(6).fill(2)];
  const splits: Split[] = [
    ...Array<Split>(8).fill('train'),
    'test',
    'test',
    'train',
    'train',
    'train',
    'test',
    ...Array<Split>(6).fill('train'),
  ];
  const ctx = { labels, splits, classNames: ['a', 'b', 'c'] };
  const trainOf = (cls: number): number[] => labels.flatMap((l, r) => (l === cls && splits[r] === 'train' ? [r] : []));

  it('is every training row in order without a limit', () => {
    expect(trainingRows(ctx, null, 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 14, 15, 16, 17, 18, 19]);
    // interleaved classes come back in row order, not class by class
    expect(
      trainingRows(
        { labels: [1, 0, 1, 0], splits: ['train', 'train', 'test', 'train'], classNames: ['a', 'b'] },
        null,
        0,
      ),
    ).toEqual([0, 1, 3]);
  });

  it('keeps at most limitPerClass training rows per class, sorted, repeatable for a seed', () => {
    const rows = trainingRows(ctx, 4, 1);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    expect(new Set(rows).size).toBe(rows.length);
    const per = [0, 1, 2].map((c) => rows.filter((r) => labels[r] === c));
    expect(per.map((p) => p.length)).toEqual([4, 3, 4]); // class 1 has only 3
    per.forEach((p, c) => p.forEach((r) => expect(trainOf(c)).toContain(r)));
    expect(per[1]).toEqual([10, 11, 12]);
    expect(trainingRows(ctx, 4, 1)).toEqual(rows);
    // some seed picks another subset (8 choose 4 · 6 choose 4 = 1050 possibilities)
    const subsets = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((s) => trainingRows(ctx, 4, s).join(',')));
    expect(subsets.size).toBeGreaterThan(1);
    // a limit at or above every class's count keeps everything
    expect(trainingRows(ctx, 8, 5)).toEqual(trainingRows(ctx, null, 5));
  });
});
