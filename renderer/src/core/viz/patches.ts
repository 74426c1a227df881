// Top-k patches per filter (Zeiler & Fergus 2014): one pass over a dataset keeps, for every filter
// of a layer, the k strongest activations with their image and position. Activations never all
// come back from the device: each batch is reduced there to the top few values per filter and
// image (tf.topk over the flattened map), and bounded heaps keep the running top k.
import * as tf from '@tensorflow/tfjs';
import { assembleBatch, type ImageDataset } from '../data/dataset';
import { CancelledError } from '../eval/evaluate';
import { clipRect, unitRect, type Field, type Rect } from './receptive';

/** One activation of one filter: where it is (output unit y, x of image `image`) and how strong. */
export interface Hit {
  activation: number;
  /** Index into the dataset. */
  image: number;
  y: number;
  x: number;
}

/** a ranks before b: stronger first; ties by lower image index, then position (deterministic). */
export function better(a: Hit, b: Hit): boolean {
  if (a.activation !== b.activation) return a.activation > b.activation;
  if (a.image !== b.image) return a.image < b.image;
  return a.y !== b.y ? a.y < b.y : a.x < b.x;
}

/** A bounded min-heap: keeps the k best hits pushed into it, in O(log k) per push. */
export class TopK {
  private heap: Hit[] = [];
  constructor(readonly k: number) {}

  push(h: Hit): void {
    const a = this.heap;
    if (a.length < this.k) {
      a.push(h);
      let i = a.length - 1;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(a[p], a[i])) break; // parent must be the worst
        [a[p], a[i]] = [a[i], a[p]];
        i = p;
      }
    } else if (this.k > 0 && better(h, a[0])) {
      a[0] = h;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let w = i;
        if (l < a.length && better(a[w], a[l])) w = l;
        if (r < a.length && better(a[w], a[r])) w = r;
        if (w === i) break;
        [a[w], a[i]] = [a[i], a[w]];
        i = w;
      }
    }
  }

  /** Best first. */
  sorted(): Hit[] {
    return [...this.heap].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }
}

const subModels = new WeakMap<tf.LayersModel, Map<string, tf.LayersModel>>();

/**
 * A model from the input to the outputs of the named layers (block ids). Cached per model and never
 * disposed: it shares the model's weights, and disposing it would free them.
 */
export function layerModel(model: tf.LayersModel, layerIds: readonly string[]): tf.LayersModel {
  let cache = subModels.get(model);
  if (!cache) subModels.set(model, (cache = new Map()));
  const key = layerIds.join('\u0000');
  let sub = cache.get(key);
  if (!sub) {
    const outputs = layerIds.map((id) => model.getLayer(id).output as tf.SymbolicTensor);
    sub = tf.model({ inputs: model.inputs, outputs: outputs.length === 1 ? outputs[0] : outputs });
    cache.set(key, sub);
  }
  return sub;
}

/** The model's input shape [H, W, C]. */
export function modelInputShape(model: tf.LayersModel): [number, number, number] {
  const s = model.inputs[0].shape;
  if (s.length !== 4) throw new Error(`the model input is not an image (shape ${s.join('×')})`);
  return [s[1] as number, s[2] as number, s[3] as number];
}

export interface TopOptions {
  k?: number;
  /** Hits kept per image and filter before merging: 1 (default) gives k different images per filter. */
  perImage?: number;
  batchSize?: number;
  shouldCancel?: () => boolean;
  onProgress?: (done: number, total: number) => void;
  yieldFn?: () => Promise<void>;
}

export interface TopResult {
  /** hits[f]: filter f's best hits, strongest first (fewer than k only for tiny datasets). */
  hits: Hit[][];
  /** The layer's output [H, W, F]. */
  shape: [number, number, number];
}

/** One pass over `indices` of `ds` (centre-cropped as evaluation does): the top k hits per filter. */
export async function topActivations(model: tf.LayersModel, layerId: string, ds: ImageDataset, indices: ArrayLike<number>, opts: TopOptions = {}): Promise<TopResult> {
  const k = Math.max(1, Math.floor(opts.k ?? 9));
  const batch = Math.max(1, Math.floor(opts.batchSize ?? 256));
  const sub = layerModel(model, [layerId]);
  const outShape = sub.outputs[0].shape;
  if (outShape.length !== 4) throw new Error(`layer ${layerId} outputs a vector, not feature maps`);
  const [, h, w, f] = outShape as number[];
  const per = Math.min(h * w, Math.max(1, Math.floor(opts.perImage ?? 1)), k);
  const inputShape = modelInputShape(model);
  const heaps = Array.from({ length: f }, () => new TopK(k));
  const n = indices.length;
  for (let s = 0; s < n; s += batch) {
    if (opts.shouldCancel?.()) throw new CancelledError('cancelled');
    const e = Math.min(n, s + batch);
    const { values, where } = tf.tidy(() => {
      const a = assembleBatch(ds, indices, s, e, inputShape, 'center');
      const x = tf.tensor4d(a.x, [a.size, ...inputShape]);
      const act = sub.apply(x, { training: false }) as tf.Tensor4D;
      // [B, H, W, F] -> [B, F, H·W]: top `per` cells of every filter map of every image.
      const maps = tf.reshape(tf.transpose(act, [0, 3, 1, 2]), [e - s, f, h * w]);
      const top = tf.topk(maps, per, true);
      return { values: top.values, where: top.indices };
    });
    let v: Float32Array;
    let idx: Int32Array;
    try {
      [v, idx] = (await Promise.all([values.data(), where.data()])) as [Float32Array, Int32Array];
    } finally {
      values.dispose();
      where.dispose();
    }
    for (let b = 0; b < e - s; b++) {
      const image = indices[s + b];
      for (let ff = 0; ff < f; ff++) {
        for (let j = 0; j < per; j++) {
          const o = (b * f + ff) * per + j;
          const cell = idx[o];
          heaps[ff].push({ activation: v[o], image, y: Math.floor(cell / w), x: cell % w });
        }
      }
    }
    opts.onProgress?.(e, n);
    await opts.yieldFn?.();
  }
  return { hits: heaps.map((hp) => hp.sorted()), shape: [h, w, f] };
}

/**
 * Copies `rect` (input pixels, may reach outside) of an H×W×C image into a rect.height ×
 * rect.width × C patch; cells outside the image get `fill`.
 */
export function cropPatch(src: ArrayLike<number>, height: number, width: number, channels: number, rect: Rect, fill = 0): Float32Array {
  const out = new Float32Array(rect.width * rect.height * channels).fill(fill);
  for (let r = 0; r < rect.height; r++) {
    const y = rect.y + r;
    if (y < 0 || y >= height) continue;
    for (let q = 0; q < rect.width; q++) {
      const x = rect.x + q;
      if (x < 0 || x >= width) continue;
      for (let c = 0; c < channels; c++) out[(r * rect.width + q) * channels + c] = src[(y * width + x) * channels + c];
    }
  }
  return out;
}

/**
 * d(activation of `filter` at each hit's unit)/d(input) for a batch of inputs (one per hit, laid
 * out [n, H, W, C]), zeroed outside each hit's clipped receptive field: the part of the patch
 * that drove the unit. Inputs are independent (inference mode), so one backward pass serves all.
 */
export async function hitGradients(model: tf.LayersModel, layerId: string, inputs: Float32Array, hits: readonly Hit[], filter: number, field: Field): Promise<Float32Array> {
  const sub = layerModel(model, [layerId]);
  const [h, w, c] = modelInputShape(model);
  const [, oh, ow, f] = sub.outputs[0].shape as number[];
  const n = hits.length;
  if (n === 0) return new Float32Array(0);
  const pick = new Float32Array(n * oh * ow * f);
  hits.forEach((hit, b) => (pick[((b * oh + hit.y) * ow + hit.x) * f + filter] = 1));
  const grad = tf.tidy(() => {
    const x = tf.tensor4d(inputs, [n, h, w, c]);
    const mask = tf.tensor4d(pick, [n, oh, ow, f]);
    return tf.grad((inp: tf.Tensor) => tf.sum(tf.mul(sub.apply(inp, { training: false }) as tf.Tensor, mask)))(x);
  });
  const g = (await grad.data()) as Float32Array;
  grad.dispose();
  const out = new Float32Array(g.length);
  hits.forEach((hit, b) => {
    const r = clipRect(unitRect(field, hit.y, hit.x), h, w);
    for (let y = r.y; y < r.y + r.height; y++) {
      const row = ((b * h + y) * w + r.x) * c;
      out.set(g.subarray(row, row + r.width * c), row);
    }
  });
  return out;
}
