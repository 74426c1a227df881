// Adversarial examples by the fast gradient sign method (Goodfellow et al. 2015): x' = clip(x + ε ·
// sign(∇ₓ loss(x, true label))). One gradient per image; every ε reuses its sign. Pure TypeScript +
// tfjs: runs in the worker and in Node.
import * as tf from '@tensorflow/tfjs';
import { makeBatch, type ImageDataset } from '../data/dataset';
import { lossAndCorrect, outputsProbabilities } from '../train/step';

export interface FgsmSweep {
  epsilons: number[];
  /** Accuracy on the perturbed images, per ε (ε = 0 is the clean accuracy). */
  accuracy: number[];
  /** Fraction of images whose predicted class differs from the clean prediction, per ε. */
  flipRate: number[];
  /** Per image: the smallest ε of the list that flips its prediction, or null when none does. */
  smallestFlip: (number | null)[];
  cleanPredicted: number[];
  labels: number[];
  count: number;
}

const inputShapeOf = (model: tf.LayersModel) => model.inputs[0].shape.slice(1) as number[];

/** sign(∇ₓ loss) for a batch (inference mode: Dropout off, BatchNorm frozen). */
export function gradientSign(model: tf.LayersModel, xs: tf.Tensor, ys: tf.Tensor): tf.Tensor {
  const probs = outputsProbabilities(model);
  return tf.tidy(() => {
    const g = tf.grad((x: tf.Tensor) => lossAndCorrect(model.apply(x, { training: false }) as tf.Tensor, ys, probs).loss)(xs);
    return tf.sign(g);
  });
}

/** x + ε·sign, clipped to the input's valid range (pixels are 0..1 after scaling). */
export function perturb(xs: tf.Tensor, sign: tf.Tensor, epsilon: number, range: [number, number] = [0, 1]): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.add(xs, tf.mul(sign, epsilon)), range[0], range[1]));
}

/**
 * FGSM over `indices` of `ds` for each ε in `epsilons` (ascending): accuracy and flip rate per ε,
 * and each image's smallest flipping ε.
 */
export async function fgsmSweep(
  model: tf.LayersModel,
  ds: ImageDataset,
  indices: ArrayLike<number>,
  epsilons: number[],
  opts: { batchSize?: number; range?: [number, number]; yieldFn?: () => Promise<void> } = {},
): Promise<FgsmSweep> {
  const eps = [...epsilons].sort((a, b) => a - b);
  const n = indices.length;
  const bs = opts.batchSize ?? 128;
  const shape = inputShapeOf(model);
  const correct = new Array<number>(eps.length).fill(0);
  const flipped = new Array<number>(eps.length).fill(0);
  const smallestFlip: (number | null)[] = [];
  const cleanPredicted: number[] = [];
  const labels: number[] = [];
  for (let s = 0; s < n; s += bs) {
    const e = Math.min(n, s + bs);
    const { xs, ys } = makeBatch(ds, indices, s, e, shape, 'center');
    try {
      const sign = gradientSign(model, xs, ys);
      const preds = tf.tidy(() => tf.stack([tf.argMax(model.apply(xs, { training: false }) as tf.Tensor, -1), ...eps.map((ep) => tf.argMax(model.apply(perturb(xs, sign, ep, opts.range), { training: false }) as tf.Tensor, -1))]));
      sign.dispose();
      const [p, y] = await Promise.all([preds.data(), tf.tidy(() => tf.argMax(ys, -1)).data()]);
      preds.dispose();
      const m = e - s;
      for (let i = 0; i < m; i++) {
        const clean = p[i];
        cleanPredicted.push(clean);
        labels.push(y[i]);
        let first: number | null = null;
        eps.forEach((ep, k) => {
          const q = p[(k + 1) * m + i];
          if (q === y[i]) correct[k]++;
          if (q !== clean) {
            flipped[k]++;
            if (first === null) first = ep;
          }
        });
        smallestFlip.push(first);
      }
    } finally {
      xs.dispose();
      ys.dispose();
    }
    await opts.yieldFn?.();
  }
  return { epsilons: eps, accuracy: correct.map((c) => c / n), flipRate: flipped.map((f) => f / n), smallestFlip, cleanPredicted, labels, count: n };
}

export interface Prediction {
  label: number;
  probability: number;
}

/** One image under FGSM at the smallest flipping ε of a fine grid (the picture of experiment 9). */
export interface FgsmExample {
  index: number;
  /** The true class. */
  label: number;
  /** [H, W, C] of the three images. */
  shape: number[];
  /** The smallest ε of the grid (step, 2·step, … ≤ maxEpsilon) whose perturbation flips the prediction; null when none does. */
  epsilon: number | null;
  /** The grid's step: the smallest ε is minimal to within it. */
  resolution: number;
  original: number[];
  /** (adversarial − original) / ε: the perturbation amplified to [−1, 1] (0 where clipping left a pixel unchanged). */
  perturbation: number[];
  /** The perturbed image at `epsilon` (at maxEpsilon when none flips). */
  adversarial: number[];
  clean: Prediction;
  attacked: Prediction;
}

const r4 = (v: number) => Math.round(v * 10000) / 10000;

/**
 * FGSM on test image `index`: the sign of its loss gradient once, then x + ε·sign for ε on a grid of
 * `step` up to `maxEpsilon`, all in one batch; the first ε whose prediction differs from the clean one.
 */
export async function fgsmExample(
  model: tf.LayersModel,
  ds: ImageDataset,
  index: number,
  opts: { maxEpsilon?: number; step?: number; range?: [number, number] } = {},
): Promise<FgsmExample> {
  const step = opts.step ?? 0.005;
  const maxEps = opts.maxEpsilon ?? 0.3;
  const grid = Array.from({ length: Math.max(1, Math.floor(maxEps / step + 1e-9)) }, (_, i) => (i + 1) * step);
  const shape = inputShapeOf(model);
  const probs = outputsProbabilities(model);
  const { xs, ys } = makeBatch(ds, [index], 0, 1, shape, 'center');
  try {
    const sign = gradientSign(model, xs, ys);
    // Row 0: the clean image; row k: ε = grid[k − 1].
    const [batch, p] = tf.tidy(() => {
      const b = tf.concat([xs, ...grid.map((ep) => perturb(xs, sign, ep, opts.range))]);
      const o = model.apply(b, { training: false }) as tf.Tensor;
      return [b, probs ? o : tf.softmax(o)];
    });
    sign.dispose();
    const [images, pr] = await Promise.all([batch.data(), p.data()]);
    tf.dispose([batch, p]);
    const classes = p.shape[1] as number;
    const size = shape.reduce((a, b) => a * b, 1);
    const predict = (row: number): Prediction => {
      let best = 0;
      for (let c = 1; c < classes; c++) if (pr[row * classes + c] > pr[row * classes + best]) best = c;
      return { label: best, probability: pr[row * classes + best] };
    };
    const clean = predict(0);
    let row = grid.findIndex((_, k) => predict(k + 1).label !== clean.label) + 1;
    const epsilon = row > 0 ? grid[row - 1] : null;
    if (row === 0) row = grid.length;
    const original = Array.from(images.subarray(0, size), r4);
    const adversarial = Array.from(images.subarray(row * size, (row + 1) * size), r4);
    const eps = grid[row - 1];
    return {
      index, label: ds.labels[index], shape, epsilon, resolution: step,
      original, adversarial, perturbation: adversarial.map((v, i) => r4((v - original[i]) / eps)),
      clean, attacked: predict(row),
    };
  } finally {
    xs.dispose();
    ys.dispose();
  }
}
