// The pieces of one training step shared by the trainer and the backend probe.
import * as tf from '@tensorflow/tfjs';
import type { ClipMode } from './config';
import { addWeightDecay, clipGradients } from './gradients';

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

/**
 * The loss the model's head asks for, and its correct count. A classifier (vector output): cross-
 * entropy against the labels (lossAndCorrect). A Reconstruction head (an image output, the input's
 * shape): the mean squared error against the input itself, no labels; accuracy does not apply, so
 * `correct` is NaN (progress, epochs and the test report accuracy NaN for such a run).
 */
export function headLoss(output: tf.Tensor, xs: tf.Tensor, ys: tf.Tensor, probabilities: boolean): { loss: tf.Scalar; correct: tf.Scalar } {
  if (output.rank > 2) return { loss: tf.losses.meanSquaredError(xs, output) as tf.Scalar, correct: tf.scalar(NaN) };
  return lossAndCorrect(output, ys, probabilities);
}

/** Whether the model reconstructs its input (an image output) rather than classifying it. */
export function reconstructs(model: tf.LayersModel): boolean {
  return model.outputs[0].shape.length > 2;
}

/** The tf.Variables the optimizer should update: the model's own trainable weights only. */
export function trainableVariables(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => w.read() as tf.Variable);
}

/**
 * After a gradient computation threw (in the forward pass, or a missing gradient kernel in the
 * backward pass), tfjs 4.22 leaves its tape behind with every tensor it saved for the backward
 * pass kept; the next tape replaces it without freeing them (about one tensor per op of the
 * model, each step that fails). Free them here. Only touches a tape no gradient computation is
 * still recording into.
 */
function dropFailedTape(): void {
  const state = (tf.engine() as unknown as { state: { gradientDepth: number; activeTape: { saved?: tf.Tensor[] }[] | null } }).state;
  if (state.gradientDepth !== 0 || !state.activeTape) return;
  for (const node of state.activeTape) if (node.saved) tf.dispose(node.saved);
  state.activeTape = null;
}

/** Per-step gradient transforms; all off by default. */
export interface StepOptions {
  /** Gradient clipping mode; 'none' or undefined = off. */
  clip?: ClipMode;
  /** The global-norm threshold ('norm') or the element bound ('value'). */
  clipValue?: number;
  /** L2 weight decay on kernels (see gradients.ts' decaysWeight); 0 or undefined = off. */
  weightDecay?: number;
  /**
   * Also compute the L2 norm of each raw gradient (before decay and clipping), in `vars` order, on
   * the device; handed to `onNorms` (kept: the caller disposes it). Off on the default path.
   */
  onNorms?: (norms: tf.Tensor1D) => void;
}

/**
 * One optimizer step on (xs, ys) in training mode (Dropout on, BatchNorm updates its statistics):
 * gradients of the batch's mean loss (chosen by the head: headLoss) for `vars`, then weight decay (added to the kernels'
 * gradients), then clipping (of the decayed gradients), then the optimizer's update.
 * Returns the batch's mean loss (without the decay penalty) and correct count; the caller disposes
 * them. On an error nothing is left allocated.
 */
export function trainStep(
  model: tf.LayersModel,
  optimizer: tf.Optimizer,
  xs: tf.Tensor,
  ys: tf.Tensor,
  probabilities: boolean,
  vars: tf.Variable[],
  opts: StepOptions = {},
): { loss: tf.Scalar; correct: tf.Scalar } {
  let correct: tf.Scalar | undefined;
  let loss: tf.Scalar | undefined;
  let grads: tf.NamedTensorMap | undefined;
  let used: tf.NamedTensorMap | undefined;
  try {
    const r = optimizer.computeGradients(() => {
      const out = model.apply(xs, { training: true }) as tf.Tensor;
      const lc = headLoss(out, xs, ys, probabilities);
      // Kept so it survives computeGradients' internal tidy.
      correct = tf.keep(lc.correct);
      return lc.loss;
    }, vars);
    loss = r.value;
    grads = r.grads;
    const g = grads;
    if (opts.onNorms) {
      const names = vars.map((v) => v.name);
      opts.onNorms(tf.keep(tf.tidy(() => tf.stack(names.map((n) => tf.norm(g[n]))) as tf.Tensor1D)));
    }
    const decay = opts.weightDecay ?? 0;
    const clip = opts.clip ?? 'none';
    used = tf.tidy(() => {
      let t = g;
      if (decay !== 0) t = addWeightDecay(t, vars, decay);
      if (clip !== 'none') t = clipGradients(t, clip, opts.clipValue ?? Number.NaN);
      return t;
    });
    const u = used;
    // The array form in vars order, as minimize() does: optimizer state is kept per index.
    optimizer.applyGradients(vars.map((v) => ({ name: v.name, tensor: u[v.name] })));
    return { loss, correct: correct as unknown as tf.Scalar };
  } catch (err) {
    if (!grads) dropFailedTape();
    tf.dispose([loss, correct].filter((t): t is tf.Scalar => t !== undefined));
    throw err;
  } finally {
    // Transformed and raw gradients may share tensors; disposing twice is harmless.
    if (used) tf.dispose(used);
    if (grads) tf.dispose(grads);
  }
}
