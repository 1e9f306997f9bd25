/**
 * Baselines the searched cells are compared with, from standard tfjs-layers layers.
 *
 * `cnn`: a plain VGG-style network (Simonyan & Zisserman 2015, with BN; the head of Keras' mnist_cnn example),
 * width w = `channels`:
 *   [conv 3x3 w, BN, ReLU] x2 → max pool 2 → [conv 3x3 2w, BN, ReLU] x2 → max pool 2 → flatten
 *   → dense 4w, ReLU → dense (classes)
 * Flatten rather than global average pooling: on 8,000 MNIST training images (SGD momentum 0.9, cosine lr from
 * 0.025, batch 64) it reached 94.9 % after one epoch and 98.2 % after ten, where the pooled head started at 36 % and
 * needed nine epochs to reach 98 %. The head's size grows with the image (0.40 of the 0.47 M parameters at 28x28x1, w = 32).
 * No dropout: tfjs' Dropout draws the same mask at every step when seeded, and an unseeded one breaks "same seed,
 * same result"; BN regularises enough for MNIST-sized tasks.
 *
 * `resnet20`: ResNet-20 for CIFAR (He et al., CVPR 2016, section 4.2), width w = `channels` (16 in the paper):
 *   conv 3x3 w, BN, ReLU → 3 stages (w, 2w, 4w) of 3 basic blocks → global average pool → dense (classes)
 *   basic block: conv 3x3 (stride 2 at a stage's first block after the first stage), BN, ReLU, conv 3x3, BN,
 *   plus the shortcut, ReLU. Shortcuts that change shape are projections, conv 1x1 stride 2 + BN ("option B"):
 *   option A's zero-padded channels have no standard layer. (The paper's CIFAR ResNet-20 uses option A: 0.27 M
 *   parameters; option B adds 2 × (conv + BN) = 2,752 at w = 16.)
 */
import type { GraphBuilder, Sym } from './builder.js';

function convBnRelu(b: GraphBuilder, name: string, x: Sym, filters: number, stride = 1): Sym {
  return b.relu(`${name}_relu`, b.bn(`${name}_bn`, b.conv(`${name}_conv`, x, { filters, kernel: 3, stride, pad: 1 })));
}

export function buildCnn(b: GraphBuilder, x: Sym, width: number, classes: number): Sym {
  let h = x;
  [width, 2 * width].forEach((w, i) => {
    h = convBnRelu(b, `block${i + 1}_1`, h, w);
    h = convBnRelu(b, `block${i + 1}_2`, h, w);
    h = b.pool(`block${i + 1}_pool`, h, 'max', 2, 2, 'valid');
  });
  h = b.relu('head_relu', b.dense('head_dense', b.flatten('flatten', h), 4 * width));
  return b.dense('classifier', h, classes);
}

function basicBlock(b: GraphBuilder, name: string, x: Sym, planes: number, stride: number): Sym {
  let h = convBnRelu(b, `${name}_1`, x, planes, stride);
  h = b.bn(`${name}_2_bn`, b.conv(`${name}_2_conv`, h, { filters: planes, kernel: 3, pad: 1 }));
  const inPlanes = x.shape[3]!;
  const shortcut =
    stride !== 1 || inPlanes !== planes
      ? b.bn(`${name}_shortcut_bn`, b.conv(`${name}_shortcut_conv`, x, { filters: planes, kernel: 1, stride, pad: 0 }))
      : x;
  return b.relu(`${name}_relu`, b.add(`${name}_add`, [h, shortcut]));
}

export function buildResnet20(b: GraphBuilder, x: Sym, width: number, classes: number): Sym {
  let h = convBnRelu(b, 'stem', x, width);
  [1, 2, 4].forEach((mult, stage) => {
    for (let block = 0; block < 3; block++) {
      h = basicBlock(b, `stage${stage + 1}_block${block + 1}`, h, width * mult, stage > 0 && block === 0 ? 2 : 1);
    }
  });
  return b.dense('classifier', b.globalAveragePool('gap', h), classes);
}
