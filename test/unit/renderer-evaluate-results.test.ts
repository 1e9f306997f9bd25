/**
 * The Evaluate page's results helpers (renderer/src/lib/evaluate-results.ts, evaluate.ts and evaluate-table.ts): the
 * confusion matrix, the per-group and per-class bars, the epochs and curves, the runs table and reading a job's result.
 */
import { describe, expect, it } from 'vitest';
import type { ClassificationReport, EvaluationSummary, NetworkDescription } from '../../shared/evaluate.js';
import type { PushMessage } from '../../shared/jobs.js';
import {
  base64ToBytes,
  classBars,
  confusionRows,
  confusionTitle,
  darkCell,
  groupBars,
  groupGap,
  worstConfusions,
} from '../../renderer/src/lib/evaluate-results.js';
import {
  evaluateCharts,
  evaluateEpochFromPush,
  networkLabel,
  parseEvaluateResult,
  searchCost,
  settingsLine,
  sourceLabel,
} from '../../renderer/src/lib/evaluate.js';
import { comparisonRow, comparisonRows } from '../../renderer/src/lib/evaluate-table.js';
import { mergeEpochs } from '../../renderer/src/lib/search-curves.js';
import { DARTS_TEXT, TINY_DARTS } from '../helpers/genotype.js';

describe('model files', () => {
  it('decodes base64 weights to bytes', () => {
    const bytes = new Uint8Array([0, 1, 2, 250, 255, 128]);
    expect([...base64ToBytes(Buffer.from(bytes).toString('base64'))]).toEqual([...bytes]);
    expect(base64ToBytes('').length).toBe(0);
  });
});

describe('confusion matrix', () => {
  const confusion = [
    [8, 2, 0],
    [1, 3, 0],
    [0, 0, 0],
  ];

  it('normalises each row by its total; colour strength is the share', () => {
    const rows = confusionRows(confusion);
    expect(rows.map((r) => r.total)).toEqual([10, 4, 0]);
    expect(rows[0]!.cells.map((c) => c.share)).toEqual([0.8, 0.2, 0]);
    expect(rows[1]!.cells.map((c) => c.strength)).toEqual([0.25, 0.75, 0]);
    expect(rows[2]!.cells.every((c) => c.share === 0 && c.strength === 0)).toBe(true);
    expect(rows.map((r, i) => r.cells.findIndex((c) => c.diagonal) === i)).toEqual([true, true, true]);
    // row-normalised: a class of 4 images reads as strongly as one of 10
    expect(rows[1]!.cells[1]!.strength).toBeLessThan(rows[0]!.cells[0]!.strength);
    expect(darkCell(0.8)).toBe(true);
    expect(darkCell(0.2)).toBe(false);
  });

  it('titles a cell with the count and the share', () => {
    const rows = confusionRows(confusion);
    expect(confusionTitle('cat', 'dog', rows[0]!.cells[1]!, rows[0]!.total)).toBe(
      'true cat, predicted dog: 2 of 10 (20.0 %)',
    );
  });

  it('finds the worst confusions', () => {
    const report = {
      confusion,
      perClass: ['a', 'b', 'c'].map((name, label) => ({ label, name, correct: 0, total: 0, accuracy: 0 })),
    };
    expect(worstConfusions(report, 5)).toEqual([
      { from: 'b', to: 'a', share: 0.25, count: 1 },
      { from: 'a', to: 'b', share: 0.2, count: 2 },
    ]);
  });
});

describe('per-group accuracy', () => {
  it('keeps the report’s order and measures the gap', () => {
    const groups = [
      { group: 'B', correct: 9, total: 10, accuracy: 0.9 },
      { group: 'A', correct: 6, total: 10, accuracy: 0.6 },
    ];
    expect(groupBars(groups).map((b) => [b.name, b.fraction])).toEqual([
      ['B', 0.9],
      ['A', 0.6],
    ]);
    expect(groupGap(groups)).toBeCloseTo(0.3, 10);
    expect(groupGap(null)).toBeNull();
    expect(groupGap([])).toBeNull();
  });
});

describe('per-class bars', () => {
  it('orders by label, clamps the length', () => {
    const bars = classBars([
      { label: 1, name: 'one', correct: 5, total: 10, accuracy: 0.5 },
      { label: 0, name: 'zero', correct: 10, total: 10, accuracy: 1 },
      { label: 2, name: 'two', correct: 0, total: 0, accuracy: Number.NaN },
    ]);
    expect(bars.map((b) => [b.name, b.fraction])).toEqual([
      ['zero', 1],
      ['one', 0.5],
      ['two', 0],
    ]);
  });
});

// ---- epochs and results -------------------------------------------------------------------------------------

const epoch = (n: number, testAccuracy = 0.5) => ({
  epoch: n,
  epochs: 3,
  trainLoss: 2 - n / 10,
  trainAccuracy: 0.3 + n / 10,
  testLoss: 2.1 - n / 10,
  testAccuracy,
  lr: 0.01,
  seconds: 2,
  images: 200,
});

describe('epochs and curves', () => {
  it('merges by epoch, the later one winning', () => {
    const merged = mergeEpochs([epoch(1), epoch(2)], [epoch(2, 0.9), epoch(3)]);
    expect(merged.map((e) => [e.epoch, e.testAccuracy])).toEqual([
      [1, 0.5],
      [2, 0.9],
      [3, 0.5],
    ]);
  });

  it('reads evaluate-epoch pushes of its job only', () => {
    const push = (jobId: number, type: string): PushMessage =>
      ({
        channel: 'job.event',
        jobId,
        ts: 1,
        event: type === 'evaluate-epoch' ? { type, data: epoch(1) } : { type: 'log', level: 'info', message: 'x' },
      }) as PushMessage;
    expect(evaluateEpochFromPush(push(4, 'evaluate-epoch'), 4)).toEqual(epoch(1));
    expect(evaluateEpochFromPush(push(5, 'evaluate-epoch'), 4)).toBeNull();
    expect(evaluateEpochFromPush(push(4, 'log'), 4)).toBeNull();
  });

  it('draws train and test loss and accuracy (in %)', () => {
    const c = evaluateCharts([epoch(1, 0.5), epoch(2, 0.75)]);
    expect(c.loss.map((s) => [s.label, s.role, s.points.length])).toEqual([
      ['train', 'train', 2],
      ['test', 'val', 2],
    ]);
    expect(c.accuracy[1]!.points).toEqual([
      { x: 1, y: 50 },
      { x: 2, y: 75 },
    ]);
    expect(c.seconds[0]!.points).toHaveLength(2);
  });
});

const network = (over: Partial<NetworkDescription> = {}): NetworkDescription => ({
  kind: 'darts',
  channels: 8,
  layers: 3,
  auxiliary: false,
  dropPath: 0,
  genotype: TINY_DARTS,
  label: 'DARTS network, C=8, 3 cells',
  ...over,
});

const summary = (over: Partial<EvaluationSummary> = {}): EvaluationSummary => ({
  jobId: 7,
  state: 'done',
  datasetId: 1,
  datasetName: 'MNIST sample',
  network: network(),
  source: { kind: 'search', jobId: 3 },
  search: { jobId: 3, seconds: 130, images: 2000, strategy: 'full' },
  epochs: 10,
  epochsDone: 10,
  createdAt: 1000,
  testAccuracy: 0.9712,
  parameters: 12_345,
  multiplyAdds: 3_400_000,
  seconds: 61.5,
  modelId: 2,
  ...over,
});

describe('the runs table', () => {
  it('one row per evaluation, with the search’s cost', () => {
    expect(comparisonRow(summary())).toMatchObject({
      jobId: 7,
      network: 'DARTS network, C=8, 3 cells',
      source: 'search #3',
      dataset: 'MNIST sample',
      epochs: '10 / 10',
      accuracy: '97.1 %',
      parameters: '0.0123',
      multiplyAdds: '3.4',
      time: '1 min 01 s',
      searchCost: '2 min 10 s, 2,000 images · full',
      search: { jobId: 3, time: '2 min 10 s', images: '2,000 images', strategy: 'full' },
    });
  });

  it('fills what a running or baseline evaluation does not have yet', () => {
    const r = comparisonRow(
      summary({
        state: 'running',
        network: null,
        source: { kind: 'baseline', name: 'resnet20' },
        search: null,
        datasetName: null,
        testAccuracy: null,
        parameters: null,
        multiplyAdds: null,
        seconds: null,
        epochsDone: 2,
      }),
    );
    expect(r).toMatchObject({
      network: 'ResNet-20',
      source: 'ResNet-20',
      dataset: 'dataset #1',
      epochs: '2 / 10',
      accuracy: '—',
      parameters: '—',
      multiplyAdds: '—',
      time: '—',
      searchCost: null,
      search: null,
    });
    expect(networkLabel(null, { kind: 'genotype', text: 'x' })).toBe('pasted genotype');
    expect(sourceLabel({ kind: 'genotype', text: 'x' })).toBe('pasted genotype');
    expect(searchCost({ jobId: 1, seconds: null, images: null, strategy: 'dds' })).toBe('cost unknown · dds');
  });

  it('newest first', () => {
    const rows = comparisonRows([
      summary({ jobId: 1, createdAt: 1 }),
      summary({ jobId: 3, createdAt: 3 }),
      summary({ jobId: 2, createdAt: 3 }),
    ]);
    expect(rows.map((r) => r.jobId)).toEqual([3, 2, 1]);
  });
});

describe('results', () => {
  const test: ClassificationReport = {
    images: 20,
    loss: 0.3,
    accuracy: 0.9,
    perClass: [],
    confusion: [],
    perGroup: null,
    groupStd: null,
  };

  it('reads a job’s result when it looks like one', () => {
    const r = {
      network: network(),
      genotypeText: DARTS_TEXT,
      parameters: 1,
      multiplyAdds: 2,
      test,
      epochs: 1,
      seconds: 1,
      imagesPerSecond: 10,
      backend: 'cpu',
      modelId: 1,
    };
    expect(parseEvaluateResult(r)).toBe(r);
    expect(parseEvaluateResult({ network: network() })).toBeNull();
    expect(parseEvaluateResult(null)).toBeNull();
  });

  it('sums up the settings', () => {
    expect(
      settingsLine({
        preset: 'tiny',
        epochs: 1,
        batch: 16,
        augment: 'auto',
        seed: 0,
        limitPerClass: 20,
        lr: 0.025,
        weightDecay: 3e-4,
      }),
    ).toBe(
      'preset Tiny, 1 epoch, batch 16, lr 0.025 (cosine), weight decay 0.0003, augmentation auto, seed 0, ≤ 20 images per class',
    );
    // trained and tested on JPEG-compressed images: said last; the originals (or a job from before the stage) not
    const base = { preset: 'tiny', epochs: 1, batch: 16, augment: 'auto', seed: 0, limitPerClass: null };
    expect(settingsLine({ ...base, jpegQuality: 5, jpegSubsampling: '4:2:0' })).toMatch(
      /all images, JPEG quality 5, 4:2:0$/,
    );
    expect(settingsLine({ ...base, jpegQuality: null })).toMatch(/all images$/);
  });
});
