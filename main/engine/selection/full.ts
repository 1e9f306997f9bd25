/** `full`: every train_w image for the weights and every train_α image for α, each epoch, shuffled (DARTS). */
import { deriveSeed, mulberry32, shuffleInPlace } from '../nn/prng.js';
import { balanceDegree, countPerClass } from './balance.js';
import type { DataSelection, EpochSelection, SelectionEpochStats, SelectionPools } from './strategy.js';

export class FullSelection implements DataSelection {
  readonly name = 'full' as const;

  constructor(
    private readonly pools: SelectionPools,
    private readonly seed: number,
  ) {}

  select(epoch: number): EpochSelection {
    // a stream per epoch: the order depends only on (seed, epoch), so a resumed search sees the same batches
    const rng = mulberry32(deriveSeed(this.seed, `full-selection:${epoch}`));
    return {
      train: shuffleInPlace([...this.pools.train], rng) as number[],
      val: shuffleInPlace([...this.pools.val], rng) as number[],
    };
  }

  epochStats(): SelectionEpochStats {
    const { train, val, labels, classes } = this.pools;
    const perClass = { train: countPerClass(train, labels, classes), val: countPerClass(val, labels, classes) };
    return { trainSize: train.length, valSize: val.length, perClass, balance: balanceDegree(perClass.train) };
  }

  state(): unknown {
    return { seed: this.seed };
  }

  restore(): void {
    // stateless beyond the seed: every epoch's order is derived from (seed, epoch)
  }
}
