// Grouped 2-D convolution (AlexNet's two towers; Keras' Conv2D(groups=g)). tfjs 4.22 has no grouped
// conv2d, so the input's channels are split into `groups` equal slices, each slice is convolved
// with its own filters, and the results are concatenated: output channels [i·F/g, (i+1)·F/g) see
// only input channels [i·C/g, (i+1)·C/g). The kernel is stored as Keras stores it,
// [kh, kw, C/g, F] (the g kernels side by side along the last axis), so the block's parameter count
// is the model's, and ONNX/PyTorch take it as [F, C/g, kh, kw] unchanged apart from the transpose.
// Built from split/conv2d/concat, whose gradients tfjs has on every backend (the wasm training
// kernels included), so the gradient needs no code of its own (tests check it against finite
// differences).
import * as tf from '@tensorflow/tfjs';
import { samePad, windowOutput } from '../../blocks/spec';
import { single, singleShape, type BaseLayerArgs } from './avgpool';

type Initializer = ReturnType<typeof tf.initializers.zeros>;

export type ConvActivation = 'relu' | 'sigmoid' | 'tanh' | 'linear';

export interface GroupedConv2DArgs extends BaseLayerArgs {
  filters: number;
  kernelSize: number;
  strides?: number;
  padding?: 'same' | 'valid';
  groups: number;
  activation?: ConvActivation;
  useBias?: boolean;
  kernelInitializer?: Initializer;
}

/** The activation by name (the four the Conv2D block offers). */
export function applyActivation(x: tf.Tensor, fn: string): tf.Tensor {
  switch (fn) {
    case 'relu':
      return tf.relu(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'tanh':
      return tf.tanh(x);
    case 'linear':
      return x;
    default:
      throw new Error(`unknown activation "${fn}"`);
  }
}

/**
 * y = act(concat_i conv2d(x[..., C/g slice i], W[..., F/g slice i]) + b), NHWC. With 'same' padding
 * the pads are explicit (TF's: the odd extra cell after), so the stock 'valid' conv runs.
 */
export function groupedConv2d(x: tf.Tensor4D, kernel: tf.Tensor4D, groups: number, stride: number, padding: 'same' | 'valid'): tf.Tensor4D {
  return tf.tidy((): tf.Tensor4D => {
    const [, h, w] = x.shape;
    const k = kernel.shape[0];
    let input = x;
    if (padding === 'same') {
      const [top, bottom] = samePad(h, k, stride);
      const [left, right] = samePad(w, k, stride);
      if (top + bottom + left + right > 0) input = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    }
    if (groups === 1) return tf.conv2d(input, kernel, stride, 'valid') as tf.Tensor4D;
    const xs = tf.split(input, groups, 3);
    const ws = tf.split(kernel, groups, 3);
    return tf.concat(xs.map((xi, i) => tf.conv2d(xi as tf.Tensor4D, ws[i] as tf.Tensor4D, stride, 'valid')), 3);
  });
}

export class GroupedConv2D extends tf.layers.Layer {
  static className = 'GroupedConv2D';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: 'same' | 'valid';
  readonly groups: number;
  readonly activation: ConvActivation;
  readonly useBias: boolean;
  private readonly kernelInit: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: GroupedConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'valid';
    this.groups = args.groups;
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.kernelInit = args.kernelInitializer ?? tf.initializers.glorotUniform({});
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`GroupedConv2D groups must be a positive integer, not ${this.groups}`);
    if (this.filters % this.groups !== 0) throw new Error(`GroupedConv2D filters (${this.filters}) must be divisible by groups (${this.groups})`);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const c = singleShape(inputShape)[3];
    if (c === null || c % this.groups !== 0) throw new Error(`GroupedConv2D input channels (${c}) must be divisible by groups (${this.groups})`);
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, c / this.groups, this.filters], 'float32', this.kernelInit);
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w] = singleShape(inputShape);
    const out = (s: number | null) => (s === null ? null : windowOutput(s, this.kernelSize, this.strides, this.padding));
    return [n, out(h), out(w), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      let y: tf.Tensor = groupedConv2d(x, this.kernel!.read() as tf.Tensor4D, this.groups, this.strides, this.padding);
      if (this.bias) y = tf.add(y, this.bias.read());
      return applyActivation(y, this.activation);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      groups: this.groups, activation: this.activation, useBias: this.useBias,
    };
  }
}

tf.serialization.registerClass(GroupedConv2D);
