// Labels beyond 255 and float data end to end: evaluation and the samples job keep class 299 as
// 299, float datasets come back as their floats plus display bytes, and user inputs (drawn,
// dropped, `netwright predict`) are scaled and normalized as training scales that dataset.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@/core/compile/compiler';
import { assembleBatch, streamedOf, type ImageDataset } from '@/core/data/dataset';
import { normalizationOf, normalizeInput } from '@/core/data/normalize';
import { applyFitFixes, checkDataFit } from '@/core/data/sources';
import { displayBytes } from '@/core/data/thumbnails';
import { evaluateDetailed } from '@/core/eval/evaluate';
import { instantiate, templateById } from '@/core/graph/templates';
import { JobServer } from '@/core/jobs/server';
import { DEFAULT_TRAIN_CONFIG, type FromWorker, type JobResult, type ToWorker } from '@/core/train/protocol';

const K = 300;

/** 4×4×1 float images in [0, 1]; label i % 300 (Uint16: more than 256 classes); class k's images are all k/300. */
function manyClasses(n: number): ImageDataset {
  const images = new Float32Array(n * 16);
  const labels = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    labels[i] = i % K;
    images.fill(labels[i] / K, i * 16, (i + 1) * 16);
  }
  return { images, labels, count: n, height: 4, width: 4, channels: 1, classes: K, classNames: Array.from({ length: K }, (_, k) => `c${k}`) };
}

function server() {
  const out: FromWorker[] = [];
  const s = new JobServer({ post: (m) => void out.push(m), compile, isCompileError: (e) => e instanceof CompileError, loaders: () => ({ cpu: async () => {} }) });
  return { s, out };
}

async function job(s: JobServer, out: FromWorker[], msg: Extract<ToWorker, { jobId: string }>): Promise<JobResult> {
  await s.handle(msg);
  const reply = out.find((m) => (m.type === 'job-result' || m.type === 'job-error') && m.jobId === msg.jobId);
  if (!reply || reply.type !== 'job-result') throw new Error(reply && 'message' in reply ? reply.message : 'no reply');
  return reply.result;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('labels beyond 255', () => {
  it('evaluateDetailed keeps classes ≥ 256 (Int32) and counts them in a 300×300 confusion matrix', async () => {
    const ds = manyClasses(600);
    const input = tf.input({ shape: [4, 4, 1] });
    // Logits favour class 299 for every input: predicted must read 299, not 299 & 255 = 43.
    const dense = tf.layers.dense({ units: K, kernelInitializer: 'zeros', biasInitializer: tf.initializers.constant({ value: 0 }) });
    const model = tf.model({ inputs: input, outputs: dense.apply(tf.layers.flatten().apply(input)) as tf.SymbolicTensor });
    const [kernel] = dense.getWeights();
    const b = new Float32Array(K);
    b[299] = 5;
    dense.setWeights([kernel, tf.tensor1d(b)]);
    const r = await evaluateDetailed(model, ds, Uint32Array.from({ length: 600 }, (_, i) => i));
    expect(r.labels).toBeInstanceOf(Int32Array);
    expect(r.labels[299]).toBe(299);
    expect(Math.max(...r.labels)).toBe(299);
    expect(new Set(r.predicted)).toEqual(new Set([299]));
    expect(r.confusion[299][299]).toBe(2);
    expect(r.accuracy).toBeCloseTo(2 / 600);
    // Read through a streamed source: the same result.
    const streamed = await evaluateDetailed(model, streamedOf(ds), Uint32Array.from({ length: 600 }, (_, i) => i), { batchSize: 64 });
    expect(Array.from(streamed.labels)).toEqual(Array.from(r.labels));
    expect(streamed.loss).toBeCloseTo(r.loss, 6);
    model.dispose();
  });

  it('the samples job returns wide labels, the float values and display bytes; evaluate through the server too', async () => {
    const train = manyClasses(600);
    const test = manyClasses(300);
    const base = instantiate(templateById('logistic-regression')!);
    const graph = applyFitFixes(base, checkDataFit(base, { height: 4, width: 4, channels: 1, classes: K }));
    const { s, out } = server();
    const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 64, backends: ['cpu' as const] };
    await s.handle({ type: 'train', runId: 'r', graph, config, dataset: { kind: 'memory', id: 'many', name: 'many', data: { train, test } } });
    expect(out.find((m) => m.type === 'error')).toBeUndefined();
    const r = await job(s, out, { type: 'samples', jobId: 's', runId: 'r', split: 'test', indices: [299, 150, 0] });
    if (r.kind !== 'samples') throw new Error(r.kind);
    expect(Array.from(r.labels)).toEqual([299, 150, 0]);
    expect(r.values).toBeInstanceOf(Float32Array);
    expect(r.values![0]).toBeCloseTo(299 / 300);
    // Floats in [0, 1] are shown ×255 (a float image is not truncated to bytes 0/1).
    expect(Array.from(r.images.subarray(0, 16))).toEqual(new Array(16).fill(Math.round((299 / 300) * 255)));
    expect(r.images[16]).toBe(128);
    expect(r.classNames?.[299]).toBe('c299');
    const e = await job(s, out, { type: 'evaluate', jobId: 'e', runId: 'r' });
    if (e.kind !== 'evaluate') throw new Error(e.kind);
    expect(Math.max(...e.evaluation.labels)).toBe(299);
    expect(e.evaluation.confusion).toHaveLength(K);
  }, 60_000);
});

describe('display bytes of float data', () => {
  it('unit floats ×255, other ranges stretched from their own min..max, bytes untouched', () => {
    expect(Array.from(displayBytes(Float32Array.from([0, 0.5, 1])))).toEqual([0, 128, 255]);
    expect(Array.from(displayBytes(Float32Array.from([-2, 0, 2])))).toEqual([0, 128, 255]);
    expect(Array.from(displayBytes(Float32Array.from([0, 127.5, 255]), 1 / 255))).toEqual([0, 128, 255]);
    const b = Uint8Array.from([1, 2, 3]);
    expect(displayBytes(b)).toBe(b);
  });
});

describe('user inputs are normalized as training normalizes the dataset', () => {
  const pixels = Uint8Array.from([0, 10, 200, 255, 30, 60, 90, 120, 17, 34, 51, 68]); // 2×2×3
  const asInput = () => Float32Array.from(pixels, (v) => v / 255); // what imageToModelInput gives

  it('bytes with per-channel mean/std: the same values as a training batch of those pixels', () => {
    const ds: ImageDataset = { images: pixels, labels: Uint8Array.from([0]), count: 1, height: 2, width: 2, channels: 3, classes: 2, mean: [0.2, 0.3, 0.4], std: [0.5, 0.25, 2] };
    const batch = assembleBatch(ds, [0], 0, 1, [2, 2, 3], 'center').x;
    const x = normalizeInput(asInput(), 3, normalizationOf(ds));
    x.forEach((v, i) => expect(v).toBeCloseTo(batch[i], 5));
    expect(x[0]).toBeCloseTo(-0.4, 5);
  });

  it('floats with a scale, and the identity for plain [0, 1] data (MNIST)', () => {
    const ds: ImageDataset = { images: Float32Array.from(pixels), labels: Uint8Array.from([0]), count: 1, height: 2, width: 2, channels: 3, classes: 2, scale: 1 / 255, mean: [0.1, 0.1, 0.1] };
    const batch = assembleBatch(ds, [0], 0, 1, [2, 2, 3], 'center').x;
    // Float data in pixel units (0..255, scale 1/255): the [0, 1] input is taken back to them first.
    const x = normalizeInput(asInput(), 3, normalizationOf(ds));
    x.forEach((v, i) => expect(v).toBeCloseTo(batch[i], 5));
    const mnist: ImageDataset = { ...ds, images: pixels, scale: undefined, mean: undefined };
    const plain = asInput();
    expect(normalizeInput(plain, 3, normalizationOf(mnist))).toEqual(asInput());
  });
});
