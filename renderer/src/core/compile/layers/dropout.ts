// Dropout whose masks are repeatable. tfjs' own Dropout layer either uses Math.random (unseeded:
// runs cannot be repeated) or, given a seed, draws the SAME mask at every step (the same units are
// dropped for the whole run, which is not dropout). Here the mask of the n-th training-mode call is
// drawn from the seed string `${seed}:${n}`: masks differ from step to step, and a run with the
// same seed repeats exactly. Inference (training false or absent) is the identity.
//
// The call counter is training state: a run resumed from a checkpoint must set it back
// (setDropoutCalls) to continue with the masks the uninterrupted run would have drawn. It is not
// part of the layer's config, so a saved model starts counting at 0 again.
import * as tf from '@tensorflow/tfjs';
import { single, singleShape, type BaseLayerArgs } from './avgpool';

export interface SeededDropoutArgs extends BaseLayerArgs {
  /** Fraction of activations dropped while training, in [0, 1). */
  rate: number;
  /** Integer seed of the mask sequence. */
  seed: number;
}

export class SeededDropout extends tf.layers.Layer {
  static className = 'SeededDropout';
  readonly rate: number;
  readonly seed: number;
  /** Training-mode calls so far; the next mask is drawn from (seed, calls). */
  calls = 0;

  constructor(args: SeededDropoutArgs) {
    super(args);
    this.rate = args.rate;
    this.seed = args.seed;
    if (!(this.rate >= 0 && this.rate < 1)) throw new Error(`SeededDropout rate must be in [0, 1), not ${this.rate}`);
    if (!Number.isInteger(this.seed)) throw new Error(`SeededDropout seed must be an integer, not ${this.seed}`);
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return singleShape(inputShape);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean }): tf.Tensor {
    const x = single(inputs);
    if (kwargs.training !== true || this.rate === 0) return x;
    const n = this.calls++;
    // tf.dropout: x · floor(u + keep) / keep with u ~ U[0, 1) from the seeded generator.
    return tf.tidy(() => tf.dropout(x, this.rate, undefined, `${this.seed}:${n}`));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}

tf.serialization.registerClass(SeededDropout);

/** The SeededDropout layers of a model. */
function seededDropouts(model: tf.LayersModel): SeededDropout[] {
  return model.layers.filter((l): l is SeededDropout => l instanceof SeededDropout);
}

/** Training-mode calls of the model's SeededDropout layers (equal for all, one per training step). */
export function dropoutCalls(model: tf.LayersModel): number {
  return seededDropouts(model).reduce((m, l) => Math.max(m, l.calls), 0);
}

/** Sets the call counter of every SeededDropout layer (to resume a run's mask sequence). */
export function setDropoutCalls(model: tf.LayersModel, calls: number): void {
  if (!Number.isInteger(calls) || calls < 0) throw new Error(`dropout call count must be a whole number ≥ 0, not ${calls}`);
  for (const l of seededDropouts(model)) l.calls = calls;
}
