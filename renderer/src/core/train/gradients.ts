// Gradient transforms applied between computing and applying a step's gradients: L2 weight decay
// and clipping. All tensor ops, no read-backs (no GPU→CPU sync in the training loop). Each function
// returns a new map; entries it does not change are the same tensors as in its input. Call them
// inside tf.tidy (trainStep does) so intermediate tensors are freed.
import * as tf from '@tensorflow/tfjs';
import type { ClipMode } from './config';

/** sqrt(Σ over all tensors of Σ g²): the length of all gradients taken as one long vector. */
export function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (grads.length === 0) return tf.scalar(0);
    const squares = grads.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}

/**
 * Gradient clipping. 'norm': if the global norm of all gradients exceeds `value`, scale every
 * gradient by value / norm (the direction is kept; Pascanu et al. 2013). 'value': clip each element
 * to [−value, value]. 'none': unchanged.
 */
export function clipGradients(grads: tf.NamedTensorMap, mode: ClipMode, value: number): tf.NamedTensorMap {
  if (mode === 'none') return { ...grads };
  if (!(value > 0)) throw new Error(`clip value must be positive, not ${value}`);
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const out: tf.NamedTensorMap = {};
    if (mode === 'value') {
      for (const n of names) out[n] = tf.clipByValue(grads[n], -value, value);
      return out;
    }
    const norm = globalNorm(names.map((n) => grads[n]));
    // min(1, value / norm): no change below the threshold; a zero norm gives Infinity → 1.
    const scale = tf.minimum(tf.scalar(1), tf.div(tf.scalar(value), norm));
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}

/**
 * Whether weight decay applies to a variable: kernels of Conv2D, Dense and the classifier only.
 * tfjs names layer weights `<layer>/kernel`, `<layer>/bias`, `<layer>/gamma`, `<layer>/beta`,
 * `<layer>/moving_mean`..., and may append `_<n>` when a name is taken (`conv2d_1/kernel_3`). A
 * variable counts as a kernel when its last name segment is `kernel` (with such a suffix) and it
 * has rank ≥ 2; biases and BatchNorm's scale and shift (rank 1) never decay — shrinking them does not
 * limit the model's capacity, it only shifts its outputs.
 */
export function decaysWeight(variable: { name: string; rank: number }): boolean {
  const last = variable.name.split('/').pop() ?? '';
  return variable.rank >= 2 && /^kernel(_\d+)?$/.test(last);
}

/**
 * L2 weight decay: adds decay·w to the gradient of every kernel w — the gradient of the penalty
 * (decay / 2)·Σ w² added to the loss. Gradients of other variables (and of variables without a
 * gradient) are unchanged. decay = 0 returns the gradients as they are.
 */
export function addWeightDecay(grads: tf.NamedTensorMap, vars: tf.Variable[], decay: number): tf.NamedTensorMap {
  const out: tf.NamedTensorMap = { ...grads };
  if (decay === 0) return out;
  if (!(decay > 0)) throw new Error(`weight decay must be ≥ 0, not ${decay}`);
  return tf.tidy(() => {
    for (const v of vars) {
      const g = grads[v.name];
      if (g && decaysWeight(v)) out[v.name] = tf.add(g, tf.mul(v, decay));
    }
    return out;
  });
}
