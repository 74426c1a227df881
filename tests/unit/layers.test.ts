// Custom layers against naive float64 loops: forward values, and tf.grad against central finite
// differences of the naive forward. Tensors are tiny: the Node cpu backend is slow.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { avgPool2d, SameAvgPool2D } from '../../renderer/src/core/compile/layers/avgpool';
import { L2Pool2D } from '../../renderer/src/core/compile/layers/l2pool';
import { LocalContrastNorm } from '../../renderer/src/core/compile/layers/lcn';

type Shape4 = [number, number, number, number];
type Forward = (x: Float64Array) => Float64Array;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Deterministic uniform(-1, 1) numbers (mulberry32), so failures reproduce. */
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

/** Runs fn and frees the tensors it made; unlike tf.tidy, fn may return plain JS values. */
function scoped<T>(fn: () => T): T {
  let out: T | undefined;
  tf.tidy(() => {
    out = fn();
  });
  return out as T;
}

const at = (s: Shape4, b: number, i: number, j: number, c: number): number => ((b * s[1] + i) * s[2] + j) * s[3] + c;

// ---------------------------------------------------------------- naive references (float64)

/** Window starts along one axis, written from the definition rather than from the layer code. */
function windows(size: number, k: number, s: number, padding: 'same' | 'valid'): number[] {
  if (padding === 'valid') return Array.from({ length: Math.floor((size - k) / s) + 1 }, (_, o) => o * s);
  const out = Math.ceil(size / s);
  const before = Math.floor(Math.max((out - 1) * s + k - size, 0) / 2);
  return Array.from({ length: out }, (_, o) => o * s - before);
}

/** Pooling with `reduce` over the in-image cells of each window; returns values and output shape. */
function naivePool(x: Float64Array, s: Shape4, k: number, stride: number, padding: 'same' | 'valid', reduce: (cells: number[]) => number) {
  const rows = windows(s[1], k, stride, padding);
  const cols = windows(s[2], k, stride, padding);
  const os: Shape4 = [s[0], rows.length, cols.length, s[3]];
  const y = new Float64Array(os.reduce((a, b) => a * b));
  for (let b = 0; b < s[0]; b++)
    for (let oi = 0; oi < rows.length; oi++)
      for (let oj = 0; oj < cols.length; oj++)
        for (let c = 0; c < s[3]; c++) {
          const cells: number[] = [];
          for (let i = rows[oi]; i < rows[oi] + k; i++)
            for (let j = cols[oj]; j < cols[oj] + k; j++) if (i >= 0 && i < s[1] && j >= 0 && j < s[2]) cells.push(x[at(s, b, i, j, c)]);
          y[at(os, b, oi, oj, c)] = reduce(cells);
        }
  return { y, shape: os };
}

const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
const naiveAvg = (s: Shape4, k: number, st: number, pad: 'same' | 'valid'): Forward => (x) => naivePool(x, s, k, st, pad, mean).y;
const naiveL2 = (s: Shape4, k: number, st: number, pad: 'same' | 'valid', eps = 1e-6): Forward => (x) =>
  naivePool(x, s, k, st, pad, (v) => Math.sqrt(mean(v.map((u) => u * u)) + eps)).y;

/** LCN straight from the formulas, with a 2-D window and explicit in-image renormalisation. */
function naiveLcn(s: Shape4, k: number, sigma: number, eps = 1e-4): Forward {
  const r = (k - 1) / 2;
  const w: number[][] = [];
  let total = 0;
  for (let p = -r; p <= r; p++) {
    const row: number[] = [];
    for (let q = -r; q <= r; q++) {
      row.push(Math.exp(-(p * p + q * q) / (2 * sigma * sigma)));
      total += row[row.length - 1];
    }
    w.push(row);
  }
  const [B, H, W, C] = s;
  /** Σ_pqk w_pq/C · f(i+p, j+q, k) over the in-image cells, renormalised by their weight. */
  const local = (i: number, j: number, f: (ii: number, jj: number, c: number) => number): number => {
    let acc = 0;
    let inside = 0;
    for (let p = -r; p <= r; p++)
      for (let q = -r; q <= r; q++) {
        const ii = i + p;
        const jj = j + q;
        if (ii < 0 || ii >= H || jj < 0 || jj >= W) continue;
        const wt = w[p + r][q + r] / total;
        inside += wt;
        for (let c = 0; c < C; c++) acc += (wt / C) * f(ii, jj, c);
      }
    return acc / inside;
  };
  return (x) => {
    const v = new Float64Array(x.length);
    const y = new Float64Array(x.length);
    for (let b = 0; b < B; b++) {
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) {
          const m = local(i, j, (ii, jj, c) => x[at(s, b, ii, jj, c)]);
          for (let c = 0; c < C; c++) v[at(s, b, i, j, c)] = x[at(s, b, i, j, c)] - m;
        }
      const sig: number[] = [];
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++) sig.push(Math.max(Math.sqrt(local(i, j, (ii, jj, c) => v[at(s, b, ii, jj, c)] ** 2)), eps));
      const cMean = mean(sig);
      for (let i = 0; i < H; i++)
        for (let j = 0; j < W; j++)
          for (let c = 0; c < C; c++) y[at(s, b, i, j, c)] = v[at(s, b, i, j, c)] / Math.max(cMean, sig[i * W + j]);
    }
    return y;
  };
}

// ---------------------------------------------------------------- checks

/** Gradient of sum(f(x) · weights) at x by central differences, in float64. */
function finiteDiff(f: Forward, x: Float64Array, weights: Float64Array, h = 1e-5): Float64Array {
  const loss = (z: Float64Array): number => f(z).reduce((a, v, i) => a + v * weights[i], 0);
  const g = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const up = x.slice();
    const dn = x.slice();
    up[i] += h;
    dn[i] -= h;
    g[i] = (loss(up) - loss(dn)) / (2 * h);
  }
  return g;
}

/** tfjs forward and gradient of sum(op(x) · weights) with weights drawn for the output shape. */
function tfForwardAndGrad(op: (x: tf.Tensor4D) => tf.Tensor, x: Float64Array, s: Shape4, seed: number) {
  return scoped(() => {
    const xt = tf.tensor4d(Float32Array.from(x), s);
    const y = op(xt);
    const weights = randoms(y.size, seed);
    const wt = tf.tensor(Float32Array.from(weights), y.shape);
    const grad = tf.grad((z: tf.Tensor) => tf.sum(tf.mul(op(z as tf.Tensor4D), wt)))(xt);
    return { y: Float64Array.from(y.dataSync()), yShape: y.shape, grad: Float64Array.from(grad.dataSync()), weights };
  });
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Forward equals the naive loop and tf.grad equals finite differences of the naive loop. */
function checkOp(op: (x: tf.Tensor4D) => tf.Tensor, naive: Forward, s: Shape4, seed: number, tol = { y: 1e-5, g: 1e-3 }) {
  const x = randoms(s.reduce((a, b) => a * b), seed);
  const { y, grad, weights } = tfForwardAndGrad(op, x, s, seed + 1);
  const expected = naive(x);
  expect(maxAbsDiff(y, expected)).toBeLessThan(tol.y);
  const fd = finiteDiff(naive, x, weights);
  const scale = Math.max(1, ...Array.from(fd, Math.abs));
  expect(maxAbsDiff(grad, fd) / scale).toBeLessThan(tol.g);
}

const S: Shape4 = [1, 6, 7, 2];
const CASES: [k: number, stride: number][] = [
  [3, 2], // overlapping windows, both borders
  [2, 2], // odd width: 'same' pads one column after
  [3, 1],
];

describe('average pooling', () => {
  it("stock tf.avgPool 'same': forward is right, its gradient is wrong at the borders (tfjs 4.22)", () => {
    const x = randoms(S.reduce((a, b) => a * b), 11);
    const stock = (t: tf.Tensor4D) => tf.avgPool(t, 3, 2, 'same');
    const { y, grad, weights } = tfForwardAndGrad(stock, x, S, 12);
    const naive = naiveAvg(S, 3, 2, 'same');
    expect(maxAbsDiff(y, naive(x))).toBeLessThan(1e-5);
    // The op is linear, so finite differences of its own float32 forward are exact up to rounding.
    const own = (z: Float64Array): Float64Array =>
      scoped(() => Float64Array.from(stock(tf.tensor4d(Float32Array.from(z), S)).dataSync()));
    const fdOwn = finiteDiff(own, x, weights, 1e-2);
    const fd = finiteDiff(naive, x, weights);
    expect(maxAbsDiff(fdOwn, fd)).toBeLessThan(1e-3);
    // The stock gradient disagrees with its own forward by far more than rounding (it divides by 9
    // where only 4 or 6 cells are inside). If this ever fails, tfjs fixed the bug: SameAvgPool2D
    // could then go back to the stock layer.
    expect(maxAbsDiff(grad, fd)).toBeGreaterThan(0.05);
  });

  it("stock tf.avgPool 'valid' gradient is right (so 'valid' keeps the stock layer)", () => {
    for (const [k, st] of CASES) checkOp((t) => tf.avgPool(t, k, st, 'valid'), naiveAvg(S, k, st, 'valid'), S, 20 + k + st);
  });

  it("avgPool2d 'same' matches the naive loop in values and gradient", () => {
    for (const [k, st] of CASES) checkOp((t) => avgPool2d(t, k, st, 'same'), naiveAvg(S, k, st, 'same'), S, 30 + k + st);
  });

  it('SameAvgPool2D layer: output shape, values, batch of two', () => {
    const s: Shape4 = [2, 5, 7, 3];
    const layer = new SameAvgPool2D({ poolSize: 3, strides: 2 });
    expect(layer.computeOutputShape([null, 5, 7, 3])).toEqual([null, 3, 4, 3]);
    checkOp((t) => layer.apply(t) as tf.Tensor, naiveAvg(s, 3, 2, 'same'), s, 40);
  });
});

describe('L2Pool2D', () => {
  for (const padding of ['valid', 'same'] as const) {
    it(`matches the naive loop in values and gradient, padding '${padding}'`, () => {
      for (const [k, st] of CASES) {
        const layer = new L2Pool2D({ poolSize: k, strides: st, padding });
        const out = layer.computeOutputShape([null, ...S.slice(1)]);
        const expected = naivePool(new Float64Array(S.reduce((a, b) => a * b)), S, k, st, padding, () => 0).shape;
        expect(out).toEqual([null, ...expected.slice(1)]);
        checkOp((t) => layer.apply(t) as tf.Tensor, naiveL2(S, k, st, padding), S, 50 + k + st);
      }
    });
  }

  it('gradient stays finite on an all-zero input', () => {
    const layer = new L2Pool2D({ poolSize: 2, strides: 2, padding: 'same' });
    const g = tf.tidy(() => tf.grad((z: tf.Tensor) => tf.sum(layer.apply(z) as tf.Tensor))(tf.zeros(S)).dataSync());
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });
});

describe('LocalContrastNorm', () => {
  const cases: [Shape4, number, number][] = [
    [[1, 6, 7, 2], 5, 1.5],
    [[2, 5, 6, 3], 9, 2], // window larger than the image: every pixel is a border pixel
    [[1, 6, 7, 1], 3, 1],
  ];
  for (const [s, k, sigma] of cases) {
    it(`matches the naive loop in values and gradient (${s.join('×')}, window ${k}, sigma ${sigma})`, () => {
      const layer = new LocalContrastNorm({ kernelSize: k, sigma });
      expect(layer.computeOutputShape([null, ...s.slice(1)])).toEqual([null, ...s.slice(1)]);
      checkOp((t) => layer.apply(t) as tf.Tensor, naiveLcn(s, k, sigma), s, 60 + k, { y: 1e-4, g: 2e-3 });
    });
  }

  it('a constant image (borders included) maps to zeros with a finite gradient', () => {
    const layer = new LocalContrastNorm({ kernelSize: 5, sigma: 2 });
    const x = tf.fill(S, 0.7);
    const { y, g } = tf.tidy(() => ({
      y: (layer.apply(x) as tf.Tensor).dataSync(),
      g: tf.grad((z: tf.Tensor) => tf.sum(tf.mul(layer.apply(z) as tf.Tensor, tf.randomNormal(S, 0, 1, 'float32', 3))))(x).dataSync(),
    }));
    x.dispose();
    // Not exactly 0: float32 rounding of the local mean (~1e-7) over the 1e-4 divisor floor.
    expect(Math.max(...Array.from(y, Math.abs))).toBeLessThan(1e-2);
    expect(Array.from(g).every(Number.isFinite)).toBe(true);
  });

  it('rejects an even window', () => {
    expect(() => new LocalContrastNorm({ kernelSize: 4 })).toThrow(/odd/);
  });

  it('does not leak tensors', () => {
    const layer = new LocalContrastNorm({ kernelSize: 3, sigma: 1 });
    const x = tf.randomNormal(S);
    (layer.apply(x) as tf.Tensor).dispose(); // first call builds the layer
    const before = tf.memory().numTensors;
    (layer.apply(x) as tf.Tensor).dispose();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
