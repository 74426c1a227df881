// Linear probes: how linearly separable the classes are in a layer's activations. Activations of
// the frozen model are read for a set of examples, then a softmax (logistic) regression is trained
// on them alone — the model never changes. Pure TypeScript + tfjs: runs in the worker and in Node.
import * as tf from '@tensorflow/tfjs';
import { makeBatch, seededRandom, shuffledIndices, type ImageDataset } from '../data/dataset';

export interface Features {
  /** count × dim, row-major. */
  values: Float32Array;
  count: number;
  dim: number;
  labels: Uint8Array;
}

const inputShapeOf = (model: tf.LayersModel) => model.inputs[0].shape.slice(1) as number[];

/**
 * The flattened output of `layer` (a layer name = block id; the Input block gives the pixels) for
 * `indices` of `ds`, inference mode, centre crops as in evaluation.
 */
export async function layerFeatures(model: tf.LayersModel, layer: string, ds: ImageDataset, indices: ArrayLike<number>, batchSize = 256): Promise<Features> {
  const l = model.getLayer(layer);
  const isInput = model.inputLayers.includes(l);
  const sub = isInput ? null : tf.model({ inputs: model.inputs, outputs: l.output as tf.SymbolicTensor });
  const shape = inputShapeOf(model);
  const n = indices.length;
  const parts: Float32Array[] = [];
  let dim = 0;
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const out = tf.tidy(() => {
      const { xs } = makeBatch(ds, indices, s, e, shape, 'center');
      const a = sub ? (sub.apply(xs, { training: false }) as tf.Tensor) : xs;
      return a.reshape([e - s, -1]);
    });
    dim = out.shape[1] as number;
    parts.push((await out.data()) as Float32Array);
    out.dispose();
  }
  const values = new Float32Array(n * dim);
  let o = 0;
  for (const p of parts) {
    values.set(p, o);
    o += p.length;
  }
  const labels = Uint8Array.from({ length: n }, (_, i) => ds.labels[indices[i]]);
  return { values, count: n, dim, labels };
}

export interface ProbeOptions {
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  seed?: number;
  classes?: number;
}

export interface ProbeResult {
  trainAccuracy: number;
  testAccuracy: number;
  dim: number;
}

/**
 * Softmax regression on `train` features, scored on `test`. Features are standardised with the
 * training set's per-feature mean and spread first, so layers of any scale get the same chance.
 */
export async function linearProbe(train: Features, test: Features, opts: ProbeOptions = {}): Promise<ProbeResult> {
  if (train.dim !== test.dim) throw new Error(`probe: train features have ${train.dim} values, test ${test.dim}`);
  const { dim } = train;
  const classes = opts.classes ?? Math.max(...train.labels, ...test.labels) + 1;
  const epochs = opts.epochs ?? 10;
  const bs = opts.batchSize ?? 64;
  const seed = opts.seed ?? 1;
  const rnd = seededRandom(seed);
  const { mean, inv } = standardizer(train);
  const w = tf.variable(tf.tidy(() => tf.randomNormal([dim, classes], 0, 0.001, 'float32', seed)));
  const b = tf.variable(tf.zeros([classes]));
  const opt = tf.train.adam(opts.learningRate ?? 0.01);
  const xsOf = (f: Features, idx: ArrayLike<number>) => {
    const x = new Float32Array(idx.length * dim);
    for (let i = 0; i < idx.length; i++) {
      const row = idx[i] * dim;
      for (let j = 0; j < dim; j++) x[i * dim + j] = (f.values[row + j] - mean[j]) * inv[j];
    }
    return tf.tensor2d(x, [idx.length, dim]);
  };
  try {
    for (let ep = 0; ep < epochs; ep++) {
      const order = shuffledIndices(train.count, Math.floor(rnd() * 2 ** 31));
      for (let s = 0; s < train.count; s += bs) {
        const idx = order.subarray(s, Math.min(train.count, s + bs));
        tf.tidy(() => {
          const x = xsOf(train, idx);
          const y = tf.oneHot(tf.tensor1d(Array.from(idx, (i) => train.labels[i]), 'int32'), classes);
          opt.minimize(() => tf.losses.softmaxCrossEntropy(y, tf.add(tf.matMul(x, w), b)) as tf.Scalar, false, [w, b]);
        });
      }
      // Lets the worker take messages between epochs.
      await new Promise((r) => setTimeout(r, 0));
    }
    const score = async (f: Features) => {
      let correct = 0;
      for (let s = 0; s < f.count; s += 1024) {
        const idx = Uint32Array.from({ length: Math.min(f.count, s + 1024) - s }, (_, i) => s + i);
        const pred = tf.tidy(() => tf.argMax(tf.add(tf.matMul(xsOf(f, idx), w), b), 1));
        const p = await pred.data();
        pred.dispose();
        idx.forEach((i, k) => (correct += p[k] === f.labels[i] ? 1 : 0));
      }
      return f.count ? correct / f.count : NaN;
    };
    return { trainAccuracy: await score(train), testAccuracy: await score(test), dim };
  } finally {
    w.dispose();
    b.dispose();
    opt.dispose();
  }
}

function standardizer(f: Features): { mean: Float32Array; inv: Float32Array } {
  const mean = new Float32Array(f.dim);
  const sq = new Float32Array(f.dim);
  for (let i = 0; i < f.count; i++) {
    for (let j = 0; j < f.dim; j++) {
      const v = f.values[i * f.dim + j];
      mean[j] += v;
      sq[j] += v * v;
    }
  }
  const inv = new Float32Array(f.dim);
  for (let j = 0; j < f.dim; j++) {
    mean[j] /= Math.max(1, f.count);
    const sd = Math.sqrt(Math.max(0, sq[j] / Math.max(1, f.count) - mean[j] * mean[j]));
    // A constant feature (a dead unit, a border pixel) carries nothing: scaled to zero, not divided by 0.
    inv[j] = sd > 1e-6 ? 1 / sd : 0;
  }
  return { mean, inv };
}
