// Grouped convolution (GroupedConv2D, Conv2D's `groups`): forward against a naive float64 loop
// written from the definition, the gradients (input and kernel) against central finite
// differences, equality with a dense conv whose kernel is block-diagonal, and a save/load round trip.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { GroupedConv2D, groupedConv2d } from '../../renderer/src/core/compile/layers/groupedconv';
import type { Graph } from '../../renderer/src/core/graph/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randoms(n: number, seed: number): Float64Array {
  let a = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

interface Case { n: number; h: number; w: number; c: number; f: number; k: number; stride: number; groups: number; padding: 'same' | 'valid' }

/** y[b,i,j,o] = Σ over the input channels of o's group and the window of x·W, TF padding. */
function naive(x: Float64Array, kernel: Float64Array, p: Case): { y: Float64Array; oh: number; ow: number } {
  const cg = p.c / p.groups;
  const fg = p.f / p.groups;
  const out = (s: number) => (p.padding === 'same' ? Math.ceil(s / p.stride) : Math.floor((s - p.k) / p.stride) + 1);
  const before = (s: number) => (p.padding === 'same' ? Math.floor(Math.max((out(s) - 1) * p.stride + p.k - s, 0) / 2) : 0);
  const oh = out(p.h);
  const ow = out(p.w);
  const y = new Float64Array(p.n * oh * ow * p.f);
  for (let b = 0; b < p.n; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < p.f; o++) {
          const g = Math.floor(o / fg);
          let sum = 0;
          for (let di = 0; di < p.k; di++)
            for (let dj = 0; dj < p.k; dj++) {
              const r = i * p.stride + di - before(p.h);
              const q = j * p.stride + dj - before(p.w);
              if (r < 0 || r >= p.h || q < 0 || q >= p.w) continue;
              for (let ci = 0; ci < cg; ci++) sum += x[((b * p.h + r) * p.w + q) * p.c + g * cg + ci] * kernel[((di * p.k + dj) * cg + ci) * p.f + o];
            }
          y[((b * oh + i) * ow + j) * p.f + o] = sum;
        }
  return { y, oh, ow };
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const CASES: Case[] = [
  { n: 2, h: 6, w: 5, c: 4, f: 6, k: 3, stride: 1, groups: 2, padding: 'same' },
  { n: 1, h: 7, w: 6, c: 6, f: 3, k: 2, stride: 2, groups: 3, padding: 'same' },
  { n: 1, h: 6, w: 6, c: 4, f: 8, k: 3, stride: 2, groups: 4, padding: 'valid' },
];

describe('groupedConv2d', () => {
  for (const p of CASES) {
    const name = `${p.groups} groups, ${p.c}→${p.f} channels, k ${p.k}, stride ${p.stride}, ${p.padding}`;
    it(`${name}: forward = naive loop; input and kernel gradients = finite differences`, () => {
      const xs = randoms(p.n * p.h * p.w * p.c, 1 + p.groups);
      const ws = randoms(p.k * p.k * (p.c / p.groups) * p.f, 2 + p.groups);
      const { y: ref, oh, ow } = naive(xs, ws, p);
      const weights = randoms(ref.length, 3);
      const loss = (x: Float64Array, w: Float64Array) => naive(x, w, p).y.reduce((a, v, i) => a + v * weights[i], 0);
      const fd = (which: 'x' | 'w') => {
        const base = which === 'x' ? xs : ws;
        return Array.from(base, (_, i) => {
          const up = base.slice();
          const dn = base.slice();
          up[i] += 1e-5;
          dn[i] -= 1e-5;
          return which === 'x' ? (loss(up, ws) - loss(dn, ws)) / 2e-5 : (loss(xs, up) - loss(xs, dn)) / 2e-5;
        });
      };
      const [y, yShape, gx, gw] = tf.tidy(() => {
        const xt = tf.tensor4d(Float32Array.from(xs), [p.n, p.h, p.w, p.c]);
        const wt = tf.tensor4d(Float32Array.from(ws), [p.k, p.k, p.c / p.groups, p.f]);
        const out = groupedConv2d(xt, wt, p.groups, p.stride, p.padding);
        const wgt = tf.tensor(Float32Array.from(weights), out.shape);
        const [a, b] = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.mul(groupedConv2d(x as tf.Tensor4D, w as tf.Tensor4D, p.groups, p.stride, p.padding), wgt)))([xt, wt]);
        return [out.dataSync(), out.shape, a.dataSync(), b.dataSync()] as const;
      });
      expect(yShape).toEqual([p.n, oh, ow, p.f]);
      expect(maxAbsDiff(y, ref)).toBeLessThan(1e-5);
      expect(maxAbsDiff(gx, fd('x'))).toBeLessThan(1e-3);
      expect(maxAbsDiff(gw, fd('w'))).toBeLessThan(1e-3);
    });
  }

  it('equals a dense conv whose kernel is zero outside the diagonal blocks (and differs from the full dense conv)', () => {
    const p = CASES[0];
    const cg = p.c / p.groups;
    const fg = p.f / p.groups;
    const grouped = randoms(p.k * p.k * cg * p.f, 9);
    const dense = new Float32Array(p.k * p.k * p.c * p.f);
    const full = Float32Array.from(randoms(dense.length, 10));
    for (let t = 0; t < p.k * p.k; t++)
      for (let ci = 0; ci < p.c; ci++)
        for (let o = 0; o < p.f; o++) {
          const g = Math.floor(o / fg);
          const inGroup = Math.floor(ci / cg) === g;
          const v = inGroup ? grouped[(t * cg + (ci - g * cg)) * p.f + o] : 0;
          dense[(t * p.c + ci) * p.f + o] = v;
          if (inGroup) full[(t * p.c + ci) * p.f + o] = v;
        }
    const [a, b, c] = tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from(randoms(p.n * p.h * p.w * p.c, 11)), [p.n, p.h, p.w, p.c]);
      return [
        groupedConv2d(x, tf.tensor4d(Float32Array.from(grouped), [p.k, p.k, cg, p.f]), p.groups, 1, 'same').dataSync(),
        tf.conv2d(x, tf.tensor4d(dense, [p.k, p.k, p.c, p.f]), 1, 'same').dataSync(),
        tf.conv2d(x, tf.tensor4d(full, [p.k, p.k, p.c, p.f]), 1, 'same').dataSync(),
      ];
    });
    expect(maxAbsDiff(a, b)).toBeLessThan(1e-5);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(0.1);
  });

  it('the layer refuses filters that do not split into the groups', () => {
    expect(() => new GroupedConv2D({ filters: 5, kernelSize: 3, groups: 2 })).toThrow(/divisible/);
  });
});

const GRAPH: Graph = {
  version: 1,
  blocks: [
    { id: 'img', type: 'Input', params: { kind: 'image', height: 8, width: 8, channels: 2 }, position: { x: 0, y: 0 } },
    { id: 'c1', type: 'Conv2D', params: { filters: 4, kernelSize: 3, padding: 'same' }, position: { x: 0, y: 0 } },
    { id: 'g1', type: 'Conv2D', params: { filters: 6, kernelSize: 3, stride: 2, padding: 'same', groups: 2, activation: 'tanh' }, position: { x: 0, y: 0 } },
    { id: 'flat', type: 'Flatten', params: {}, position: { x: 0, y: 0 } },
    { id: 'head', type: 'Classifier', params: { classes: 3 }, position: { x: 0, y: 0 } },
  ],
  edges: [['img', 'c1'], ['c1', 'g1'], ['g1', 'flat'], ['flat', 'head']].map(([source, target], i) => ({ id: `e${i}`, source, target })),
};

describe('GroupedConv2D in a compiled model', () => {
  it('is built for groups > 1 with a [k, k, C/g, F] kernel, and survives save/load', async () => {
    const { model } = compile(GRAPH, { seed: 3 });
    const layer = model.getLayer('g1');
    expect(layer).toBeInstanceOf(GroupedConv2D);
    expect(layer.getWeights().map((w) => w.shape)).toEqual([[3, 3, 2, 6], [6]]);
    expect(model.getLayer('c1').getClassName()).toBe('Conv2D');
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)), weightSpecs: saved!.weightSpecs, weightData: saved!.weightData }));
    const x = tf.randomUniform([2, 8, 8, 2], 0, 1, 'float32', 4);
    expect(maxAbsDiff((model.predict(x) as tf.Tensor).dataSync(), (loaded.predict(x) as tf.Tensor).dataSync())).toBeLessThan(1e-6);
  });
});
