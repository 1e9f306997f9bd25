/**
 * Kernels of the native `tensorflow` backend (@tensorflow/tfjs-node, tfjs-node-gpu) that refuse the padding the
 * search spaces use, wrapped so they accept it. Registered once, for 'tensorflow' only, after the native package
 * has registered its own kernels; every other call goes straight to the package's kernel.
 *
 * The spaces follow PyTorch's padding (layers.ts): explicit symmetric padding for convolutions and a numeric
 * padding of 1 for the 3x3 pools. tfjs-node passes TensorFlow only 'VALID' and 'SAME' for pools, and forgets
 * the `explicit_paddings` attribute on the convolution backprops, so those calls fail ("TF Backend supports only
 * 'valid' and 'same' padding"). TensorFlow itself supports explicit padding on every convolution kernel:
 * - Conv2D, DepthwiseConv2dNative and their input / filter backprops: numeric or explicit padding is passed to
 *   TensorFlow as EXPLICIT with `explicit_paddings` (one native call, no padded copy).
 * - MaxPool / MaxPoolGrad: TensorFlow's pools have no EXPLICIT mode, so the input is padded with −∞ and pooled
 *   'valid' (the gradient likewise, then cropped): the same windows as tfjs' cpu and wasm kernels.
 * - AvgPool: zero padding and a 'valid' pool, divided by the share of real pixels under each window — the
 *   count_include_pad=False average that tfjs' cpu and wasm kernels compute.
 */
import * as tf from '@tensorflow/tfjs';
import { explicitPadding, type ConvAttrs, type PoolAttrs } from './window-geometry.js';

const { backend_util } = tf;

/** The slice of tfjs-node's NodeJSKernelBackend these kernels (and nn/native-bn.ts) call. */
export interface NativeBackend {
  binding: {
    TF_ATTR_INT: number;
    TF_ATTR_STRING: number;
    TF_ATTR_BOOL: number;
    TF_ATTR_TYPE: number;
    TF_ATTR_FLOAT: number;
  };
  executeSingleOutput(name: string, opAttrs: NativeAttr[], inputs: tf.TensorInfo[]): tf.Tensor;
  executeMultipleOutputs(name: string, opAttrs: NativeAttr[], inputs: tf.TensorInfo[], numOutputs: number): tf.Tensor[];
}
export interface NativeAttr {
  name: string;
  type: number;
  value: unknown;
}

/** The kernels this module wraps; the backend report lists them. */
export const TENSORFLOW_WRAPPED_KERNELS = [
  'Conv2D',
  'Conv2DBackpropInput',
  'Conv2DBackpropFilter',
  'DepthwiseConv2dNative',
  'DepthwiseConv2dNativeBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'MaxPool',
  'MaxPoolGrad',
  'AvgPool',
  'Relu (gradient)',
] as const;

let registered = false;

/** Paddings TensorFlow's own kernels take as they are. */
function nativePadding(type: string): boolean {
  return type === 'VALID' || type === 'SAME';
}

/** TensorFlow's DataType enum values for the dtypes a convolution sees. */
const TF_DTYPE: Record<string, number> = { float32: 1, int32: 3 };

export function typeAttr(backend: NativeBackend, dtype: tf.DataType, name = 'T'): NativeAttr {
  const value = TF_DTYPE[dtype];
  if (value === undefined) throw new Error(`the tensorflow backend's convolution kernels take float32, not ${dtype}.`);
  return { name, type: backend.binding.TF_ATTR_TYPE, value };
}

/** The running backend when it is the native one (tfjs-node / tfjs-node-gpu), else null. */
export function nativeBackend(): NativeBackend | null {
  return tf.getBackend() === 'tensorflow' ? (tf.backend() as unknown as NativeBackend) : null;
}

function convAttrs(
  backend: NativeBackend,
  dtype: tf.DataType,
  info: tf.backend_util.Conv2DInfo,
  withCudnn: boolean,
): NativeAttr[] {
  const { top, bottom, left, right } = info.padInfo;
  const attrs: NativeAttr[] = [
    typeAttr(backend, dtype),
    { name: 'strides', type: backend.binding.TF_ATTR_INT, value: [1, info.strideHeight, info.strideWidth, 1] },
    { name: 'padding', type: backend.binding.TF_ATTR_STRING, value: 'EXPLICIT' },
    { name: 'explicit_paddings', type: backend.binding.TF_ATTR_INT, value: [0, 0, top, bottom, left, right, 0, 0] },
    { name: 'data_format', type: backend.binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'dilations', type: backend.binding.TF_ATTR_INT, value: [1, info.dilationHeight, info.dilationWidth, 1] },
  ];
  if (withCudnn) attrs.push({ name: 'use_cudnn_on_gpu', type: backend.binding.TF_ATTR_BOOL, value: true });
  return attrs;
}

function shapeTensor(shape: readonly number[]): tf.Tensor1D {
  return tf.tensor1d(shape as number[], 'int32');
}

/** A convolution kernel's attributes, with the shape a backprop kernel produces. */
interface ConvKernelAttrs extends ConvAttrs {
  dataFormat?: 'NHWC' | 'NCHW';
  inputShape?: [number, number, number, number];
  filterShape?: [number, number, number, number];
}

/** The convolution info of a kernel call, or null when the package's own kernel takes its padding. */
function explicitConvInfo(
  xShape: number[],
  filterShape: number[],
  a: ConvKernelAttrs,
  depthwise: boolean,
): tf.backend_util.Conv2DInfo | null {
  if ((a.dataFormat ?? 'NHWC') !== 'NHWC') return null;
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    depthwise,
  );
  return nativePadding(info.padInfo.type) ? null : info;
}

type KernelFunc = tf.KernelConfig['kernelFunc'];

/** Replace `kernelName` on 'tensorflow' by `wrap(original)`. */
function wrapKernel(kernelName: string, wrap: (original: KernelFunc) => KernelFunc): void {
  const original = tf.getKernel(kernelName, 'tensorflow');
  if (!original) throw new Error(`the tensorflow backend has no ${kernelName} kernel to wrap.`);
  tf.unregisterKernel(kernelName, 'tensorflow');
  tf.registerKernel({ ...original, kernelFunc: wrap(original.kernelFunc) });
}

/** −∞ (max) or 0 (average) around the image, as a numeric pool padding of `p` asks. */
function padForPool(x: tf.Tensor4D, info: tf.backend_util.Conv2DInfo, value: number): tf.Tensor4D {
  const { top, bottom, left, right } = info.padInfo;
  return tf.pad(x, explicitPadding(top, bottom, left, right), value);
}

function poolInfo(xShape: number[], a: PoolAttrs): tf.backend_util.Conv2DInfo {
  return backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
}

/**
 * A numeric pool padding that reads exactly the windows TensorFlow's 'SAME' reads (a 3x3 stride-1 pool with padding
 * 1): then the pool and its gradient are TensorFlow's own, which leave the padding out of the max and the average
 * alike. Strided pools pad top/left less under 'SAME' than PyTorch does, and keep the padded path.
 */
function sameEquivalent(xShape: number[], a: PoolAttrs, info: tf.backend_util.Conv2DInfo): PoolAttrs | null {
  if (info.padInfo.type !== 'NUMBER') return null;
  const same = backend_util.computePool2DInfo(
    xShape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    'same',
  );
  const p = same.padInfo;
  const q = info.padInfo;
  const equal =
    p.top === q.top &&
    p.bottom === q.bottom &&
    p.left === q.left &&
    p.right === q.right &&
    same.outHeight === info.outHeight &&
    same.outWidth === info.outWidth;
  return equal ? { ...a, pad: 'same' } : null;
}

/** The valid pool of the padded input covers exactly the windows of the padded pool: crop what it adds beyond. */
function cropTo(y: tf.Tensor4D, info: tf.backend_util.Conv2DInfo): tf.Tensor4D {
  if (y.shape[1] === info.outHeight && y.shape[2] === info.outWidth) return y;
  return tf.slice(y, [0, 0, 0, 0], [y.shape[0], info.outHeight, info.outWidth, y.shape[3]]);
}

/**
 * The convolution kernels and how each one's tfjs inputs map to TensorFlow's operands (the backprops take the
 * shape they produce as an int32 operand, where tfjs passes it as an attribute).
 */
const CONVOLUTIONS: Array<{
  kernel: string;
  depthwise: boolean;
  operands(
    inputs: Record<string, tf.TensorInfo>,
    a: ConvKernelAttrs,
  ): { xShape: number[]; filterShape: number[]; dtype: tf.DataType; operands(): tf.TensorInfo[] };
}> = [
  ...(['Conv2D', 'DepthwiseConv2dNative'] as const).map((kernel) => ({
    kernel,
    depthwise: kernel.startsWith('Depthwise'),
    operands: ({ x, filter }: Record<string, tf.TensorInfo>) => ({
      xShape: x!.shape,
      filterShape: filter!.shape,
      dtype: x!.dtype,
      operands: () => [x!, filter!],
    }),
  })),
  ...(['Conv2DBackpropInput', 'DepthwiseConv2dNativeBackpropInput'] as const).map((kernel) => ({
    kernel,
    depthwise: kernel.startsWith('Depthwise'),
    operands: ({ dy, filter }: Record<string, tf.TensorInfo>, a: ConvKernelAttrs) => ({
      xShape: a.inputShape!,
      filterShape: filter!.shape,
      dtype: dy!.dtype,
      operands: () => [shapeTensor(a.inputShape!), filter!, dy!],
    }),
  })),
  ...(['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'] as const).map((kernel) => ({
    kernel,
    depthwise: kernel.startsWith('Depthwise'),
    operands: ({ x, dy }: Record<string, tf.TensorInfo>, a: ConvKernelAttrs) => ({
      xShape: x!.shape,
      filterShape: a.filterShape!,
      dtype: x!.dtype,
      operands: () => [x!, shapeTensor(a.filterShape!), dy!],
    }),
  })),
];

/**
 * A pool kernel (or its gradient), whose padding is read from the input named `shapeFrom`: TensorFlow's own kernel
 * where it takes that padding (directly, or as the equivalent 'SAME'), else `padded`.
 */
function wrapPool(
  kernel: string,
  shapeFrom: string,
  padded: (
    inputs: Record<string, tf.Tensor4D | undefined>,
    a: PoolAttrs,
    info: tf.backend_util.Conv2DInfo,
  ) => tf.Tensor,
): void {
  wrapKernel(kernel, (original) => (args) => {
    const inputs = args.inputs as Record<string, tf.Tensor4D | undefined>;
    const a = args.attrs as unknown as PoolAttrs;
    const shape = inputs[shapeFrom]!.shape;
    const info = poolInfo(shape, a);
    if (nativePadding(info.padInfo.type)) return original(args);
    const same = sameEquivalent(shape, a, info);
    if (same) return original({ ...args, attrs: same as unknown as tf.NamedAttrMap });
    return tf.tidy(() => padded(inputs, a, info));
  });
}

export function registerTensorflowKernels(): void {
  if (registered) return;
  if (!tf.getKernel('Conv2D', 'tensorflow')) return; // the native package is not loaded: nothing to wrap
  registered = true;

  // ReLU's gradient in tfjs-core is dy · step(x); tfjs-node's Step is six full-size kernels (isNaN, greater, ones,
  // fill, where, select). TensorFlow's ReluGrad is one. Gradients are shared by all backends: the others keep
  // tfjs-core's.
  const reluGrad = tf.getGradient('Relu');
  if (reluGrad) {
    tf.registerGradient({
      ...reluGrad,
      gradFunc: (dy, saved, attrs) => {
        const native = nativeBackend();
        const g = dy as tf.Tensor;
        if (!native || g.dtype !== 'float32') return reluGrad.gradFunc(dy, saved, attrs);
        const [x] = saved as [tf.Tensor];
        return { x: () => native.executeSingleOutput('ReluGrad', [typeAttr(native, 'float32')], [g, x]) };
      },
    });
  }

  for (const k of CONVOLUTIONS) {
    wrapKernel(k.kernel, (original) => (args) => {
      const a = args.attrs as unknown as ConvKernelAttrs;
      const { xShape, filterShape, operands, dtype } = k.operands(args.inputs as Record<string, tf.TensorInfo>, a);
      const info = explicitConvInfo(xShape, filterShape, a, k.depthwise);
      if (!info) return original(args);
      const backend = args.backend as unknown as NativeBackend;
      return tf.tidy(() =>
        backend.executeSingleOutput(k.kernel, convAttrs(backend, dtype, info, !k.depthwise), operands()),
      );
    });
  }
  wrapPool('MaxPool', 'x', ({ x }, a, info) =>
    cropTo(tf.maxPool(padForPool(x!, info, -Infinity), a.filterSize, a.strides, 'valid'), info),
  );
  wrapPool('MaxPoolGrad', 'input', ({ dy, input, output }, a, info) => {
    const padded = padForPool(input!, info, -Infinity);
    const full = backend_util.computePool2DInfo(padded.shape, a.filterSize, a.strides, 1, 'valid');
    // the valid pool of the padded input may add windows at the bottom / right that the padded pool has not:
    // their gradient is zero
    const g =
      full.outHeight === info.outHeight && full.outWidth === info.outWidth
        ? { dy: dy!, output: output! }
        : {
            dy: tf.pad(dy!, explicitPadding(0, full.outHeight - info.outHeight, 0, full.outWidth - info.outWidth)),
            output: tf.maxPool(padded, a.filterSize, a.strides, 'valid'),
          };
    const dPadded = tf
      .engine()
      .runKernel(
        'MaxPoolGrad',
        { dy: g.dy, input: padded, output: g.output },
        { filterSize: a.filterSize, strides: a.strides, pad: 'valid' },
      ) as tf.Tensor4D;
    const { top, left } = info.padInfo;
    return tf.slice(dPadded, [0, top, left, 0], input!.shape);
  });
  wrapPool('AvgPool', 'x', ({ x }, a, info) => {
    const sums = cropTo(tf.avgPool(padForPool(x!, info, 0), a.filterSize, a.strides, 'valid'), info);
    const inside = cropTo(
      tf.avgPool(padForPool(tf.ones([1, x!.shape[1], x!.shape[2], 1]), info, 0), a.filterSize, a.strides, 'valid'),
      info,
    );
    return tf.div(sums, inside);
  });
}
