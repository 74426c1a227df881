// L2 pooling: sqrt(mean of x² over each window + eps). Sits between average pooling (p = 1) and
// max pooling (p → ∞). Built on avgPool2d so 'same' padding gets the corrected gradient and the
// mean counts only the cells inside the input, as Keras average pooling does.
import * as tf from '@tensorflow/tfjs';
import { L2_POOL_EPSILON } from '../../blocks/l2pool';
import { avgPool2d, PoolLayer, single, type PoolLayerArgs } from './avgpool';

export interface L2Pool2DArgs extends PoolLayerArgs {
  /** Added under the square root so its gradient stays finite where a window is all zeros. */
  epsilon?: number;
}

export class L2Pool2D extends PoolLayer {
  static className = 'L2Pool2D';
  readonly epsilon: number;

  constructor(args: L2Pool2DArgs) {
    super(args, 'valid');
    this.epsilon = args.epsilon ?? L2_POOL_EPSILON;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const meanSquare = avgPool2d(tf.square(x), this.poolSize, this.strides, this.padding);
      return tf.sqrt(tf.add(meanSquare, this.epsilon));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(L2Pool2D);
