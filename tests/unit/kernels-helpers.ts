// Shared by the kernels-*.test.ts files: float64 references, finite differences, and running a
// gradient on a chosen backend with the cpu backend's stock kernels when asked.
import * as tf from '@tensorflow/tfjs';
import { registerTrainingKernels, trainingKernelNames } from '@/core/train/kernels';

/** Seeded values in [-1, 1) (distinct with probability 1: max-pool gradients need no ties). */
export function randoms(n: number, seed: number): Float64Array {
  let s = seed >>> 0 || 1;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Central differences in float64 of scalar `f` at `x` (exact for linear and quadratic f). */
export function finiteDiff(f: (x: Float64Array) => number, x: Float64Array, h = 1e-4): Float64Array {
  const g = new Float64Array(x.length);
  const y = Float64Array.from(x);
  for (let i = 0; i < x.length; i++) {
    y[i] = x[i] + h;
    const up = f(y);
    y[i] = x[i] - h;
    const down = f(y);
    y[i] = x[i];
    g[i] = (up - down) / (2 * h);
  }
  return g;
}

export interface ConvCase {
  n: number;
  h: number;
  w: number;
  c: number;
  kh: number;
  kw: number;
  f: number;
  stride: number;
  pad: 'same' | 'valid';
}

/** Float64 NHWC conv with tfjs's padding (from computeConv2DInfo, so 'same' matches TF exactly). */
export function conv64(x: Float64Array, w: Float64Array, k: ConvCase): { y: Float64Array; shape: number[] } {
  const info = tf.backend_util.computeConv2DInfo([k.n, k.h, k.w, k.c], [k.kh, k.kw, k.c, k.f], k.stride, 1, k.pad);
  const { outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  const y = new Float64Array(k.n * oh * ow * k.f);
  for (let n = 0; n < k.n; n++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let a = 0; a < k.kh; a++)
          for (let b = 0; b < k.kw; b++) {
            const r = i * k.stride + a - top;
            const col = j * k.stride + b - left;
            if (r < 0 || r >= k.h || col < 0 || col >= k.w) continue;
            for (let c = 0; c < k.c; c++) {
              const xv = x[((n * k.h + r) * k.w + col) * k.c + c];
              for (let f = 0; f < k.f; f++) y[((n * oh + i) * ow + j) * k.f + f] += xv * w[((a * k.kw + b) * k.c + c) * k.f + f];
            }
          }
  return { y, shape: [k.n, oh, ow, k.f] };
}

export const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** Largest |a−b| relative to the largest |b| (≥ 1e-3 so all-zero gradients compare absolutely). */
export function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  let scale = 1e-3;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]));
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst / scale;
}

/** Stock cpu kernel configs, captured before our cpu kernels replace them. */
const stockCpu = new Map<string, tf.KernelConfig>();
for (const name of trainingKernelNames('cpu')) {
  const k = tf.getKernel(name, 'cpu');
  if (k) stockCpu.set(name, k);
}

/** Runs `f` with the cpu backend's stock kernels in place of ours, then puts ours back. */
export function withStockCpu<T>(f: () => T): T {
  for (const [name, config] of stockCpu) {
    if (tf.getKernel(name, 'cpu')) tf.unregisterKernel(name, 'cpu');
    tf.registerKernel(config);
  }
  try {
    return f();
  } finally {
    registerTrainingKernels('cpu');
  }
}

/** Gradients of f with respect to every input, as float32 arrays, computed on `backend`. */
export async function gradsOn(backend: string, f: (...xs: tf.Tensor[]) => tf.Scalar, inputs: { values: ArrayLike<number>; shape: number[] }[]): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  return tf.tidy(() => {
    const xs = inputs.map((i) => tf.tensor(Float32Array.from(i.values), i.shape));
    return tf.grads(f)(xs).map((g) => g.dataSync() as Float32Array);
  });
}
