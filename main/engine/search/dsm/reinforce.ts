/**
 * Policy-gradient training of the DSM-NAS controller ([DSM-NAS] Eq. 2, Algorithm 1 line 16, §IV-C): REINFORCE
 * with a moving-average baseline and an entropy regulariser added to the reward, Adam. As in the ENAS recipe the
 * paper follows ("we add an entropy regularizer to the reward"), the shaped reward is R(β|α) + w·H(π) with the
 * trajectory's entropy H as a constant, the advantage is the shaped reward minus the baseline before this step, and
 * the loss is −advantage · log π(subspace, Δα). The baseline then moves: b ← d·b + (1 − d)·shaped reward.
 *
 * Adam is main/engine/nn/optim.ts's (plain arrays, no weight decay), so its state, like the weights and the
 * baseline, checkpoints exactly.
 */
import * as tf from '@tensorflow/tfjs';
import { Adam, type OptimizerState } from '../../nn/optim.js';
import type { ControllerGraph, DsmAction, DsmController } from './controller.js';

export interface ReinforceOptions {
  lr: number;
  entropyWeight: number;
  baselineDecay: number;
}

export interface ReinforceState {
  baseline: number;
  optimizer: OptimizerState;
}

export class Reinforce {
  baseline = 0;
  private readonly adam: Adam;

  constructor(
    private readonly controller: DsmController,
    private readonly o: ReinforceOptions,
  ) {
    this.adam = new Adam(controller.params, { beta1: 0.9, beta2: 0.999, weightDecay: 0 });
  }

  /** One policy-gradient step on one sampled trajectory with its reward R(β|α) and entropy; returns the new baseline. */
  step(
    g: ControllerGraph,
    action: DsmAction,
    reward: number,
    entropy: number,
  ): { advantage: number; baseline: number } {
    const shaped = reward + this.o.entropyWeight * entropy;
    const advantage = shaped - this.baseline;
    const list = this.controller.params.list;
    const { value, grads } = tf.variableGrads(
      () => {
        const { logProb } = this.controller.score(g, [action]);
        return tf.mul(tf.sum(logProb), -advantage) as tf.Scalar;
      },
      list.map((e) => e.variable),
    );
    this.adam.apply(
      list.map((e) => grads[e.variable.name]),
      this.o.lr,
    );
    tf.dispose([value, ...Object.values(grads)]);
    this.baseline = this.o.baselineDecay * this.baseline + (1 - this.o.baselineDecay) * shaped;
    return { advantage, baseline: this.baseline };
  }

  state(): ReinforceState {
    return { baseline: this.baseline, optimizer: this.adam.state() };
  }

  /** Restores the baseline and Adam's moments (call after the controller's weights are restored). */
  restore(s: ReinforceState): void {
    this.baseline = s.baseline;
    this.adam.restore(s.optimizer);
  }
}
