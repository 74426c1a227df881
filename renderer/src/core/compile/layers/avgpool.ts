// Average pooling with Keras 'same' semantics (each window divides by the number of cells inside
// the input) and a correct gradient. tfjs 4.22's avgPool forward does this, but its gradient
// divides by the full window size near borders (cpu, webgl and webgpu), so training through it
// is subtly wrong. Here: zero-pad explicitly, take a 'valid' average (whose gradient is right,
// every window being full), then rescale by a constant map of k*k / (cells inside).
import * as tf from '@tensorflow/tfjs';
import { samePad, windowOutput } from '../../blocks/spec';

export { samePad };

export type PoolPadding = 'valid' | 'same';

/** Output length of a pooling window along one axis (null stays null: unknown size). */
export function pooledSize(size: number | null, kernel: number, stride: number, padding: PoolPadding): number | null {
  return size === null ? null : windowOutput(size, kernel, stride, padding);
}

/** For each output position of a 'same' pooling along one axis, how many window cells lie inside. */
export function insideCounts(size: number, kernel: number, stride: number): number[] {
  const [before] = samePad(size, kernel, stride);
  const out = Math.ceil(size / stride);
  const counts: number[] = [];
  for (let o = 0; o < out; o++) {
    const start = o * stride - before;
    counts.push(Math.max(Math.min(start + kernel, size) - Math.max(start, 0), 1));
  }
  return counts;
}

/** Constant [1, outH, outW, 1] map of k*k / (cells inside the input) per window. */
function rescaleMap(height: number, width: number, poolSize: number, stride: number): tf.Tensor4D {
  const rows = insideCounts(height, poolSize, stride);
  const cols = insideCounts(width, poolSize, stride);
  const data = new Float32Array(rows.length * cols.length);
  const full = poolSize * poolSize;
  for (let i = 0; i < rows.length; i++) {
    for (let j = 0; j < cols.length; j++) data[i * cols.length + j] = full / (rows[i] * cols[j]);
  }
  return tf.tensor4d(data, [1, rows.length, cols.length, 1]);
}

/** Average over the cells of each window that lie inside the input ('same' padding), NHWC. */
export function avgPoolSame(x: tf.Tensor4D, poolSize: number, stride: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const [top, bottom] = samePad(height, poolSize, stride);
    const [left, right] = samePad(width, poolSize, stride);
    const padded = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
    // Zero padding adds nothing to the sums; the map turns sum/(k*k) into sum/(cells inside).
    const fullWindowMean = tf.avgPool(padded, poolSize, stride, 'valid');
    return tf.mul(fullWindowMean, rescaleMap(height, width, poolSize, stride));
  });
}

/** Average pooling whose gradient is right for both paddings ('valid' uses the stock op). */
export function avgPool2d(x: tf.Tensor4D, poolSize: number, stride: number, padding: PoolPadding): tf.Tensor4D {
  return padding === 'same' ? avgPoolSame(x, poolSize, stride) : tf.avgPool(x, poolSize, stride, 'valid');
}

export function asPadding(value: unknown): PoolPadding {
  if (value === 'same' || value === 'valid') return value;
  throw new Error(`padding must be 'same' or 'valid', not ${JSON.stringify(value)}`);
}

/** Output shape of a 2-D pooling layer for an NHWC input shape (batch first). */
export function poolOutputShape(inputShape: tf.Shape, poolSize: number, stride: number, padding: PoolPadding): tf.Shape {
  const [batch, height, width, channels] = inputShape;
  return [batch, pooledSize(height, poolSize, stride, padding), pooledSize(width, poolSize, stride, padding), channels];
}

/** The single input tensor of a layer (tfjs passes a list for multi-input layers). */
export function single(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
  return Array.isArray(inputs) ? inputs[0] : inputs;
}

/** The single input shape (a shape is itself an array, so look one level down). */
export function singleShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
  return Array.isArray(shape[0]) ? (shape as tf.Shape[])[0] : (shape as tf.Shape);
}

export type BaseLayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;

export interface PoolLayerArgs extends BaseLayerArgs {
  poolSize: number;
  strides?: number;
  padding?: PoolPadding;
}

/**
 * What the custom pooling layers share: window, stride, padding, output shape and their config.
 * Subclasses supply `call` (and their own className and registration).
 */
export abstract class PoolLayer extends tf.layers.Layer {
  readonly poolSize: number;
  readonly strides: number;
  readonly padding: PoolPadding;

  constructor(args: PoolLayerArgs, defaultPadding: PoolPadding) {
    super(args);
    this.poolSize = args.poolSize;
    this.strides = args.strides ?? args.poolSize;
    this.padding = asPadding(args.padding ?? defaultPadding);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return poolOutputShape(singleShape(inputShape), this.poolSize, this.strides, this.padding);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

/**
 * AvgPool2D with a correct 'same' gradient. The compiler uses it for 'same' padding only; 'valid'
 * keeps the stock AveragePooling2D layer, whose gradient is right.
 */
export class SameAvgPool2D extends PoolLayer {
  static className = 'SameAvgPool2D';

  constructor(args: PoolLayerArgs) {
    super(args, 'same');
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return avgPool2d(single(inputs) as tf.Tensor4D, this.poolSize, this.strides, this.padding);
  }
}

tf.serialization.registerClass(SameAvgPool2D);
