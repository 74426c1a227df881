// Looking at one trained model: every conv layer's kernels, every layer's activation maps for one
// input, gradient saliency, occlusion sensitivity, and activation maximization (gradient ascent on
// the input with jitter, scaling and blur, as Lucid does). Pure tfjs; the worker jobs call these.
import * as tf from '@tensorflow/tfjs';
import { CancelledError } from '../eval/evaluate';
import { layerModel, modelInputShape } from './patches';

export interface KernelData {
  blockId: string;
  /** [kh, kw, inChannels, filters], as tfjs stores conv kernels. */
  shape: [number, number, number, number];
  data: Float32Array;
}

/** The kernels of the given conv blocks (layer names are block ids). */
export async function convKernels(model: tf.LayersModel, convIds: readonly string[]): Promise<KernelData[]> {
  const out: KernelData[] = [];
  for (const blockId of convIds) {
    const w = model.getLayer(blockId).getWeights()[0];
    out.push({ blockId, shape: w.shape as KernelData['shape'], data: (await w.data()) as Float32Array });
  }
  return out;
}

export interface LayerMap {
  blockId: string;
  /** [H, W, C]; vector outputs are [1, 1, N]. */
  shape: [number, number, number];
  /** H·W·C values, channels last. */
  data: Float32Array;
  min: number;
  max: number;
}

/** Every named layer's output for one input (H·W·C floats, scaled like the training data). */
export async function activationMaps(model: tf.LayersModel, layerIds: readonly string[], input: Float32Array): Promise<LayerMap[]> {
  if (layerIds.length === 0) return [];
  const sub = layerModel(model, layerIds);
  const outs = tf.tidy(() => {
    const r = sub.apply(tf.tensor4d(input, [1, ...modelInputShape(model)]), { training: false }) as tf.Tensor | tf.Tensor[];
    return Array.isArray(r) ? r : [r];
  });
  try {
    const values = await Promise.all(outs.map((t) => t.data() as Promise<Float32Array>));
    return outs.map((t, i) => {
      const s = t.shape;
      const shape: [number, number, number] = s.length === 4 ? [s[1] as number, s[2] as number, s[3] as number] : [1, 1, s[s.length - 1] as number];
      let min = Infinity;
      let max = -Infinity;
      for (const v of values[i]) {
        if (v < min) min = v;
        if (v > max) max = v;
      }
      return { blockId: layerIds[i], shape, data: values[i], min, max };
    });
  } finally {
    tf.dispose(outs);
  }
}

/** The model's class probabilities (softmax applied when it outputs logits). */
function probabilities(model: tf.LayersModel, x: tf.Tensor): tf.Tensor2D {
  const out = model.apply(x, { training: false }) as tf.Tensor2D;
  const last = model.layers[model.layers.length - 1].getConfig() as { activation?: string };
  return last.activation === 'softmax' ? out : tf.softmax(out);
}

export interface Saliency {
  /** H·W: the largest |d log p(target) / d input| over channels at each pixel. */
  map: Float32Array;
  target: number;
  probabilities: Float32Array;
}

/** Gradient saliency (Simonyan et al. 2014) of class `target` (default: the predicted one). */
export async function gradientSaliency(model: tf.LayersModel, input: Float32Array, target?: number): Promise<Saliency> {
  const [h, w, c] = modelInputShape(model);
  const x = tf.tensor4d(input, [1, h, w, c]);
  try {
    const probs = (await tf.tidy(() => probabilities(model, x)).data()) as Float32Array;
    const t = target ?? probs.indexOf(Math.max(...probs));
    const g = tf.tidy(() => {
      const grad = tf.grad((inp: tf.Tensor) => tf.log(tf.add(tf.slice(probabilities(model, inp), [0, t], [1, 1]), 1e-12)).sum())(x);
      return tf.max(tf.abs(grad), -1).reshape([h * w]);
    });
    const map = (await g.data()) as Float32Array;
    g.dispose();
    return { map, target: t, probabilities: probs };
  } finally {
    x.dispose();
  }
}

export interface Occlusion {
  /** rows × cols: p(target) of the original minus p(target) with that square covered. */
  map: Float32Array;
  rows: number;
  cols: number;
  size: number;
  stride: number;
  target: number;
  base: number;
}

/**
 * Occlusion sensitivity (Zeiler & Fergus 2014): slide a `size` square of `fill` over the input
 * (stride `stride`) and record how much the target's probability drops at each place.
 */
export async function occlusionMap(model: tf.LayersModel, input: Float32Array, opts: { target?: number; size?: number; stride?: number; fill?: number } = {}): Promise<Occlusion> {
  const [h, w, c] = modelInputShape(model);
  const size = Math.max(1, Math.min(opts.size ?? Math.max(2, Math.round(h / 6)), h, w));
  const stride = Math.max(1, opts.stride ?? Math.max(1, Math.floor(size / 2)));
  const rows = Math.floor((h - size) / stride) + 1;
  const cols = Math.floor((w - size) / stride) + 1;
  const batch = new Float32Array(rows * cols * h * w * c);
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) {
      const o = (r * cols + q) * h * w * c;
      batch.set(input, o);
      for (let y = r * stride; y < r * stride + size; y++) batch.fill(opts.fill ?? 0, o + (y * w + q * stride) * c, o + (y * w + q * stride + size) * c);
    }
  }
  const base = (await tf.tidy(() => probabilities(model, tf.tensor4d(input, [1, h, w, c]))).data()) as Float32Array;
  const target = opts.target ?? base.indexOf(Math.max(...base));
  const p = tf.tidy(() => tf.slice(probabilities(model, tf.tensor4d(batch, [rows * cols, h, w, c])), [0, target], [-1, 1]).reshape([-1]));
  const covered = (await p.data()) as Float32Array;
  p.dispose();
  return { map: covered.map((v) => base[target] - v), rows, cols, size, stride, target, base: base[target] };
}

export interface MaximizeOptions {
  steps?: number;
  learningRate?: number;
  /** Largest random shift in pixels per step. */
  jitter?: number;
  /** Random rescaling of the image between steps, e.g. 0.1 for ±10%. */
  scale?: number;
  /** Blur every `blurEvery` steps (0: never). */
  blurEvery?: number;
  /** The input's valid range. */
  range?: [number, number];
  seed?: number;
  shouldCancel?: () => boolean;
  onProgress?: (step: number, steps: number) => void;
  yieldFn?: () => Promise<void>;
}

/** Shifts an [n, H, W, C] batch by (dy, dx) with wrap-around (undone by the opposite shift). */
function roll(x: tf.Tensor4D, dy: number, dx: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  const sy = ((dy % h) + h) % h;
  const sx = ((dx % w) + w) % w;
  let y = x;
  if (sy) y = tf.concat([tf.slice(y, [0, h - sy, 0, 0], [-1, sy, -1, -1]), tf.slice(y, [0, 0, 0, 0], [-1, h - sy, -1, -1])], 1);
  if (sx) y = tf.concat([tf.slice(y, [0, 0, w - sx, 0], [-1, -1, sx, -1]), tf.slice(y, [0, 0, 0, 0], [-1, -1, w - sx, -1])], 2);
  return y;
}

/** Rescales about the centre by `s` (nearest neighbour), keeping H×W; outside cells take the mean. */
function rescale(x: Float32Array, n: number, h: number, w: number, c: number, s: number): Float32Array {
  const out = new Float32Array(x.length);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const sy = Math.round((y - (h - 1) / 2) / s + (h - 1) / 2);
      for (let q = 0; q < w; q++) {
        const sx = Math.round((q - (w - 1) / 2) / s + (w - 1) / 2);
        const inside = sy >= 0 && sy < h && sx >= 0 && sx < w;
        for (let ch = 0; ch < c; ch++) out[((b * h + y) * w + q) * c + ch] = inside ? x[((b * h + sy) * w + sx) * c + ch] : x[((b * h + Math.min(h - 1, Math.max(0, sy))) * w + Math.min(w - 1, Math.max(0, sx))) * c + ch];
      }
    }
  }
  return out;
}

/**
 * One image per filter that excites the filter's mean activation most: normalised gradient ascent
 * from faint noise, with a random shift and rescale each step and a 3×3 blur now and then, so the
 * result shows structure rather than high-frequency noise. Returns n·H·W·C values.
 */
export async function maximizeActivation(model: tf.LayersModel, layerId: string, filters: readonly number[], opts: MaximizeOptions = {}): Promise<{ images: Float32Array; activations: Float32Array }> {
  const steps = Math.max(1, opts.steps ?? 64);
  const lr = opts.learningRate ?? 0.05;
  const jitter = opts.jitter ?? 2;
  const scale = opts.scale ?? 0.05;
  const blurEvery = opts.blurEvery ?? 4;
  const [lo, hi] = opts.range ?? [0, 1];
  const sub = layerModel(model, [layerId]);
  const [h, w, c] = modelInputShape(model);
  const n = filters.length;
  const f = sub.outputs[0].shape[sub.outputs[0].shape.length - 1] as number;
  const pick = new Float32Array(n * f);
  filters.forEach((filter, b) => (pick[b * f + filter] = 1));
  let s = (opts.seed ?? 1) >>> 0;
  const rnd = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  let x: Float32Array = new Float32Array(n * h * w * c).map(() => lo + (hi - lo) * (0.5 + 0.1 * (rnd() - 0.5)));
  const mask = tf.tensor2d(pick, [n, f]);
  const blur = tf.fill([3, 3, c, 1], 1 / 9) as tf.Tensor4D;
  const objective = (inp: tf.Tensor): tf.Tensor => {
    const a = sub.apply(inp, { training: false }) as tf.Tensor;
    const pooled = a.rank === 4 ? tf.mean(a, [1, 2]) : a;
    return tf.sum(tf.mul(pooled, mask));
  };
  try {
    for (let step = 0; step < steps; step++) {
      if (opts.shouldCancel?.()) throw new CancelledError('cancelled');
      if (scale > 0) x = rescale(x, n, h, w, c, 1 + scale * (2 * rnd() - 1));
      const dy = Math.round((2 * rnd() - 1) * jitter);
      const dx = Math.round((2 * rnd() - 1) * jitter);
      const blurNow = blurEvery > 0 && step % blurEvery === blurEvery - 1;
      const next = tf.tidy(() => {
        const shifted = roll(tf.tensor4d(x, [n, h, w, c]), dy, dx);
        const g = tf.grad(objective)(shifted);
        // Normalise per image so every filter moves at the same pace, whatever its scale.
        const norm = tf.add(tf.sqrt(tf.mean(tf.square(g), [1, 2, 3], true)), 1e-8);
        let y = tf.add(shifted, tf.mul(tf.div(g, norm), lr * (hi - lo)));
        if (blurNow) y = tf.depthwiseConv2d(y as tf.Tensor4D, blur, 1, 'same');
        return tf.clipByValue(roll(y as tf.Tensor4D, -dy, -dx), lo, hi);
      });
      x = (await next.data()) as Float32Array;
      next.dispose();
      opts.onProgress?.(step + 1, steps);
      await opts.yieldFn?.();
    }
    const act = tf.tidy(() => {
      const a = sub.apply(tf.tensor4d(x, [n, h, w, c]), { training: false }) as tf.Tensor;
      return tf.sum(tf.mul(a.rank === 4 ? tf.mean(a, [1, 2]) : a, mask), 1);
    });
    const activations = (await act.data()) as Float32Array;
    act.dispose();
    return { images: x, activations };
  } finally {
    mask.dispose();
    blur.dispose();
  }
}

/** Mean activation of each filter in a [n, H, W, F] batch for the given inputs (for checks). */
export async function meanActivations(model: tf.LayersModel, layerId: string, inputs: Float32Array, n: number): Promise<Float32Array> {
  const sub = layerModel(model, [layerId]);
  const t = tf.tidy(() => {
    const a = sub.apply(tf.tensor4d(inputs, [n, ...modelInputShape(model)]), { training: false }) as tf.Tensor;
    return a.rank === 4 ? tf.mean(a, [1, 2]) : a;
  });
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

/**
 * Spatial-gradient energy of conv kernels, scale-free: the energy of each filter's Sobel gradient
 * (over the taps where the 3×3 Sobel window fits) divided by the filter's own energy, averaged over
 * filters and input channels. Sobel is a smoothed derivative, so oriented strokes and edges score
 * high, while flat filters and pixel-to-pixel noise (much of a random initialization) score low.
 * Kernels smaller than 3×3 score 0.
 */
export function spatialGradientEnergy(k: KernelData): number {
  const [kh, kw, cin, cout] = k.shape;
  if (kh < 3 || kw < 3) return 0;
  const at = (y: number, x: number, c: number, f: number) => k.data[((y * kw + x) * cin + c) * cout + f];
  let total = 0;
  for (let f = 0; f < cout; f++) {
    for (let c = 0; c < cin; c++) {
      let energy = 0;
      let grad = 0;
      for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) energy += at(y, x, c, f) ** 2;
      for (let y = 1; y < kh - 1; y++) {
        for (let x = 1; x < kw - 1; x++) {
          const col = (q: number) => at(y - 1, q, c, f) + 2 * at(y, q, c, f) + at(y + 1, q, c, f);
          const row = (r: number) => at(r, x - 1, c, f) + 2 * at(r, x, c, f) + at(r, x + 1, c, f);
          grad += (col(x + 1) - col(x - 1)) ** 2 + (row(y + 1) - row(y - 1)) ** 2;
        }
      }
      total += energy > 0 ? grad / energy : 0;
    }
  }
  return total / (cout * cin);
}
