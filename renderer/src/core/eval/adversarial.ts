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
