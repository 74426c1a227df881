// Detailed test-set evaluation of a trained model: loss, accuracy, per-example prediction and
// confidence, and the confusion matrix; plus raw class probabilities for user inputs and the
// seeded test sample. Pure TypeScript + tfjs: runs in the training worker and in Node.
import * as tf from '@tensorflow/tfjs';
import { batchTensors, prefetchBatches, readBatch, shuffledIndices, type AnyDataset } from '../data/dataset';
import { lossAndCorrect, outputsProbabilities } from '../train/step';
import type { EvaluationResult } from '../train/protocol';

/** Thrown by evaluateDetailed when `shouldCancel` returns true; check with `isCancelled`. */
export class CancelledError extends Error {
  readonly cancelled = true;
  constructor(message = 'cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

/** True for a CancelledError (also one that lost its prototype, e.g. after crossing a boundary). */
export function isCancelled(e: unknown): boolean {
  return e instanceof CancelledError || (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CancelledError');
}

export interface EvaluateOptions {
  /** Examples per inference batch (default 256). */
  batchSize?: number;
  /** Awaited after every batch, so the worker can take 'cancel' messages. */
  yieldFn?: () => Promise<void>;
  /** Checked before every batch; true ends the evaluation with a CancelledError. */
  shouldCancel?: () => boolean;
  /** Examples whose results have been read back so far, out of `total`. */
  onProgress?: (done: number, total: number) => void;
  /**
   * Examples per GPU→CPU read (default 2048, rounded up to whole batches): results of several
   * batches are packed into one tensor and read with one `data()`. Bounds memory and makes the
   * progress honest on asynchronous backends.
   */
  readEvery?: number;
}

function inputShapeOf(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1) as number[];
}

function outputClassesOf(model: tf.LayersModel): number {
  const shape = model.outputs[0].shape;
  const k = shape[shape.length - 1];
  if (shape.length !== 2 || typeof k !== 'number') {
    throw new Error(`the model must output one score per class, got an output of shape [${shape.join(', ')}]`);
  }
  return k;
}

/** An empty confusion matrix k×k. */
export function emptyConfusion(k: number): number[][] {
  return Array.from({ length: k }, () => new Array<number>(k).fill(0));
}

/**
 * Evaluates `model` (inference mode, centre crops as in training's evaluation) on `indices` of
 * `ds`. Each batch's results are packed on the device as [pred_0, conf_0, pred_1, ..., lossSum];
 * a chunk of batches is read with a single `data()`. Every tensor it makes is disposed, also
 * when it throws or is cancelled.
 */
export async function evaluateDetailed(
  model: tf.LayersModel,
  ds: AnyDataset,
  indices: Uint32Array,
  opts: EvaluateOptions = {},
): Promise<EvaluationResult> {
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? 256));
  const readEveryBatches = Math.max(1, Math.ceil((opts.readEvery ?? 2048) / batchSize));
  const n = indices.length;
  const k = ds.classes;
  const modelClasses = outputClassesOf(model);
  if (modelClasses !== k) {
    throw new Error(`the model outputs ${modelClasses} classes but the dataset has ${k}`);
  }
  const inputShape = inputShapeOf(model);
  const probs = outputsProbabilities(model);

  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = ds.labels[indices[i]];
  const predicted = new Int32Array(n);
  const confidence = new Float32Array(n);
  let lossSum = 0;
  let done = 0;

  const pending: { t: tf.Tensor1D; size: number }[] = [];
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const packed = pending.length === 1 ? pending[0].t : tf.concat(pending.map((p) => p.t));
    let values: Float32Array;
    try {
      values = (await packed.data()) as Float32Array;
    } finally {
      if (packed !== pending[0].t) packed.dispose();
      for (const p of pending) p.t.dispose();
    }
    let o = 0;
    for (const p of pending) {
      for (let b = 0; b < p.size; b++) {
        predicted[done + b] = values[o++];
        confidence[done + b] = values[o++];
      }
      lossSum += values[o++];
      done += p.size;
    }
    pending.length = 0;
    opts.onProgress?.(done, n);
  };

  // A streamed dataset is read batch by batch, the next one while the current one runs.
  const batches = prefetchBatches(0, n, batchSize, (s, e) => readBatch(ds, indices, s, e, inputShape, 'center'));
  try {
    for (let s = 0; s < n; s += batchSize) {
      if (opts.shouldCancel?.()) throw new CancelledError('evaluation cancelled');
      const e = Math.min(n, s + batchSize);
      const batch = (await batches.next())!;
      const t = tf.tidy(() => {
        const { xs, ys } = batchTensors(batch, inputShape, ds.classes);
        const out = model.apply(xs, { training: false }) as tf.Tensor2D;
        const { loss } = lossAndCorrect(out, ys, probs);
        const p = probs ? out : tf.softmax(out);
        const pred = tf.cast(tf.argMax(out, -1), 'float32');
        const conf = tf.max(p, -1);
        return tf.concat([tf.stack([pred, conf], 1).flatten(), tf.reshape(tf.mul(loss, e - s), [1])]) as tf.Tensor1D;
      });
      pending.push({ t, size: e - s });
      if (pending.length >= readEveryBatches) await flush();
      await opts.yieldFn?.();
    }
    if (opts.shouldCancel?.()) throw new CancelledError('evaluation cancelled');
    await flush();
  } finally {
    for (const p of pending) p.t.dispose();
  }

  const confusion = emptyConfusion(k);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    confusion[labels[i]][predicted[i]]++;
    if (labels[i] === predicted[i]) correct++;
  }
  return {
    loss: n ? lossSum / n : NaN,
    accuracy: n ? correct / n : NaN,
    count: n,
    classes: k,
    indices: Uint32Array.from(indices),
    labels,
    predicted,
    confidence,
    confusion,
  };
}

/**
 * Class probabilities for `count` inputs laid out as the model's input shape (float32, already
 * scaled like training batches). Softmax is applied when the model outputs logits.
 * Returns count×classes values, row-major.
 */
export async function predictProbabilities(model: tf.LayersModel, inputs: Float32Array, count: number, batchSize = 256): Promise<Float32Array> {
  const shape = inputShapeOf(model);
  const per = shape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (inputs.length !== count * per) {
    throw new RangeError(`${count} input(s) of shape [${shape.join(', ')}] need ${count * per} values, got ${inputs.length}`);
  }
  const k = outputClassesOf(model);
  if (count === 0) return new Float32Array(0);
  const probs = outputsProbabilities(model);
  const parts: tf.Tensor[] = [];
  try {
    for (let s = 0; s < count; s += batchSize) {
      const e = Math.min(count, s + batchSize);
      parts.push(
        tf.tidy(() => {
          const xs = tf.tensor(inputs.subarray(s * per, e * per), [e - s, ...shape]);
          const out = model.apply(xs, { training: false }) as tf.Tensor;
          return probs ? out : tf.softmax(out);
        }),
      );
    }
    const all = parts.length === 1 ? parts[0] : tf.concat(parts);
    try {
      const data = (await all.data()) as Float32Array;
      if (data.length !== count * k) throw new Error(`expected ${count * k} probabilities, got ${data.length}`);
      return data;
    } finally {
      if (all !== parts[0]) all.dispose();
    }
  } finally {
    for (const p of parts) p.dispose();
  }
}

/**
 * Test indices to evaluate: all of 0..total-1 when `sample` is absent or not smaller than
 * `total`, else a seeded random sample of `sample` distinct indices (never simply the first n),
 * sorted ascending. The same (total, sample, seed) always gives the same indices.
 */
export function evaluationSample(total: number, sample: number | undefined, seed: number): Uint32Array {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`total must be a non-negative integer, got ${total}`);
  if (sample === undefined || sample >= total) return Uint32Array.from({ length: total }, (_, i) => i);
  if (!Number.isInteger(sample) || sample < 1) throw new RangeError(`the sample size must be a positive integer, got ${sample}`);
  return shuffledIndices(total, seed).slice(0, sample).sort();
}
