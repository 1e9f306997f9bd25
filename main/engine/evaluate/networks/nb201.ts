/**
 * The NAS-Bench-201 network (Dong & Yang, ICLR 2020; code: github.com/D-X-Y/AutoDL-Projects,
 * lib/models/cell_infers/tiny_network.py TinyNetwork, cells.py InferCell, cell_operations.py), from standard
 * tfjs-layers layers:
 *
 *   stem: conv 3x3 to C + BN
 *   3 stages of N cells (C, 2C, 4C channels), a ResNetBasicblock with stride 2 between stages:
 *     ReLUConvBN 3x3 stride 2, ReLUConvBN 3x3, shortcut avg pool 2x2 stride 2 + conv 1x1 (no BN), summed
 *   lastact BN + ReLU, global average pooling, linear classifier
 *
 * A cell has 4 nodes; node i sums one operation per earlier node j (the genotype's edges):
 *   nor_conv_kxk  ReLU, conv k (padding (k−1)/2), BN
 *   avg_pool_3x3  avg pool 3x3 'same', without the padding (count_include_pad=False)
 *   skip_connect  identity
 *   none          zero: the edge is dropped; a node whose edges are all `none` is zeros of the input's shape
 * The cell outputs node 3. Operations whose result never reaches node 3 are still built (InferCell computes and
 * counts them) and tied to the output multiplied by zero, so parameter counts match the benchmark's.
 */
import type { Nb201Genotype, Nb201Op } from '../../../../shared/genotype/ops.js';
import { channels, spatial, type GraphBuilder, type Sym } from './builder.js';

export interface Nb201SpecLike {
  genotype: Nb201Genotype;
  channels: number;
  cellsPerStage: number;
}

function operation(b: GraphBuilder, name: string, op: Nb201Op, x: Sym): Sym | null {
  const c = channels(x);
  switch (op) {
    case 'none':
      return null;
    case 'skip_connect':
      return x;
    case 'avg_pool_3x3':
      return b.pool(`${name}_pool`, x, 'avg', 3, 1, 'same');
    case 'nor_conv_1x1':
      return b.reluConvBn(name, x, { filters: c, kernel: 1, pad: 0 });
    case 'nor_conv_3x3':
      return b.reluConvBn(name, x, { filters: c, kernel: 3, pad: 1 });
  }
}

/** Nodes (0 = the cell input) that reach the last node through some non-`none` edge. */
function liveNodes(g: Nb201Genotype): Set<number> {
  const last = g.nodes.length;
  const live = new Set([last]);
  for (let i = last; i >= 1; i--) {
    if (!live.has(i)) continue;
    for (const [op, j] of g.nodes[i - 1]!) if (op !== 'none') live.add(j);
  }
  return live;
}

function inferCell(b: GraphBuilder, name: string, g: Nb201Genotype, x: Sym): Sym {
  const nodes: Sym[] = [x];
  g.nodes.forEach((edges, n) => {
    const i = n + 1;
    const terms = edges.flatMap(([op, j]) => {
      const out = operation(b, `${name}_node${i}_from${j}_${op}`, op, nodes[j]!);
      return out ? [out] : [];
    });
    nodes.push(terms.length ? b.add(`${name}_node${i}_add`, terms) : b.zeros(`${name}_node${i}`, x));
  });
  const live = liveNodes(g);
  const dead = nodes.slice(1, -1).filter((d, k) => !live.has(k + 1) && d !== x); // a bare skip of x holds nothing
  return b.keepAlive(name, nodes[nodes.length - 1]!, dead);
}

/**
 * ResNetBasicblock(stride 2): ReLUConvBN 3x3 s2 → ReLUConvBN 3x3, plus AvgPool2d(2, 2) → conv 1x1 on the shortcut.
 * On an odd map the pool uses 'same' (⌈H/2⌉ rows, the last window averaging the pixels it covers, i.e. PyTorch's
 * ceil_mode) so the shortcut matches the ⌈H/2⌉ rows of the strided convolution; PyTorch's floor would not add up.
 */
function resBlock(b: GraphBuilder, name: string, x: Sym, planes: number): Sym {
  let h = b.reluConvBn(`${name}_conv_a`, x, { filters: planes, kernel: 3, stride: 2, pad: 1 });
  h = b.reluConvBn(`${name}_conv_b`, h, { filters: planes, kernel: 3, pad: 1 });
  const [H, W] = spatial(x);
  const pooled = b.pool(`${name}_shortcut_pool`, x, 'avg', 2, 2, H % 2 || W % 2 ? 'same' : 'valid');
  const shortcut = b.conv(`${name}_shortcut_conv`, pooled, { filters: planes, kernel: 1, pad: 0 });
  return b.add(`${name}_add`, [shortcut, h]);
}

export function validateNb201Spec(s: Nb201SpecLike): void {
  if (!Number.isInteger(s.channels) || s.channels < 1)
    throw new Error(`NAS-Bench-201 needs a positive number of channels; got ${s.channels}.`);
  if (!Number.isInteger(s.cellsPerStage) || s.cellsPerStage < 1)
    throw new Error(`NAS-Bench-201 needs at least one cell per stage; got ${s.cellsPerStage}.`);
  s.genotype.nodes.forEach((edges, n) => {
    for (const [, j] of edges)
      if (!Number.isInteger(j) || j < 0 || j > n)
        throw new Error(`NAS-Bench-201 node ${n + 1} takes an edge from node ${j}, which is not before it.`);
  });
}

/** Builds TinyNetwork on `x`: its logits. */
export function buildNb201(b: GraphBuilder, x: Sym, s: Nb201SpecLike, classes: number): Sym {
  validateNb201Spec(s);
  let h = b.bn('stem_bn', b.conv('stem_conv', x, { filters: s.channels, kernel: 3, pad: 1 }));
  let index = 0;
  [1, 2, 4].forEach((mult, stage) => {
    if (stage > 0) h = resBlock(b, `cell${index++}_resblock`, h, s.channels * mult);
    for (let k = 0; k < s.cellsPerStage; k++) h = inferCell(b, `cell${index++}`, s.genotype, h);
  });
  h = b.relu('lastact_relu', b.bn('lastact_bn', h));
  return b.dense('classifier', b.globalAveragePool('gap', h), classes);
}
