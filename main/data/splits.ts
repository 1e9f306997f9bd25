/**
 * Stratified, seeded splits. The source's own train/test split wins when it has one; otherwise each class
 * is split test/train by `testFraction`. The training split is then divided, again per class, into the
 * halves a DARTS-style search uses: train_w (weights) and train_α (architecture), `weightFraction` : rest.
 */
import type { SearchHalf, Split } from '../../shared/datasets.js';
import { deriveSeed, mulberry32, shuffleInPlace } from '../engine/nn/prng.js';

/** Indices of each label, in order of appearance. */
function byLabel(labels: ArrayLike<number>, keep: (i: number) => boolean = () => true): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    if (!keep(i)) continue;
    const l = labels[i]!;
    let list = out.get(l);
    if (!list) out.set(l, (list = []));
    list.push(i);
  }
  return out;
}

/**
 * Per class, the first round(n * fraction) of a seeded shuffle get `picked`; a class of n ≥ 2 always keeps
 * at least one on each side, so no class is missing from either part.
 */
function stratifiedPick(
  groups: Map<number, number[]>,
  fraction: number,
  seed: number,
  onPick: (i: number, picked: boolean) => void,
): void {
  // classes in label order, so the result does not depend on the order classes first appear in
  for (const label of [...groups.keys()].sort((a, b) => a - b)) {
    const idx = groups.get(label)!.slice();
    shuffleInPlace(idx, mulberry32(deriveSeed(seed, `class-${label}`)));
    let k = Math.round(idx.length * fraction);
    if (idx.length >= 2) k = Math.min(Math.max(k, 1), idx.length - 1);
    idx.forEach((i, pos) => onPick(i, pos < k));
  }
}

export function assignSplits(
  labels: ArrayLike<number>,
  ownSplit: ReadonlyArray<Split | undefined> | null,
  testFraction: number,
  seed: number,
): Split[] {
  const splits = new Array<Split>(labels.length);
  if (ownSplit && ownSplit.some((s) => s !== undefined)) {
    for (let i = 0; i < labels.length; i++) splits[i] = ownSplit[i] ?? 'train';
    return splits;
  }
  stratifiedPick(
    byLabel(labels),
    testFraction,
    deriveSeed(seed, 'test-split'),
    (i, picked) => (splits[i] = picked ? 'test' : 'train'),
  );
  return splits;
}

/** train_w / train_α for training images; null for test images. */
export function assignSearchHalves(
  labels: ArrayLike<number>,
  splits: readonly Split[],
  weightFraction: number,
  seed: number,
): Array<SearchHalf | null> {
  const halves = new Array<SearchHalf | null>(labels.length).fill(null);
  const train = byLabel(labels, (i) => splits[i] === 'train');
  stratifiedPick(
    train,
    weightFraction,
    deriveSeed(seed, 'search-halves'),
    (i, picked) => (halves[i] = picked ? 'w' : 'a'),
  );
  return halves;
}
