/**
 * The DARTS evaluation network, NetworkCIFAR of the DARTS code (github.com/quark0/darts, cnn/model.py with the
 * operations of cnn/operations.py), from standard tfjs-layers layers:
 *
 *   stem: conv 3x3 to 3C + BN
 *   L cells, reductions at L//3 and 2L//3 (channels double there); cell k reads c_{k-2}, c_{k-1}, preprocessed to C
 *     channels by ReLU-conv1x1-BN, or by FactorizedReduce when the previous cell reduced
 *   each intermediate node sums two operations chosen by the genotype; the cell outputs the concat nodes' channels
 *   auxiliary head (AuxiliaryHeadCIFAR) after cell 2L//3, in the training graph only
 *   global average pooling, linear classifier
 *
 * Operations (stride 2 on a reduction cell's edges from its two inputs):
 *   max_pool_3x3 / avg_pool_3x3  pool 3x3, 'same' (average without the padding: count_include_pad=False)
 *   skip_connect                 identity; FactorizedReduce at stride 2
 *   sep_conv_kxk                 ReLU, dw k (stride) + pw 1x1, BN, ReLU, dw k + pw 1x1, BN
 *   dil_conv_kxk                 ReLU, dw k dilation 2 (stride) + pw 1x1, BN
 *   none                         zero: the edge is dropped (a node of two `none` edges is zeros)
 * Drop-path (training graph only) follows every operation except the identity, as in Cell.forward.
 *
 * Pools with stride 2 on an even input are aligned one pixel differently from PyTorch: 'same' pads bottom/right
 * only (windows centred on odd pixels) where PyTorch's padding=1 centres them on even pixels. Output sizes agree;
 * a standard layer cannot pad a max pool with −∞ or leave padding out of an average otherwise.
 */
import type { DartsGenotype, DartsOp } from '../../../../shared/genotype/ops.js';
import { STEM_MULTIPLIER, dartsCellPlan, edgeStride, type CellPlan } from '../../spaces/darts/cells.js';
import { factorizedReduceWith } from '../../spaces/darts/factorized-reduce.js';
import { DARTS_OP_TABLE } from '../../spaces/darts/ops.js';
import { channels, spatial, type GraphBuilder, type Sym } from './builder.js';

export interface DartsSpecLike {
  genotype: DartsGenotype;
  channels: number;
  layers: number;
  auxiliary: boolean;
}

/** FactorizedReduce (spaces/darts/factorized-reduce.ts) from layers: ReLU, the two halves, concatenated, BN. */
function factorizedReduce(b: GraphBuilder, name: string, x: Sym, cOut: number): Sym {
  const half = cOut / 2;
  const reduced = factorizedReduceWith(b.relu(`${name}_relu`, x), {
    size: (t) => spatial(t),
    shift: (t) =>
      b.crop(`${name}_shift`, t, [
        [1, 0],
        [1, 0],
      ]),
    pad: (t, bottom, right) =>
      b.pad(`${name}_shift_pad`, t, [
        [0, bottom],
        [0, right],
      ]),
    conv: (t, which) => b.conv(`${name}_conv${which}`, t, { filters: half, kernel: 1, stride: 2, pad: 0 }),
    concat: (t, u) => b.concat(`${name}_concat`, [t, u]),
  });
  return b.bn(`${name}_bn`, reduced);
}

/** SepConv: ReLU, dw (stride) + pw, BN, ReLU, dw + pw, BN. */
function sepConv(b: GraphBuilder, name: string, x: Sym, k: number, stride: number): Sym {
  const c = channels(x);
  let h = b.separable(`${name}_sep1`, b.relu(`${name}_relu1`, x), { filters: c, kernel: k, stride });
  h = b.bn(`${name}_bn1`, h);
  h = b.separable(`${name}_sep2`, b.relu(`${name}_relu2`, h), { filters: c, kernel: k });
  return b.bn(`${name}_bn2`, h);
}

/**
 * DilConv: ReLU, dw k dilation 2 (stride) + pw, BN. tfjs refuses a depthwise convolution with both stride 2 and
 * dilation 2 (the reduction-cell case). With PyTorch's padding p = 2·(k−1)/2 = k−1,
 *   out[i] = Σ_t w[t]·x[2i − p + 2t] = Σ_t w[t]·x[2(i − (k−1)/2 + t)],
 * which is an undilated convolution (padding (k−1)/2, stride 1) of x[::2, ::2] — exactly, borders included. The
 * subsampling is a 1x1 average pool with stride 2 ('valid': ⌈H/2⌉ rows, PyTorch's ⌊(H + 2p − 2(k−1) − 1)/2⌋ + 1).
 */
function dilConv(b: GraphBuilder, name: string, x: Sym, k: number, stride: number): Sym {
  const c = channels(x);
  let h = b.relu(`${name}_relu`, x);
  if (stride === 2) {
    h = b.pool(`${name}_subsample`, h, 'avg', 1, 2, 'valid');
    h = b.separable(`${name}_sep`, h, { filters: c, kernel: k });
  } else {
    h = b.separable(`${name}_sep`, h, { filters: c, kernel: k, dilation: 2 });
  }
  return b.bn(`${name}_bn`, h);
}

/** One operation of a cell; null for `none`. `identity` marks skip_connect at stride 1 (no drop-path, as in DARTS). */
function operation(
  b: GraphBuilder,
  name: string,
  op: DartsOp,
  x: Sym,
  stride: number,
): { out: Sym; identity: boolean } | null {
  const spec = DARTS_OP_TABLE[op];
  switch (spec.kind) {
    case 'none':
      return null;
    case 'pool':
      return { out: b.pool(`${name}_pool`, x, spec.pool!, 3, stride, 'same'), identity: false };
    case 'skip':
      return stride === 1
        ? { out: x, identity: true }
        : { out: factorizedReduce(b, `${name}_fr`, x, channels(x)), identity: false };
    case 'sep':
      return { out: sepConv(b, name, x, spec.kernel!, stride), identity: false };
    case 'dil':
      return { out: dilConv(b, name, x, spec.kernel!, stride), identity: false };
  }
}

/** Intermediate nodes (ids 2..) whose value reaches the cell output through some non-`none` operation. */
function liveNodes(genes: DartsGenotype['normal'], concat: readonly number[]): Set<number> {
  const live = new Set(concat);
  for (let node = genes.length / 2 - 1; node >= 0; node--) {
    if (!live.has(node + 2)) continue;
    for (const [op, j] of genes.slice(2 * node, 2 * node + 2)) if (op !== 'none' && j >= 2) live.add(j);
  }
  return live;
}

function cell(b: GraphBuilder, i: number, plan: CellPlan, g: DartsGenotype, s0in: Sym, s1in: Sym): Sym {
  const name = `cell${i}`;
  const s0 = plan.reductionPrev
    ? factorizedReduce(b, `${name}_pre0_fr`, s0in, plan.c)
    : b.reluConvBn(`${name}_pre0`, s0in, { filters: plan.c, kernel: 1, pad: 0 });
  const s1 = b.reluConvBn(`${name}_pre1`, s1in, { filters: plan.c, kernel: 1, pad: 0 });
  const genes = plan.reduction ? g.reduce : g.normal;
  const concat = plan.reduction ? g.reduceConcat : g.normalConcat;
  const states: Sym[] = [s0, s1];
  for (let node = 0; node < genes.length / 2; node++) {
    const prefix = `${name}_node${node}`;
    const terms: Sym[] = [];
    let zeroSource: { x: Sym; stride: number } | null = null;
    for (let k = 0; k < 2; k++) {
      const [op, j] = genes[2 * node + k]!;
      const stride = edgeStride(plan, j);
      const r = operation(b, `${prefix}_op${k}_${op}`, op, states[j]!, stride);
      if (!r) {
        if (!zeroSource || zeroSource.stride === 2) zeroSource = { x: states[j]!, stride };
        continue;
      }
      terms.push(r.identity ? r.out : b.dropPath(`${prefix}_op${k}_droppath`, r.out));
    }
    states.push(terms.length ? b.add(`${prefix}_add`, terms) : b.zeros(prefix, zeroSource!.x, zeroSource!.stride));
  }
  const live = liveNodes(genes, concat);
  const dead = states.slice(2).filter((d, n) => !live.has(n + 2) && d !== s0 && d !== s1); // a bare skip holds nothing
  const outs = concat.map((n) => states[n]!);
  outs[0] = b.keepAlive(name, outs[0]!, dead);
  return b.concat(`${name}_concat`, outs);
}

/**
 * AuxiliaryHeadCIFAR (model.py, written for an 8x8 input): ReLU, avg pool 5 stride 3 (no padding), conv 1x1 to 128,
 * BN, ReLU, conv 2x2 to 768, BN, ReLU, linear. Smaller inputs (28x28 reaches the head at 7x7, pooled to 1x1) get
 * a pool window of at most the map and a kernel of min(2, pooled size); a map still larger than 1x1 after the 2x2
 * convolution (inputs above 32x32, where PyTorch's view(…, -1) would not fit Linear(768)) is averaged.
 */
function auxiliaryHead(b: GraphBuilder, x: Sym, classes: number): Sym {
  const [h, w] = spatial(x);
  const ph = Math.min(5, h);
  const pw = Math.min(5, w);
  let y = b.relu('aux_relu', x);
  y = b.pool('aux_pool', y, 'avg', [ph, pw], 3, 'valid');
  const [sh, sw] = spatial(y);
  y = b.relu('aux_relu1', b.bn('aux_bn1', b.conv('aux_conv1', y, { filters: 128, kernel: 1, pad: 0 })));
  y = b.relu(
    'aux_relu2',
    b.bn('aux_bn2', b.conv('aux_conv2', y, { filters: 768, kernel: [Math.min(2, sh), Math.min(2, sw)], pad: 0 })),
  );
  const [oh, ow] = spatial(y);
  y = oh === 1 && ow === 1 ? b.flatten('aux_flatten', y) : b.globalAveragePool('aux_gap', y);
  return b.dense('aux_classifier', y, classes);
}

export function validateDartsSpec(s: DartsSpecLike): void {
  if (!Number.isInteger(s.channels) || s.channels < 2 || s.channels % 2) {
    throw new Error(
      `DARTS needs an even number of initial channels (FactorizedReduce halves them); got ${s.channels}.`,
    );
  }
  if (!Number.isInteger(s.layers) || s.layers < 1) throw new Error(`DARTS needs at least one cell; got ${s.layers}.`);
}

/** Builds NetworkCIFAR on `x` for the builder's current pass: logits, and the auxiliary logits when asked for. */
export function buildDarts(
  b: GraphBuilder,
  x: Sym,
  s: DartsSpecLike,
  classes: number,
): { logits: Sym; aux: Sym | null } {
  validateDartsSpec(s);
  const stem = b.bn('stem_bn', b.conv('stem_conv', x, { filters: STEM_MULTIPLIER * s.channels, kernel: 3 }));
  let [s0, s1] = [stem, stem];
  let aux: Sym | null = null;
  const auxAfter = Math.floor((2 * s.layers) / 3);
  dartsCellPlan(s.channels, s.layers).forEach((plan, i) => {
    [s0, s1] = [s1, cell(b, i, plan, s.genotype, s0, s1)];
    if (i === auxAfter && s.auxiliary && b.training) aux = auxiliaryHead(b, s1, classes);
  });
  const logits = b.dense('classifier', b.globalAveragePool('gap', s1), classes);
  return { logits, aux };
}

/** DilConv on its own, for the test of the stride-2 rewrite. */
export const _dilConvForTest = dilConv;
