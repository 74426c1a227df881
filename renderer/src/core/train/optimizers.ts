// The optimizers the lecture covers, built from a TrainConfig, and a way to change the learning
// rate of a running optimizer (schedules) without losing its accumulated state.
//
// tfjs 4.22 keeps the rate in two different ways (read in tfjs-core/dist/optimizers/):
// - SGD and Momentum (and Nesterov, a Momentum with useNesterov) multiply by a kept scalar tensor
//   `c = -learningRate`; their own setLearningRate() disposes and replaces it.
// - Adagrad, Adadelta, RMSProp and Adam read the plain number `this.learningRate` in every
//   applyGradients, so assigning the field is enough and their accumulators stay as they are.
// Detect the kind with getClassName(), not instanceof: tfjs puts a Symbol.hasInstance on the base
// Optimizer that every subclass inherits, so `adam instanceof tf.SGDOptimizer` is true.
import * as tf from '@tensorflow/tfjs';
import type { TrainConfig } from './config';

/** Adam's and RMSProp's usual constants; Adadelta's rho as in Zeiler 2012 and ConvNetJS. */
const ADADELTA_RHO = 0.95;
const RMSPROP_DECAY = 0.9;

export function makeOptimizer(config: Pick<TrainConfig, 'optimizer' | 'learningRate' | 'momentum'>): tf.Optimizer {
  const lr = config.learningRate;
  switch (config.optimizer) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, config.momentum, false);
    case 'nesterov':
      return tf.train.momentum(lr, config.momentum, true);
    case 'adagrad':
      return tf.train.adagrad(lr);
    case 'adadelta':
      return tf.train.adadelta(lr, ADADELTA_RHO);
    case 'rmsprop':
      return tf.train.rmsprop(lr, RMSPROP_DECAY);
    case 'adam':
      return tf.train.adam(lr);
    default:
      throw new Error(`unknown optimizer '${String(config.optimizer)}'`);
  }
}

/** The learning rate an optimizer currently uses. */
export function getLearningRate(opt: tf.Optimizer): number {
  return (opt as unknown as { learningRate: number }).learningRate;
}

/**
 * Changes the learning rate of an existing optimizer in place, keeping its state (momentum,
 * accumulators, Adam's moments and bias-correction powers, the iteration count).
 */
export function setLearningRate(opt: tf.Optimizer, lr: number): void {
  if (!Number.isFinite(lr) || lr < 0) throw new Error(`learning rate must be a finite number ≥ 0, not ${lr}`);
  const name = opt.getClassName();
  switch (name) {
    case 'SGD':
    case 'Momentum':
      // Replaces the kept scalar c = -lr (and the learningRate field, used by getConfig).
      (opt as tf.SGDOptimizer).setLearningRate(lr);
      return;
    case 'Adagrad':
    case 'Adadelta':
    case 'RMSProp':
    case 'Adam':
    case 'Adamax':
      (opt as unknown as { learningRate: number }).learningRate = lr;
      return;
    default:
      throw new Error(`cannot set the learning rate of a ${name} optimizer`);
  }
}

/** One entry of an optimizer's state, as tf.Optimizer#getWeights() lists them (tfjs does not export the type). */
export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

/** Extra entries optimizerWeights() appends for Adam, after tfjs's own list. */
const ADAM_EXTRAS = ['adam/accBeta1', 'adam/accBeta2'] as const;

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
}

/**
 * The optimizer's full state as tensors the caller owns (dispose them all): tfjs's getWeights()
 * order (iteration count first, then the accumulators in variable order), copied, plus, for Adam,
 * its two bias-correction powers. tfjs's own Adam.setWeights recomputes those as
 * beta^(iterations + 1) with pow, which differs in the last bit from the running product the
 * optimizer really holds after some step counts (e.g. 5 or 37 steps): a resumed run would then
 * drift from the uninterrupted one. With these two entries restoreOptimizerWeights is exact.
 *
 * Note: tfjs's own getWeights() returns the optimizer's live state variables (only the iteration
 * scalar is new); disposing them breaks the optimizer. This copies them.
 */
export async function optimizerWeights(opt: tf.Optimizer): Promise<NamedTensor[]> {
  const live = await opt.getWeights();
  const out: NamedTensor[] = live.map((w, i) => (i === 0 ? w : { name: w.name, tensor: tf.clone(w.tensor) }));
  if (opt.getClassName() === 'Adam') {
    const adam = opt as unknown as AdamInternals;
    out.push({ name: ADAM_EXTRAS[0], tensor: tf.clone(adam.accBeta1) }, { name: ADAM_EXTRAS[1], tensor: tf.clone(adam.accBeta2) });
  }
  return out;
}

/**
 * Loads state saved by optimizerWeights() (or a plain tfjs getWeights() list) into an optimizer of
 * the same kind, built for the same variables in the same order. Any state the optimizer had is
 * freed. The caller still owns `weights` and may dispose them afterwards.
 */
export async function restoreOptimizerWeights(opt: tf.Optimizer, weights: NamedTensor[]): Promise<void> {
  const extras = new Map(weights.filter((w) => (ADAM_EXTRAS as readonly string[]).includes(w.name)).map((w) => [w.name, w.tensor]));
  const plain = weights.filter((w) => !extras.has(w.name));
  const old = await opt.getWeights();
  await opt.setWeights(plain);
  // setWeights replaces the accumulator lists without freeing the previous variables.
  tf.dispose(old.map((w) => w.tensor));
  if (opt.getClassName() === 'Adam' && extras.size === 2) {
    const adam = opt as unknown as AdamInternals;
    adam.accBeta1.assign(extras.get(ADAM_EXTRAS[0]) as tf.Tensor);
    adam.accBeta2.assign(extras.get(ADAM_EXTRAS[1]) as tf.Tensor);
  }
}
