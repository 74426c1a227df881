// Local contrast normalisation (Jarrett, Kavukcuoglu, Ranzato & LeCun 2009):
//   subtractive: v = x − Σ_pqk w_pq/C · x_{i+p, j+q, k}       (Gaussian window, over all channels)
//   divisive:    y = v / max(c, σ),  σ_ij = sqrt(Σ_pqk w_pq/C · v²_{i+p, j+q, k}),  c = mean σ per example
// Near borders the window weights that fall outside the image are dropped and the rest renormalised
// (divide by the blurred ones-mask), so edges are not darkened. No trainable weights.
//
// The Gaussian is separable, so each blur is two 1-D convolutions on the channel mean (k + k
// multiplies per pixel instead of k·k·C). conv2d has gradient kernels on cpu, webgl and webgpu.
import * as tf from '@tensorflow/tfjs';
import { gaussian1d, insideWeight, LCN_EPSILON } from '../../blocks/lcn';
import { single, singleShape, type BaseLayerArgs } from './avgpool';

// The window maths is shared with the block's exports (core/blocks/lcn.ts).
export { gaussian1d, insideWeight };

export interface LocalContrastNormArgs extends BaseLayerArgs {
  /** Window size, odd. */
  kernelSize?: number;
  /** Standard deviation of the Gaussian window, in pixels. */
  sigma?: number;
  /** Floor of the divisor, so flat regions (σ ≈ 0) neither blow up nor give NaN gradients. */
  epsilon?: number;
}

export class LocalContrastNorm extends tf.layers.Layer {
  static className = 'LocalContrastNorm';
  readonly kernelSize: number;
  readonly sigma: number;
  readonly epsilon: number;

  constructor(args: LocalContrastNormArgs = {}) {
    super(args);
    this.kernelSize = args.kernelSize ?? 9;
    this.sigma = args.sigma ?? 2;
    this.epsilon = args.epsilon ?? LCN_EPSILON;
    if (!Number.isInteger(this.kernelSize) || this.kernelSize < 1 || this.kernelSize % 2 === 0) {
      throw new Error(`LocalContrastNorm kernelSize must be a positive odd integer, not ${this.kernelSize}`);
    }
    if (!(this.sigma > 0)) throw new Error(`LocalContrastNorm sigma must be positive, not ${this.sigma}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = single(inputs) as tf.Tensor4D;
      const [, height, width] = x.shape;
      const k = this.kernelSize;
      const g = gaussian1d(k, this.sigma);
      // Small constants, rebuilt per call: cheaper than managing cached tensors across backends.
      const down = tf.tensor4d(g, [k, 1, 1, 1]);
      const across = tf.tensor4d(g, [1, k, 1, 1]);
      const rows = insideWeight(height, g);
      const cols = insideWeight(width, g);
      const coverData = new Float32Array(height * width);
      for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) coverData[i * width + j] = rows[i] * cols[j];
      const coverage = tf.tensor4d(coverData, [1, height, width, 1]);

      // Weighted mean over the window and all channels, renormalised to the part inside the image.
      const localMean = (t: tf.Tensor4D): tf.Tensor4D => {
        const channelMean = tf.mean(t, -1, true) as tf.Tensor4D;
        const blurred = tf.conv2d(tf.conv2d(channelMean, down, 1, 'same'), across, 1, 'same');
        return tf.div(blurred, coverage);
      };

      const v = tf.sub(x, localMean(x)) as tf.Tensor4D;
      const floor = this.epsilon * this.epsilon;
      // max before sqrt keeps the sqrt's gradient finite where the variance is 0.
      const sigmaMap = tf.sqrt(tf.maximum(localMean(tf.square(v)), floor));
      // Broadcast c by hand: tfjs 4.22's Maximum gradient does not sum over broadcast axes
      // (it throws a shape mismatch), BroadcastTo's gradient does.
      const c = tf.broadcastTo(tf.mean(sigmaMap, [1, 2, 3], true), sigmaMap.shape);
      return tf.div(v, tf.maximum(sigmaMap, c));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, sigma: this.sigma, epsilon: this.epsilon };
  }
}

tf.serialization.registerClass(LocalContrastNorm);
