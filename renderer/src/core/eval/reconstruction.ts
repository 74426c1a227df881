// What an autoencoder learned: its reconstruction error, a few reconstructions beside their inputs,
// and how much spatial structure its filters have. Pure TypeScript + tfjs (worker and Node).
import * as tf from '@tensorflow/tfjs';
import { makeBatch, type ImageDataset } from '../data/dataset';

const inputShapeOf = (model: tf.LayersModel) => model.inputs[0].shape.slice(1) as number[];

/** Mean squared error between the model's output and its input over `indices` (centre crops, inference mode). */
export async function reconstructionMse(model: tf.LayersModel, ds: ImageDataset, indices: ArrayLike<number>, batchSize = 256): Promise<number> {
  const shape = inputShapeOf(model);
  const n = indices.length;
  let sum = tf.scalar(0);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const next = tf.tidy(() => {
      const { xs } = makeBatch(ds, indices, s, e, shape, 'center');
      const out = model.apply(xs, { training: false }) as tf.Tensor;
      return tf.add(sum, tf.sum(tf.squaredDifference(out, xs))) as tf.Scalar;
    });
    sum.dispose();
    sum = next;
  }
  const total = (await sum.data())[0];
  sum.dispose();
  return total / (n * shape.reduce((a, b) => a * b, 1));
}

export interface Reconstruction {
  index: number;
  label: number;
  /** [H, W, C] of both images. */
  shape: number[];
  input: number[];
  output: number[];
}

/** Inputs and their reconstructions (values in [0, 1], rounded to 3 decimals for reports). */
export async function reconstructions(model: tf.LayersModel, ds: ImageDataset, indices: ArrayLike<number>): Promise<Reconstruction[]> {
  const shape = inputShapeOf(model);
  const size = shape.reduce((a, b) => a * b, 1);
  const [xs, out] = tf.tidy(() => {
    const { xs: x } = makeBatch(ds, indices, 0, indices.length, shape, 'center');
    return [x, model.apply(x, { training: false }) as tf.Tensor];
  });
  const [a, b] = await Promise.all([xs.data(), out.data()]);
  tf.dispose([xs, out]);
  const r3 = (v: number) => Math.round(v * 1000) / 1000;
  return Array.from(indices, (index, k) => ({
    index, label: ds.labels[index], shape,
    input: Array.from(a.subarray(k * size, (k + 1) * size), r3), output: Array.from(b.subarray(k * size, (k + 1) * size), r3),
  }));
}

/**
 * Spatial-gradient energy of a conv kernel [kh, kw, in, out]: per filter (and input channel), the sum
 * of squared differences between vertically and horizontally adjacent taps; the mean over filters.
 * `normalized` divides each filter's energy by its own sum of squares (structure, not size): white
 * noise gives about 2·(1 − 1/k) per tap pair, smooth filters less, edge detectors more.
 */
export function spatialGradientEnergy(shape: readonly number[], values: ArrayLike<number>): { raw: number; normalized: number } {
  const [kh, kw, cin, cout] = shape;
  const at = (i: number, j: number, c: number, o: number) => values[((i * kw + j) * cin + c) * cout + o];
  let raw = 0;
  let normalized = 0;
  for (let o = 0; o < cout; o++) {
    let e = 0;
    let sq = 0;
    for (let c = 0; c < cin; c++)
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++) {
          const v = at(i, j, c, o);
          sq += v * v;
          if (i + 1 < kh) e += (at(i + 1, j, c, o) - v) ** 2;
          if (j + 1 < kw) e += (at(i, j + 1, c, o) - v) ** 2;
        }
    raw += e;
    normalized += sq > 0 ? e / sq : 0;
  }
  return { raw: raw / cout, normalized: normalized / cout };
}
