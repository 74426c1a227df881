// Filter thumbnails while a model trains: the trainer sends every conv's kernels in turn (one per
// ~1 s tick, so the budget does not grow with the number of convs), the job server asks for all
// of the compiled model's convs, and the training store keeps each conv's latest kernels.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import type { ImageDataset } from '@/core/data/arrays';
import { DEFAULT_TRAIN_CONFIG, type FromWorker, type ToWorker } from '@/core/train/protocol';
import { createState, disposeState } from '@/core/train/state';
import { train } from '@/core/train/trainer';
import { compile, CompileError } from '@/core/compile/compiler';
import { JobServer } from '@/core/jobs/server';
import { TEMPLATES } from '@/core/graph/templates';
import { createMemoryHost } from '@/host/memory';
import { memoryRunStorage, setRunStorage } from '@/host/run-storage';
import { setHost } from '@/composables/useHost';
import { useTrainingStore } from '@/stores/training';
import { chainGraph, diskFetch } from './helpers/mnist';

type FiltersMsg = Extract<FromWorker, { type: 'filters' }>;

/** Three convs of different shapes, so every message can be told apart by its shape too. */
function threeConvs(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 1], name: 'input_1' });
  let x = tf.layers.conv2d({ name: 'ca', filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ name: 'cb', filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ name: 'cc', filters: 4, kernelSize: 1, activation: 'relu', kernelInitializer: tf.initializers.heNormal({ seed: 3 }) }).apply(x) as tf.SymbolicTensor;
  const f = tf.layers.flatten({ name: 'flatten_1' }).apply(x);
  const out = tf.layers.dense({ name: 'classifier_1', units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(f) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

function tinyData(count: number): ImageDataset {
  const images = new Uint8Array(count * 64);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = i % 2;
    for (let p = 0; p < 64; p++) images[i * 64 + p] = (p % 8 < 4) === (i % 2 === 0) ? 200 : 20;
  }
  return { images, labels, count, height: 8, width: 8, channels: 1, classes: 2 };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainer: filters of every conv', () => {
  it('sends each conv in turn, the first conv first, every message the kernel of its block at that time', async () => {
    const model = threeConvs();
    const cfg = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 4, maxExamples: 96, maxTestExamples: 8, validationSplit: 0.1, seed: 5, optimizer: 'sgd' as const, learningRate: 0.05 };
    const state = createState('r', model, cfg);
    const events: FromWorker[] = [];
    // Each filters message is compared with the kernel the layer holds when it is sent.
    const mismatches: string[] = [];
    try {
      await train(state, { train: tinyData(96), test: tinyData(8) }, {
        emit: (e) => {
          if (e.type === 'filters') {
            const w = model.getLayer(e.blockId).getWeights()[0].dataSync();
            if (w.length !== e.data.length || w.some((v, i) => v !== e.data[i])) mismatches.push(e.blockId);
          }
          events.push(e);
        },
        control: () => 'run',
      }, { filtersBlockIds: ['ca', 'cb', 'cc'], filtersEveryMs: 0, reportEveryMs: 0 });
    } finally {
      disposeState(state);
    }
    const filters = events.filter((e): e is FiltersMsg => e.type === 'filters');
    const reports = events.filter((e) => e.type === 'progress').length;
    expect(reports).toBeGreaterThanOrEqual(6);
    // One filters message per report tick (not three): the ~1 Hz budget is shared, not multiplied;
    // at the end every conv's final kernels.
    expect(filters.length).toBeLessThanOrEqual(reports + 3);
    expect(filters.slice(-3).map((f) => f.blockId)).toEqual(['ca', 'cb', 'cc']);
    expect(filters.slice(0, 6).map((f) => f.blockId)).toEqual(['ca', 'cb', 'cc', 'ca', 'cb', 'cc']);
    // While training, every conv within any 3 consecutive ticks.
    const ticks = filters.slice(0, -3);
    for (let i = 0; i + 3 <= ticks.length; i++) expect(new Set(ticks.slice(i, i + 3).map((f) => f.blockId)).size).toBe(3);
    expect(filters.find((f) => f.blockId === 'cb')!.shape).toEqual([3, 3, 2, 3]);
    expect(filters.find((f) => f.blockId === 'cc')!.shape).toEqual([1, 1, 3, 4]);
    expect(mismatches).toEqual([]);
    model.dispose();
  }, 60_000);

  it('the job server asks for every conv of the compiled model', async () => {
    const out: FromWorker[] = [];
    let now = 0;
    const server = new JobServer({
      post: (m) => out.push(m), compile, isCompileError: (e) => e instanceof CompileError, loaders: () => ({ cpu: async () => {} }), fetchFn: diskFetch, measure: false,
      now: () => (now += 2000), // every report is a filters tick
    });
    const graph = chainGraph([
      ['input_1', 'Input', { kind: 'image', height: 12, width: 12, channels: 1 }],
      ['conv2d_1', 'Conv2D', { filters: 2, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' }],
      ['conv2d_2', 'Conv2D', { filters: 3, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' }],
      ['flatten_1', 'Flatten'],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]);
    const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 16, maxExamples: 160, maxTestExamples: 32, validationSplit: 0.1, backends: ['cpu' as const], seed: 2 };
    await server.handle({ type: 'train', runId: 'run', graph, config, dataset: { kind: 'mnist', baseUrl: '/mnist/' } });
    const ids = out.filter((m): m is FiltersMsg => m.type === 'filters').map((m) => m.blockId);
    expect(out.some((m) => m.type === 'done')).toBe(true);
    expect(ids.slice(0, 4)).toEqual(['conv2d_1', 'conv2d_2', 'conv2d_1', 'conv2d_2']);
  }, 120_000);
});

describe('training store: latest kernels per conv block', () => {
  beforeEach(() => {
    setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
    setRunStorage(memoryRunStorage());
    setActivePinia(createPinia());
  });

  const msg = (runId: string, blockId: string, v: number, shape: [number, number, number, number] = [1, 1, 1, 2]): FromWorker => ({ type: 'filters', runId, blockId, shape, data: new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]).fill(v) });

  it('keeps every conv’s latest kernels; `filters` is the first conv; other runs and a new start clear or are ignored', () => {
    const sent: ToWorker[] = [];
    const t = useTrainingStore();
    t.setTransport({ post: (m) => sent.push(m) });
    t.updateConfig({ maxExamples: 3000 });
    const runId = t.start(TEMPLATES.find((x) => x.id === 'convnetjs-mnist')!.graph)!;
    t.handle(msg(runId, 'conv2d_1', 1));
    t.handle(msg(runId, 'conv2d_2', 2, [1, 1, 2, 3]));
    t.handle(msg(runId, 'conv2d_1', 3));
    t.handle(msg('some-other-run', 'conv2d_2', 9));
    expect([...t.filtersByBlock.keys()]).toEqual(['conv2d_1', 'conv2d_2']);
    expect(t.filtersByBlock.get('conv2d_1')!.data[0]).toBe(3);
    expect(t.filtersByBlock.get('conv2d_2')!.data[0]).toBe(2);
    expect(t.filtersByBlock.get('conv2d_2')!.shape).toEqual([1, 1, 2, 3]);
    // The Filters panel's snapshot: the first conv, its newest version.
    expect(t.filters?.blockId).toBe('conv2d_1');
    expect(t.filters?.data[0]).toBe(3);
    expect(t.filters!.version).toBeGreaterThan(t.filtersByBlock.get('conv2d_2')!.version);
    // A second conv's update leaves the first's snapshot (and its version) as they were.
    const v = t.filters!.version;
    t.handle(msg(runId, 'conv2d_2', 4, [1, 1, 2, 3]));
    expect(t.filters!.version).toBe(v);
    expect(t.filtersByBlock.get('conv2d_2')!.data[0]).toBe(4);
    t.handle({ type: 'done', runId, stopped: false, testLoss: 0.1, testAccuracy: 0.9, seconds: 1, examplesSeen: 3000 });
    t.start(TEMPLATES.find((x) => x.id === 'convnetjs-mnist')!.graph);
    expect(t.filtersByBlock.size).toBe(0);
    expect(t.filters).toBeNull();
  });
});
