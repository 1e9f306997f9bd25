/**
 * The DARTS family on the mixture of every operation: first-order DARTS ([DARTS] §2.3 with ξ = 0), second-order
 * DARTS (the unrolled α gradient, second-order.ts), PC-DARTS' schedule (its partial channels and β are the
 * supernet's: spaces/darts/supernet.ts; here the warm-up with α frozen, [PC-DARTS] §4.2: only the weights train in
 * the first 15 of its 50 epochs) and
 * β-DARTS (the Beta-Decay regulariser on the α step, beta-decay.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { Genotype } from '../../../../shared/genotype.js';
import type { AlphaSnapshot, SearchAlgorithm as AlgorithmName, SearchParams } from '../../../../shared/search.js';
import type { Supernet } from '../../spaces/supernet.js';
import { betaDecay, betaDecayLambda } from './beta-decay.js';
import { unrolledAlphaGradient } from './second-order.js';
import { forwardOutcome, gradientStep, lossWithStats, outcomeOf, type DartsOptimizers } from './step.js';
import type { SearchAlgorithm, SearchStep } from './types.js';

export interface DartsFamilyOptions {
  name: AlgorithmName;
  order: 1 | 2;
  /** Epochs at the start with α frozen. */
  warmupEpochs: number;
  /** β-DARTS: λ at the end of the search (λ rises linearly from 0); null = no regulariser. */
  betaDecayLambda: number | null;
  /** The algorithm's parameters for the provenance. */
  provenance: Record<string, string | number | boolean | number[]>;
}

export class DartsFamily implements SearchAlgorithm {
  readonly name: AlgorithmName;
  private frozen = false;
  private lambda = 0;

  constructor(
    private readonly net: Supernet,
    private readonly opt: DartsOptimizers,
    private readonly params: Pick<SearchParams, 'epochs' | 'momentum' | 'weightDecay'>,
    private readonly o: DartsFamilyOptions,
  ) {
    this.name = o.name;
  }

  beginEpoch(epoch: number): void {
    this.frozen = epoch < this.o.warmupEpochs;
    if (this.o.betaDecayLambda !== null)
      this.lambda = betaDecayLambda(epoch, this.params.epochs, this.o.betaDecayLambda);
  }

  epochInfo(): Record<string, number> {
    const info: Record<string, number> = {};
    if (this.o.warmupEpochs > 0) info.alphaFrozen = this.frozen ? 1 : 0;
    if (this.o.betaDecayLambda !== null) info.betaDecayLambda = this.lambda;
    return info;
  }

  step(s: SearchStep) {
    const { net, opt } = this;
    const val = this.frozen ? forwardOutcome(net, s.val.x, s.val.labels) : this.alphaStep(s);
    const train = gradientStep(net, 'weights', s.train.x, s.train.labels, (g) => opt.weights.apply(g, s.lr.weights));
    return { train, val };
  }

  private alphaStep(s: SearchStep) {
    const { net, opt } = this;
    const regulariser = this.o.betaDecayLambda !== null && this.lambda > 0 ? this.regulariser() : undefined;
    if (this.o.order === 1)
      return gradientStep(net, 'alphas', s.val.x, s.val.labels, (g) => opt.alphas.apply(g, s.lr.alphas), regulariser);
    return this.secondOrderAlphaStep(s);
  }

  private regulariser(): () => tf.Scalar {
    const lambda = this.lambda;
    return () => tf.mul(betaDecay(this.net.archMatrices), lambda) as tf.Scalar;
  }

  /** [DARTS] Eq. 7-8 with ξ = the weights' learning rate this epoch, momentum and weight decay as the optimiser's. */
  private secondOrderAlphaStep(s: SearchStep) {
    const { net, opt } = this;
    const kept: tf.Tensor[] = [];
    const buffers = opt.weights.state().buffers;
    try {
      const { grads, valLoss } = unrolledAlphaGradient(
        {
          weights: net.weights.list.map((e) => e.variable),
          alphas: net.alphas.list.map((e) => e.variable),
          trainLoss: () => {
            const k: tf.Tensor[] = [];
            const loss = lossWithStats(net, s.train.x, s.train.labels, k);
            tf.dispose(k);
            return loss;
          },
          valLoss: () => {
            tf.dispose(kept.splice(0));
            return lossWithStats(net, s.val.x, s.val.labels, kept);
          },
          target: (t) => (net.gradTarget = t),
        },
        {
          xi: s.lr.weights,
          momentum: this.params.momentum,
          weightDecay: this.params.weightDecay,
          momentumBuffers: net.weights.list.map((e) => buffers[`momentum:${e.name}`]),
        },
      );
      opt.alphas.apply(grads, s.lr.alphas);
      tf.dispose(grads);
      // the validation batch's statistics are those at the virtual step's weights w'
      return outcomeOf(valLoss, kept, s.val.labels);
    } finally {
      tf.dispose(kept);
    }
  }

  alphaSnapshot(): AlphaSnapshot {
    return this.net.alphaSnapshot();
  }

  genotype(): Genotype {
    return this.net.genotype();
  }

  evaluationMode(): void {}

  state(): unknown {
    return null;
  }

  restore(): void {}

  provenance() {
    return this.o.provenance;
  }
}
