import fs from 'node:fs';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { CIFAR10_CLASSES, cifarToHwc, readCifar10, readCifar100 } from '../../main/data/formats/cifar.js';
import { cifarRecords, writeCifar10, writeCifar100 } from '../fixtures/datasets.js';
import { raw, sourceError } from '../helpers/formats.js';
import { scratch } from '../helpers/scratch.js';

let dir = '';
beforeEach(() => {
  dir = scratch();
});

describe('CHW -> HWC', () => {
  it('interleaves the R, G and B planes of every record', () => {
    const buf = cifarRecords({ n: 2, labels: (i) => [i], pixel: (i, c, p) => i * 100 + c * 10 + (p % 7) });
    const out = cifarToHwc(buf, 2, 3073, 1);
    expect(out.length).toBe(2 * 3072);
    for (const [i, p] of [
      [0, 0],
      [0, 5],
      [1, 1023],
      [1, 500],
    ] as const) {
      for (let c = 0; c < 3; c++) expect(out[i * 3072 + p * 3 + c]).toBe(i * 100 + c * 10 + (p % 7));
    }
  });
});

describe('CIFAR-10', () => {
  it('reads the batches and test batch: split, names, HWC pixels as views', async () => {
    writeCifar10(dir, { perBatch: 3, test: 2, colour: (i) => (i === 4 ? [10, 20, 30] : [i, i, i]) });
    const s = await readCifar10(dir, {});
    expect(s.format).toBe('cifar10');
    expect(s.classes).toEqual(CIFAR10_CLASSES);
    expect(s.hasOwnSplit).toBe(true);
    expect(s.native).toEqual({ width: 32, height: 32, channels: 3 });
    expect(s.items).toHaveLength(17);
    expect(s.items.map((i) => i.label)).toEqual(Array.from({ length: 17 }, (_, i) => i % 10));
    expect(s.items.filter((i) => i.split === 'test').map((i) => i.source)).toEqual([
      'test_batch.bin#0',
      'test_batch.bin#1',
    ]);
    expect(s.items[4]!.source).toBe('data_batch_2.bin#1');
    const p = raw(s.items[4]!.payload);
    expect(p).toMatchObject({ width: 32, height: 32, channels: 3 });
    expect(p.data.length).toBe(3072);
    expect([...p.data.subarray(0, 9)]).toEqual([10, 20, 30, 10, 20, 30, 10, 20, 30]);
    expect(new Set(p.data.filter((_, k) => k % 3 === 2))).toEqual(new Set([30]));
    // items of one file share the transposed buffer
    expect(raw(s.items[3]!.payload).data.buffer).toBe(p.data.buffer);
    expect(p.data.byteOffset).toBe(3072);
    expect(s.warnings).toEqual([]);
  });

  it('warns about missing batches, uses batches.meta.txt, falls back to default names', async () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'];
    writeCifar10(dir, { perBatch: 2, batches: [1, 3], test: 1, meta: names });
    const s = await readCifar10(dir, {});
    expect(s.classes).toEqual(names);
    expect(s.items).toHaveLength(5);
    expect(s.warnings).toEqual([
      'data_batch_2.bin, data_batch_4.bin, data_batch_5.bin are missing: importing 2 of the 5 training batches.',
    ]);
    fs.writeFileSync(path.join(dir, 'batches.meta.txt'), 'x\ny\n');
    const s2 = await readCifar10(dir, {});
    expect(s2.classes).toEqual(CIFAR10_CLASSES);
    expect(s2.warnings).toContain('batches.meta.txt lists 2 class names, expected 10; using default class names.');
    fs.rmSync(path.join(dir, 'batches.meta.txt'));
    expect((await readCifar10(dir, {})).classes).toEqual(CIFAR10_CLASSES);
  });

  it('holds out a test split when test_batch.bin is missing', async () => {
    writeCifar10(dir, { perBatch: 1, test: 0 });
    const s = await readCifar10(dir, {});
    expect(s.hasOwnSplit).toBe(false);
    expect(s.items.every((i) => i.split === undefined)).toBe(true);
    expect(s.warnings).toEqual(['No test_batch.bin: a test split will be held out from the training files.']);
  });

  it('reads a single .bin file and the folder the archive was unpacked in', async () => {
    const inner = path.join(dir, 'cifar-10-batches-bin');
    writeCifar10(inner, { perBatch: 2, test: 2, meta: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] });
    const one = await readCifar10(path.join(inner, 'test_batch.bin'), {});
    expect(one.root).toBe(path.join(inner, 'test_batch.bin'));
    expect(one.items).toHaveLength(2);
    expect(one.hasOwnSplit).toBe(false);
    expect(one.classes[0]).toBe('0'); // meta beside the file
    const outer = await readCifar10(dir, {});
    expect(outer.root).toBe(inner);
    expect(outer.items).toHaveLength(12);
  });

  it('rejects a size that is not a whole number of records', async () => {
    writeCifar10(dir, { perBatch: 4, batches: [1], test: 1 });
    fs.appendFileSync(path.join(dir, 'data_batch_1.bin'), Buffer.alloc(1));
    expect(await sourceError(readCifar10(dir, {}))).toBe(
      'data_batch_1.bin is 12293 bytes, not a multiple of 3073 (CIFAR-10 record). It may be truncated or another format; download the CIFAR-10 binary version again.',
    );
  });

  it('rejects labels out of range', async () => {
    writeCifar10(dir, { perBatch: 3, batches: [1], test: 1, label: (i) => (i === 2 ? 12 : 0) });
    expect(await sourceError(readCifar10(dir, {}))).toBe(
      'data_batch_1.bin record 2 has label 12, but CIFAR-10 labels are 0 to 9. Is this a CIFAR-100 file?',
    );
  });

  it('says what it expected in an unrelated folder', async () => {
    fs.writeFileSync(path.join(dir, 'other.bin'), '');
    expect(await sourceError(readCifar10(dir, {}))).toMatch(
      /holds no CIFAR-10 binary files: expected data_batch_1.bin … data_batch_5.bin and test_batch.bin/,
    );
  });
});

describe('CIFAR-100', () => {
  it('reads fine labels by default, with default names', async () => {
    writeCifar100(dir, { train: 5, test: 3, fine: (i) => 90 + i });
    const s = await readCifar100(dir, {});
    expect(s.format).toBe('cifar100');
    expect(s.classes).toHaveLength(100);
    expect(s.classes[0]).toBe('fine_0');
    expect(s.hasOwnSplit).toBe(true);
    expect(s.items.map((i) => i.label)).toEqual([90, 91, 92, 93, 94, 95, 96, 97]);
    expect(s.items.map((i) => i.split)).toEqual(['train', 'train', 'train', 'train', 'train', 'test', 'test', 'test']);
    expect([...raw(s.items[6]!.payload).data.subarray(0, 3)]).toEqual([18, 19, 20]); // cifarColour(6)
  });

  it('reads coarse labels on request, with names from the label-name files', async () => {
    writeCifar100(dir, { train: 4, test: 0, fine: (i) => i, coarse: (i) => 19 - i, names: true });
    const s = await readCifar100(dir, { cifar100Labels: 'coarse' });
    expect(s.classes).toHaveLength(20);
    expect(s.classes[19]).toBe('coarse-name-19');
    expect(s.items.map((i) => i.label)).toEqual([19, 18, 17, 16]);
    const f = await readCifar100(dir, { cifar100Labels: 'fine' });
    expect(f.classes[3]).toBe('fine-name-3');
    expect(f.items.map((i) => i.label)).toEqual([0, 1, 2, 3]);
  });

  it('rejects wrong sizes and labels out of range', async () => {
    writeCifar100(dir, { train: 2, test: 1 });
    fs.appendFileSync(path.join(dir, 'test.bin'), Buffer.alloc(3));
    expect(await sourceError(readCifar100(dir, {}))).toMatch(
      /^test\.bin is 3077 bytes, not a multiple of 3074 \(CIFAR-100 record\)/,
    );
    writeCifar100(dir, { train: 2, test: 1, coarse: () => 25 });
    expect(await sourceError(readCifar100(dir, { cifar100Labels: 'coarse' }))).toBe(
      'train.bin record 0 has label 25, but CIFAR-100 coarse labels are 0 to 19.',
    );
  });
});
