// Nearest-neighbour upsampling by an integer factor, NHWC: x[n, i, j, c] fills the factor×factor
// square at (i·f, j·f). Written as reshapes and rank-4 tiles, whose gradients exist on every backend;
// tfjs' own UpSampling2D needs ResizeNearestNeighborGrad, which the wasm backend lacks.
import * as tf from '@tensorflow/tfjs';
import { single, singleShape, type BaseLayerArgs } from './avgpool';

export interface Upsample2DArgs extends BaseLayerArgs {
  /** Integer ≥ 1: output height and width = input's × factor. */
  factor?: number;
}

export function upsampleNearest(x: tf.Tensor4D, factor: number): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = x.shape;
    // Columns, then rows, each a rank-4 tile (tfjs' tile gradient stops at rank 4).
    const wide = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, factor, 1]), [n, h, 1, w * factor * c]);
    return tf.reshape(tf.tile(wide, [1, 1, factor, 1]), [n, h * factor, w * factor, c]) as tf.Tensor4D;
  });
}

export class Upsample2D extends tf.layers.Layer {
  static className = 'Upsample2D';
  readonly factor: number;

  constructor(args: Upsample2DArgs = {}) {
    super(args);
    this.factor = args.factor ?? 2;
    if (!Number.isInteger(this.factor) || this.factor < 1) throw new Error(`Upsample2D factor must be a positive integer, not ${this.factor}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [n, h, w, c] = singleShape(inputShape);
    return [n, h === null ? null : h * this.factor, w === null ? null : w * this.factor, c];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return upsampleNearest(single(inputs) as tf.Tensor4D, this.factor);
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), factor: this.factor };
  }
}

tf.serialization.registerClass(Upsample2D);
