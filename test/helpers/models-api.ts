/** Shared setup for the models and evaluations API tests: a made-up dataset in the store, and a genotype text. */
import type { Split } from '../../shared/datasets.js';
import type { WinnowHost } from '../../main/api/host.js';
import { insertDatasetRecord, makeDatasetDir } from './store.js';

export const NB201_TEXT = '|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|skip_connect~2|';

/** 8x8 grey images: per class `train` training and `test` test images (made-up pixel hashes). */
export function addDataset(
  h: WinnowHost,
  name: string,
  classes: string[],
  per: { train: number; test: number },
): number {
  const rows = {
    label: [] as number[],
    split: [] as Split[],
    half: [] as Array<'w' | 'a' | null>,
    group: [] as Array<string | null>,
    source: [] as string[],
    hash: [] as string[],
  };
  classes.forEach((_, label) => {
    for (const [split, n] of [
      ['train', per.train],
      ['test', per.test],
    ] as const) {
      for (let i = 0; i < n; i++) {
        rows.label.push(label);
        rows.split.push(split);
        rows.half.push(split === 'train' ? (i % 2 ? 'a' : 'w') : null);
        rows.group.push(null);
        rows.source.push(`${label}/${split}-${i}.png`);
        rows.hash.push(`${name}-${label}-${split}-${i}`);
      }
    }
  });
  return insertDatasetRecord(h.store, name, classes, rows, makeDatasetDir(h.dataDir));
}
