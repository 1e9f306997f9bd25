/**
 * The evaluation networks (main/engine/evaluate/networks): published parameter counts, shapes for MNIST- and
 * CIFAR-sized inputs (and an odd intermediate size), standard layers only in the exported model and an exact
 * save / reload round trip, a training step through the training graph (auxiliary head and drop-path included)
 * that the inference graph sees, drop-path's reproducible masks, the stride-2 dilated convolution rewrite, and
 * seeded, name-stable weights. On wasm, with small widths except where a published count is checked.
 */
import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import type { DartsGenotype } from '../../shared/genotype/ops.js';
import { parseDartsGenotype, parseNb201 } from '../../shared/genotype/text.js';
import { LeanBatchNormalization } from '../../main/engine/evaluate/networks/batch-norm.js';
import { GraphBuilder } from '../../main/engine/evaluate/networks/builder.js';
import { DropPathState, DropPath } from '../../main/engine/evaluate/networks/drop-path.js';
import {
  buildNetwork,
  countMultiplyAdds,
  countParameters,
  STANDARD_LAYER_CLASSES,
  type BuiltNetwork,
  type InputSpec,
  type NetworkSpec,
} from '../../main/engine/evaluate/networks/index.js';
import { _dilConvForTest } from '../../main/engine/evaluate/networks/darts.js';
import { rand, relError } from '../helpers/numeric.js';
import { DARTS_V2 } from '../fixtures/genotypes.js';
import { useBackend } from '../helpers/wasm.js';

/**
 * Every DARTS operation, dilated convolutions in the reduction cell (stride 2), a node of two `none` edges (node 4 of
 * the normal cell: zeros) read by a dilated convolution, and a reduction-cell node nothing reads (node 5: kept alive).
 */
const EVERY_OP: DartsGenotype = parseDartsGenotype(
  "Genotype(normal=[('sep_conv_3x3', 0), ('dil_conv_5x5', 1), ('skip_connect', 0), ('avg_pool_3x3', 2), ('none', 0), ('none', 1), ('max_pool_3x3', 3), ('dil_conv_3x3', 4)], normal_concat=[2, 3, 4, 5], " +
    "reduce=[('dil_conv_3x3', 0), ('dil_conv_5x5', 1), ('skip_connect', 0), ('avg_pool_3x3', 2), ('max_pool_3x3', 1), ('sep_conv_5x5', 3), ('none', 0), ('sep_conv_3x3', 4)], reduce_concat=[2, 3, 4])",
);

const NB201_MAX = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|';
const NB201_MIN = '|skip_connect~0|+|none~0|skip_connect~1|+|skip_connect~0|none~1|none~2|';
const NB201_MIXED = '|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|';
/** Every NAS-Bench-201 operation, an all-`none` node (2) and a node whose result never reaches node 3 (1). */
const NB201_EVERY_OP = '|nor_conv_1x1~0|+|none~0|none~1|+|avg_pool_3x3~0|nor_conv_3x3~2|none~1|';

const MNIST: InputSpec = { height: 28, width: 28, channels: 1, classes: 10 };
const CIFAR: InputSpec = { height: 32, width: 32, channels: 3, classes: 10 };

/** Small versions of each kind, for the tests that run the networks. */
const SMALL: Record<string, NetworkSpec> = {
  darts: { kind: 'darts', genotype: EVERY_OP, channels: 4, layers: 5, auxiliary: true },
  nb201: { kind: 'nb201', genotype: parseNb201(NB201_EVERY_OP), channels: 4, cellsPerStage: 1 },
  cnn: { kind: 'cnn', channels: 8 },
  resnet20: { kind: 'resnet20', channels: 4 },
};

const built: BuiltNetwork[] = [];
function build(spec: NetworkSpec, input: InputSpec, seed = 1): BuiltNetwork {
  const net = buildNetwork(spec, input, seed);
  built.push(net);
  return net;
}

function images(n: number, input: InputSpec, seed: number): tf.Tensor4D {
  return tf.tensor4d(rand(n * input.height * input.width * input.channels, seed), [
    n,
    input.height,
    input.width,
    input.channels,
  ]);
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Mean cross-entropy of the training graph (+ 0.4 · the auxiliary loss, as DARTS' train.py). */
function trainLoss(net: BuiltNetwork, x: tf.Tensor4D, labels: number[], classes: number): tf.Scalar {
  const out = net.train.apply(x, { training: true }) as tf.Tensor | tf.Tensor[];
  const [logits, aux] = Array.isArray(out) ? out : [out];
  const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes);
  const ce = (z: tf.Tensor) => tf.losses.softmaxCrossEntropy(onehot, z) as tf.Scalar;
  return aux ? tf.add(ce(logits!), tf.mul(ce(aux), 0.4)) : ce(logits!);
}

/** One plain SGD step over variableGrads' gradients (keyed by variable name). */
function sgd(lr: number, grads: tf.NamedTensorMap): void {
  const opt = tf.train.sgd(lr);
  opt.applyGradients(grads as Parameters<typeof opt.applyGradients>[0]);
  opt.dispose();
}

useBackend('wasm');

afterEach(() => {
  while (built.length) built.pop()!.dispose();
});

describe('parameter counts', () => {
  it('DARTS_V2, C = 36, 20 cells, auxiliary, CIFAR-10: 3,349,342 (the DARTS code logs "param size = 3.349342MB")', () => {
    const net = build({ kind: 'darts', genotype: DARTS_V2, channels: 36, layers: 20, auxiliary: true }, CIFAR);
    // count_parameters_in_MB leaves out the auxiliary head; the training graph holds it
    expect(countParameters(net.inference)).toBe(3_349_342);
    expect(countParameters(net.train)).toBeGreaterThan(3_349_342);
    expect(net.hasAuxiliary).toBe(true);
  });

  it('NAS-Bench-201, C = 16, N = 5, CIFAR-10: largest 1,531,546, smallest 73,306 and a mixed cell 1,288,506', () => {
    // stem 3·3·3·16 + BN 32 = 464; resblocks 16→32: 4,608 + 64 + 9,216 + 64 + 512 = 14,464, 32→64: 57,600;
    // lastact BN 128; classifier 64·10 + 10 = 650; all that: 73,306 (cells of skip / none hold no parameters).
    // A nor_conv_3x3 edge is conv + BN: 2,336 at C = 16, 9,280 at 32, 36,992 at 64, so 5 cells per stage hold
    // 5 · edges · (2,336 + 9,280 + 36,992) = 243,040 per conv edge: 6 edges → 1,531,546, 5 edges → 1,288,506.
    const counts = [NB201_MAX, NB201_MIN, NB201_MIXED].map((s) => {
      const net = build({ kind: 'nb201', genotype: parseNb201(s), channels: 16, cellsPerStage: 5 }, CIFAR);
      return countParameters(net.inference);
    });
    expect(counts).toEqual([1_531_546, 73_306, 1_288_506]);
  });

  it('NAS-Bench-201 multiply-adds, C = 16, N = 5, CIFAR-10: 220,119,680 (largest cell) and 7,783,040 (smallest)', () => {
    // out positions · 9 · cin · cout per 3x3 conv. Outside the cells: stem 1,024·27·16 = 442,368; each resblock
    // (out 16x16 then 8x8) 1,179,648 + 2,359,296 + shortcut 131,072 = 3,670,016; classifier 640: 7,783,040.
    // A nor_conv_3x3 edge costs 2,359,296 at every stage (1,024·9·16·16 = 256·9·32·32 = 64·9·64·64): 6 edges in
    // 15 cells add 212,336,640.
    const [max, min] = [NB201_MAX, NB201_MIN].map((s) =>
      countMultiplyAdds(
        build({ kind: 'nb201', genotype: parseNb201(s), channels: 16, cellsPerStage: 5 }, CIFAR).inference,
      ),
    );
    expect(min).toBe(442_368 + 2 * 3_670_016 + 640);
    expect(max).toBe(7_783_040 + 90 * 2_359_296);
  });

  it('ResNet-20 (projection shortcuts), width 16, CIFAR-10: 272,474', () => {
    // conv 3x3 with BN: 9·cin·cout + 2·cout.
    // stem 3→16: 432 + 32 = 464
    // stage 1: 6 convs 16→16: 6 · (2,304 + 32) = 14,016
    // stage 2: 16→32 (4,608 + 64) + 5 · 32→32 (9,216 + 64) + projection 1x1 16→32 (512 + 64) = 4,672 + 46,400 + 576 = 51,648
    // stage 3: 32→64 (18,432 + 128) + 5 · 64→64 (36,864 + 128) + projection 32→64 (2,048 + 128) = 18,560 + 184,960 + 2,176 = 205,696
    // classifier 64·10 + 10 = 650                                 total 464 + 14,016 + 51,648 + 205,696 + 650 = 272,474
    // (option A, the paper's, has no projections: 272,474 − 576 − 2,176 = 269,722, the "0.27 M" of Table 6)
    expect(countParameters(build({ kind: 'resnet20', channels: 16 }, CIFAR).inference)).toBe(272_474);
  });

  it('cnn, width 32, MNIST: 468,010', () => {
    // convs 3x3 + BN: 1→32 (288 + 64), 32→32 (9,216 + 64), 32→64 (18,432 + 128), 64→64 (36,864 + 128)
    // head: flatten 7·7·64 = 3,136 → 128 (401,408 + 128), classifier 128→10 (1,280 + 10)
    expect(countParameters(build({ kind: 'cnn', channels: 32 }, MNIST).inference)).toBe(
      288 + 64 + 9_216 + 64 + 18_432 + 128 + 36_864 + 128 + 401_536 + 1_290,
    );
  });

  it('counts multiply-adds of convolutions and dense layers only (cnn by hand)', () => {
    const net = build({ kind: 'cnn', channels: 4 }, { height: 8, width: 8, channels: 1, classes: 3 });
    // 8x8: 1→4, 4→4; 4x4: 4→8, 8→8 (3x3 each); head 2·2·8 = 32 → 16, 16→3
    const want = 64 * 9 * 1 * 4 + 64 * 9 * 4 * 4 + 16 * 9 * 4 * 8 + 16 * 9 * 8 * 8 + 32 * 16 + 16 * 3;
    expect(countMultiplyAdds(net.inference)).toBe(want);
  });
});

describe('shapes', () => {
  for (const [kind, spec] of Object.entries(SMALL)) {
    for (const input of [MNIST, CIFAR]) {
      it(`${kind} on ${input.height}x${input.width}x${input.channels} gives [N, classes]`, () => {
        const net = build(spec, input);
        tf.tidy(() => {
          const y = net.inference.predict(images(2, input, 3)) as tf.Tensor;
          expect(y.shape).toEqual([2, input.classes]);
          expect(Array.from(y.dataSync()).every(Number.isFinite)).toBe(true);
          const out = net.train.apply(images(2, input, 4), { training: true }) as tf.Tensor | tf.Tensor[];
          const list = Array.isArray(out) ? out : [out];
          expect(list.map((t) => t.shape)).toEqual(
            net.hasAuxiliary
              ? [
                  [2, input.classes],
                  [2, input.classes],
                ]
              : [[2, input.classes]],
          );
        });
      });
    }
  }

  it('DARTS with odd intermediate sizes (30x30 → 15 → 8) and NAS-Bench-201 on 30x30', () => {
    const input: InputSpec = { height: 30, width: 30, channels: 3, classes: 4 };
    for (const spec of [SMALL['darts']!, SMALL['nb201']!]) {
      const net = build(spec, input);
      tf.tidy(() => {
        expect((net.inference.predict(images(2, input, 5)) as tf.Tensor).shape).toEqual([2, 4]);
      });
    }
    const darts = built[0]!;
    const last = darts.inference.getLayer('cell4_concat').outputShape as number[];
    expect(last.slice(1, 3)).toEqual([8, 8]);
  });
});

describe('export', () => {
  for (const [kind, spec] of Object.entries(SMALL)) {
    it(`${kind}: model.json has only standard layers; save → loadLayersModel predicts the same`, async () => {
      const input = kind === 'darts' ? MNIST : CIFAR;
      const net = build(spec, input);
      // one training step with drop-path on, so BN statistics and weights are not the initial ones
      net.setDropPath(0.2, 0);
      const x = images(4, input, 6);
      const vars = net.train.trainableWeights.map((w) => w.read() as tf.Variable);
      tf.tidy(() => {
        const { grads } = tf.variableGrads(() => trainLoss(net, x, [0, 1, 2, 3], input.classes), vars);
        sgd(0.1, grads);
      });
      let artifacts: tf.io.ModelArtifacts | null = null;
      await net.inference.save(
        tf.io.withSaveHandler(async (a) => {
          artifacts = a;
          return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
        }),
      );
      const topology = artifacts!.modelTopology as { config: { layers: Array<{ class_name: string }> } };
      const classes = new Set(topology.config.layers.map((l) => l.class_name));
      expect([...classes].filter((c) => !STANDARD_LAYER_CLASSES.includes(c))).toEqual([]);
      expect(JSON.stringify(topology)).not.toMatch(/DropPath|aux_/);
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts!));
      try {
        expect(countParameters(loaded)).toBe(countParameters(net.inference));
        const [a, b] = [net.inference.predict(x) as tf.Tensor, loaded.predict(x) as tf.Tensor];
        expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
        tf.dispose([a, b]);
      } finally {
        loaded.dispose();
        x.dispose();
      }
    });
  }
});

describe('training step', () => {
  for (const [kind, spec] of Object.entries(SMALL)) {
    it(`${kind}: finite gradients for every trainable weight; the update shows in inference.predict`, () => {
      const net = build(spec, MNIST);
      net.setDropPath(0.3, 7);
      const x = images(4, MNIST, 8);
      const vars = net.train.trainableWeights.map((w) => w.read() as tf.Variable);
      const before = net.inference.predict(x) as tf.Tensor;
      const { value, grads } = tf.variableGrads(() => trainLoss(net, x, [1, 2, 3, 4], MNIST.classes), vars);
      try {
        expect(Number.isFinite(value.dataSync()[0]!)).toBe(true);
        for (const v of vars) {
          const g = grads[v.name];
          expect(g, v.name).toBeDefined();
          expect(Array.from(g!.dataSync()).every(Number.isFinite), v.name).toBe(true);
        }
        if (kind === 'darts') {
          // the auxiliary head trains through the auxiliary loss
          const aux = net.train.getLayer('aux_classifier').trainableWeights[0]!.read() as tf.Variable;
          expect(tf.tidy(() => tf.sum(tf.abs(grads[aux.name]!)).dataSync()[0]!)).toBeGreaterThan(0);
        }
        sgd(0.1, grads);
        const after = net.inference.predict(x) as tf.Tensor;
        expect(maxAbsDiff(before, after)).toBeGreaterThan(1e-4);
        after.dispose();
      } finally {
        tf.dispose([value, before, x, ...Object.values(grads)]);
      }
    });
  }

  it('leaks no tensors over training steps', () => {
    const net = build(SMALL['darts']!, MNIST);
    const x = images(2, MNIST, 9);
    const vars = net.train.trainableWeights.map((w) => w.read() as tf.Variable);
    const opt = tf.train.momentum(0.01, 0.9);
    const step = (s: number) => {
      net.setDropPath(0.2, s);
      tf.tidy(() =>
        opt.applyGradients(
          tf.variableGrads(() => trainLoss(net, x, [0, 1], MNIST.classes), vars).grads as Parameters<
            typeof opt.applyGradients
          >[0],
        ),
      );
    };
    step(0);
    const count = tf.memory().numTensors;
    step(1);
    step(2);
    expect(tf.memory().numTensors).toBe(count);
    opt.dispose();
    x.dispose();
  });
});

describe('drop-path', () => {
  it("at probability 0 the training graph gives the inference graph's logits (both in training mode)", () => {
    const net = build(SMALL['darts']!, MNIST);
    net.setDropPath(0, 3);
    tf.tidy(() => {
      const x = images(4, MNIST, 10);
      const train = (net.train.apply(x, { training: true }) as tf.Tensor[])[0]!;
      const inference = net.inference.apply(x, { training: true }) as tf.Tensor;
      expect(maxAbsDiff(train, inference)).toBe(0);
    });
  });

  it('masks are reproducible for the same (seed, step) and differ between steps', () => {
    const net = build(SMALL['darts']!, MNIST);
    tf.tidy(() => {
      const x = images(4, MNIST, 11);
      const logits = (p: number, step: number) => {
        net.setDropPath(p, step);
        return (net.train.apply(x, { training: true }) as tf.Tensor[])[0]!;
      };
      const ref = logits(0, 0);
      const a = logits(0.5, 5);
      expect(maxAbsDiff(a, logits(0.5, 5))).toBe(0);
      expect(maxAbsDiff(a, logits(0.5, 6))).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(a, ref)).toBeGreaterThan(1e-4);
      // a second network with the same seed draws the same masks
      const twin = build(SMALL['darts']!, MNIST);
      twin.setDropPath(0.5, 5);
      expect(maxAbsDiff(a, (twin.train.apply(x, { training: true }) as tf.Tensor[])[0]!)).toBe(0);
    });
  });

  it('keeps or drops each image whole, dividing the kept ones by 1 − p; identity when not training', () => {
    const state = new DropPathState(1);
    state.probability = 0.5;
    state.step = 2;
    const layer = new DropPath({ name: 'dp', index: 0, state });
    tf.tidy(() => {
      const x = tf.ones([16, 2, 2, 3]);
      const y = (layer.apply(x, { training: true }) as tf.Tensor).reshape([16, 12]).arraySync() as number[][];
      const perImage = y.map((row) => [...new Set(row)]);
      expect(perImage.every((v) => v.length === 1 && (v[0] === 0 || v[0] === 2))).toBe(true);
      expect(new Set(perImage.map((v) => v[0])).size).toBe(2);
      expect(maxAbsDiff(layer.apply(x, { training: false }) as tf.Tensor, x)).toBe(0);
    });
  });
});

describe('stride-2 dilated convolution (reduction-cell dil_conv)', () => {
  for (const [h, w, k] of [
    [8, 8, 3],
    [9, 9, 3],
    [7, 10, 5],
    [9, 6, 5],
  ] as const) {
    it(`equals a stride-1 dilated convolution subsampled at even positions, ${h}x${w}, k = ${k}`, () => {
      const c = 3;
      const b = new GraphBuilder(5, null);
      const input = tf.input({ shape: [h, w, c] });
      const model = tf.model({ inputs: input, outputs: _dilConvForTest(b, 'dil', input, k, 2) });
      try {
        tf.tidy(() => {
          const x = tf.tensor4d(rand(2 * h * w * c, 12), [2, h, w, c]);
          const got = model.predict(x) as tf.Tensor;
          // PyTorch: padding 2·(k−1)/2, dilation 2, stride 2 → ⌊(H + 2(k−1) − 2(k−1) − 1)/2⌋ + 1 rows
          expect(got.shape).toEqual([2, Math.floor((h - 1) / 2) + 1, Math.floor((w - 1) / 2) + 1, c]);
          const [dw, pw] = model.getLayer('dil_sep').getWeights() as [tf.Tensor4D, tf.Tensor4D];
          const p = k - 1;
          const full = tf.depthwiseConv2d(
            tf.relu(x),
            dw,
            1,
            [
              [0, 0],
              [p, p],
              [p, p],
              [0, 0],
            ],
            'NHWC',
            2,
          );
          const strided = tf.stridedSlice(full, [0, 0, 0, 0], full.shape, [1, 2, 2, 1]) as tf.Tensor4D;
          // BN at its initial statistics (mean 0, variance 1, γ 1, β 0): a division by √(1 + ε)
          const want = tf.div(tf.conv2d(strided, pw, 1, 'valid'), Math.sqrt(1 + 1e-5));
          expect(maxAbsDiff(got, want)).toBeLessThan(1e-5);
        });
      } finally {
        model.dispose();
      }
    });
  }
});

describe('names and seeds', () => {
  it('the same spec, input and seed give the same layer names and weights; another seed other weights', () => {
    const [a, b, c] = [1, 1, 2].map((seed) => build(SMALL['darts']!, MNIST, seed));
    expect(a!.train.layers.map((l) => l.name)).toEqual(b!.train.layers.map((l) => l.name));
    expect(a!.inference.weights.map((w) => w.originalName)).toEqual(b!.inference.weights.map((w) => w.originalName));
    expect(a!.inference.layers.map((l) => l.name)).toContain('cell1_node0_op0_dil_conv_3x3_sep');
    expect(a!.inference.layers.map((l) => l.name)).toContain('cell1_node3_op1_sep_conv_3x3_sep2'); // the kept-alive node
    const values = (n: BuiltNetwork) => n.inference.getWeights().map((t) => Array.from(t.dataSync()));
    expect(values(a!)).toEqual(values(b!));
    expect(values(a!)).not.toEqual(values(c!));
  });

  it('no two weight tensors of a network start with the same values (per-layer seeds)', () => {
    const net = build(SMALL['darts']!, MNIST);
    const seen = new Map<string, string>();
    for (const w of net.inference.trainableWeights) {
      if (/gamma|beta/.test(w.originalName)) continue; // BN starts at 1 / 0 everywhere, as in PyTorch
      const key = Array.from(w.read().dataSync().slice(0, 8)).join(',');
      expect(seen.get(key), `${w.originalName} repeats ${seen.get(key)}`).toBeUndefined();
      seen.set(key, w.originalName);
    }
  });

  it('initialises like PyTorch: U(±1/√fanIn), fanIn of a depthwise kernel = k·k', () => {
    const net = build(SMALL['darts']!, MNIST);
    const sep = net.inference.getLayer('cell0_node0_op0_sep_conv_3x3_sep1');
    const [dw, pw] = sep.getWeights();
    expect(tf.tidy(() => tf.max(tf.abs(dw!)).dataSync()[0]!)).toBeLessThanOrEqual(1 / 3);
    expect(tf.tidy(() => tf.max(tf.abs(dw!)).dataSync()[0]!)).toBeGreaterThan(0.25);
    expect(tf.tidy(() => tf.max(tf.abs(pw!)).dataSync()[0]!)).toBeLessThanOrEqual(1 / Math.sqrt(4));
  });

  it('frees every tensor on dispose', () => {
    const before = tf.memory().numTensors;
    buildNetwork(SMALL['darts']!, MNIST, 1).dispose();
    buildNetwork(SMALL['cnn']!, MNIST, 1).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('batch normalisation layer', () => {
  const shape: [number, number, number, number] = [4, 5, 3, 6];
  const args = { axis: -1, momentum: 0.9, epsilon: 1e-5 };

  function pair(): { lean: LeanBatchNormalization; stock: ReturnType<typeof tf.layers.batchNormalization> } {
    const lean = new LeanBatchNormalization({ ...args, name: 'lean' });
    const stock = tf.layers.batchNormalization({ ...args, name: 'stock' });
    lean.build(shape);
    stock.build(shape);
    const C = shape[3];
    const weights = [
      tf.tensor1d(rand(C, 1, 0.5, 1)),
      tf.tensor1d(rand(C, 2)),
      tf.tensor1d(rand(C, 3, 0.2)),
      tf.tensor1d(rand(C, 4, 0.3, 1)),
    ];
    lean.setWeights(weights);
    stock.setWeights(weights);
    tf.dispose(weights);
    return { lean, stock };
  }

  it('serialises as the standard BatchNormalization, with the same config', () => {
    const { lean, stock } = pair();
    expect(lean.getClassName()).toBe('BatchNormalization');
    expect({ ...lean.getConfig(), name: 'x' }).toEqual({ ...stock.getConfig(), name: 'x' });
  });

  it("training mode: same output and gradients as the standard layer; PyTorch's moving statistics", () => {
    const { lean, stock } = pair();
    const xv = rand(
      shape.reduce((a, b) => a * b, 1),
      5,
      2,
      0.7,
    );
    const run = (layer: tf.layers.Layer) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, shape);
        const probe = tf.sin(tf.reshape(tf.range(0, x.size), shape));
        const vars = layer.trainableWeights.map((w) => w.read() as tf.Variable);
        const f = () => tf.sum(tf.mul(layer.apply(x, { training: true }) as tf.Tensor, probe)) as tf.Scalar;
        const y = (layer.apply(x, { training: true }) as tf.Tensor).dataSync();
        const dx = tf
          .grad((a: tf.Tensor) => tf.sum(tf.mul(layer.apply(a, { training: true }) as tf.Tensor, probe)))(x)
          .dataSync();
        const { grads } = tf.variableGrads(f, vars);
        return { y, dx, dw: vars.map((v) => grads[v.name]!.dataSync()) };
      });
    const a = run(lean);
    const b = run(stock);
    expect(relError(a.y, b.y)).toBeLessThan(1e-5);
    expect(relError(a.dx, b.dx)).toBeLessThan(1e-4);
    a.dw.forEach((g, i) => expect(relError(g, b.dw[i]!)).toBeLessThan(1e-4));
    // 3 training calls (output, dx, variableGrads) from moving mean m0, variance v0: m ← 0.9·m + 0.1·μ, v ← 0.9·v + 0.1·σ²·n/(n − 1)
    const C = shape[3];
    const n = xv.length / C;
    const [m0, v0] = [rand(C, 3, 0.2), rand(C, 4, 0.3, 1)];
    const [movingMean, movingVar] = lean
      .getWeights()
      .slice(2)
      .map((t) => t.dataSync());
    for (let c = 0; c < C; c++) {
      let mu = 0;
      for (let i = c; i < xv.length; i += C) mu += xv[i]! / n;
      let v = 0;
      for (let i = c; i < xv.length; i += C) v += (xv[i]! - mu) ** 2 / (n - 1);
      expect(movingMean![c]).toBeCloseTo(0.9 ** 3 * m0[c]! + (1 - 0.9 ** 3) * mu, 5);
      expect(movingVar![c]).toBeCloseTo(0.9 ** 3 * v0[c]! + (1 - 0.9 ** 3) * v, 5);
    }
  });

  it("inference mode: the standard layer's output", () => {
    const { lean, stock } = pair();
    tf.tidy(() => {
      const x = tf.tensor4d(
        rand(
          shape.reduce((a, b) => a * b, 1),
          6,
        ),
        shape,
      );
      expect(maxAbsDiff(lean.apply(x) as tf.Tensor, stock.apply(x) as tf.Tensor)).toBe(0);
    });
  });
});
