// The pieces of one training step shared by the trainer and the backend probe.
import * as tf from '@tensorflow/tfjs';
export { makeOptimizer } from './optimizers';

/** Whether the model's last layer already applies softmax (the Classifier block does). */
export function outputsProbabilities(model: tf.LayersModel): boolean {
  const last = model.layers[model.layers.length - 1];
  const cfg = last.getConfig() as { activation?: unknown };
  return cfg.activation === 'softmax';
}

const EPS = 1e-7;

/**
 * Mean cross-entropy and the number of correct predictions for one batch.
 * Works from probabilities (clipped, like Keras) or from logits (fused, more stable).
 */
export function lossAndCorrect(
  output: tf.Tensor,
  ys: tf.Tensor,
  probabilities: boolean,
): { loss: tf.Scalar; correct: tf.Scalar } {
  const loss = probabilities
    ? tf.neg(tf.mean(tf.sum(tf.mul(ys, tf.log(tf.clipByValue(output, EPS, 1 - EPS))), -1)))
    : tf.losses.softmaxCrossEntropy(ys, output);
  const correct = tf.sum(tf.cast(tf.equal(tf.argMax(output, -1), tf.argMax(ys, -1)), 'float32'));
  return { loss: loss as tf.Scalar, correct: correct as tf.Scalar };
}

/** The tf.Variables the optimizer should update: the model's own trainable weights only. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * One optimizer step on (xs, ys) in training mode (Dropout on, BatchNorm updates its statistics).
 * Returns the batch's mean loss and correct count; the caller disposes them.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  ys: tf.Tensor,
  probabilities: boolean,
  vars: tf.Variable[],
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | null = null;
  const loss = optimizer.minimize(
    () => {
      const out = model.apply(xs, { training: true }) as tf.Tensor;
      const r = lossAndCorrect(out, ys, probabilities);
      // Kept so it survives minimize's internal tidy; the caller disposes it.
      correct = tf.keep(r.correct);
      return r.loss;
    },
    true,
    vars,
  ) as tf.Scalar;
  return { loss, correct: correct as unknown as tf.Scalar };
}
