// In-memory image datasets, the MNIST loader, seeded shuffling/splitting and batch assembly.
// Images stay uint8 where they can (60k MNIST = 47 MB) and are scaled to float32 one batch at a time;
// float32 pixels (NumPy, CSV) are kept as they are.
import * as tf from '@tensorflow/tfjs';
import { decodeIdx, type IdxTensor } from './idx';
import { isStreamed, labelArray, seededRandom, streamedOf, type AnyDataset, type ImageDataset, type LabelArray, type SourceData, type StreamedDataset } from './arrays';
import { applyAugmentation, drawAugmentation, type Augmentation } from './augment';

// Kept here for the many importers; defined in arrays.ts so that tfjs-free code (parsers, the CLI's
// argument checks) can use them without loading TensorFlow.js.
export { isStreamed, labelArray, seededRandom, streamedOf, type AnyDataset, type ImageDataset, type LabelArray, type SourceData, type StreamedDataset };

export interface TrainTestData {
  train: ImageDataset;
  test: ImageDataset;
}

/** Reads a streamed split whole into memory (jobs that index images directly: samples, viz, lab). */
export async function inMemory(ds: AnyDataset): Promise<ImageDataset> {
  if (!isStreamed(ds)) return ds;
  const { read: _read, dtype: _dtype, ...meta } = ds;
  return { ...meta, images: await ds.read(Uint32Array.from({ length: ds.count }, (_, i) => i)) };
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** Builds a dataset from an image IDX ([N,H,W] or [N,H,W,C]) and a label IDX ([N]), both uint8. */
export function datasetFromIdx(images: IdxTensor, labels: IdxTensor, name = 'dataset', classes?: number): ImageDataset {
  if (images.dtype !== 'uint8') throw new DatasetError(`${name}: images must be uint8, got ${images.dtype}`);
  if (labels.dtype !== 'uint8') throw new DatasetError(`${name}: labels must be uint8, got ${labels.dtype}`);
  if (images.shape.length !== 3 && images.shape.length !== 4) {
    throw new DatasetError(`${name}: images must have shape [N,H,W] or [N,H,W,C], got [${images.shape.join(', ')}]`);
  }
  if (labels.shape.length !== 1) throw new DatasetError(`${name}: labels must have shape [N], got [${labels.shape.join(', ')}]`);
  const [count, height, width, channels = 1] = images.shape;
  if (labels.shape[0] !== count) {
    throw new DatasetError(`${name}: ${count} images but ${labels.shape[0]} labels`);
  }
  const lab = labels.data as Uint8Array;
  let max = 0;
  for (let i = 0; i < lab.length; i++) if (lab[i] > max) max = lab[i];
  const k = classes ?? max + 1;
  if (max >= k) throw new DatasetError(`${name}: label ${max} is out of range for ${k} classes`);
  return { images: images.data as Uint8Array, labels: lab, count, height, width, channels, classes: k };
}

/** The subset of `fetch` the loaders use, so tests can read files from disk instead. */
export type FetchFn = (url: string) => Promise<{ ok: boolean; status: number; statusText?: string; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface LoadProgress {
  /** Files fully downloaded so far, out of `files`. */
  loaded: number;
  files: number;
  file: string;
}

export const MNIST_FILE_NAMES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Fetches and parses the four MNIST IDX files from `baseUrl` (which should end with '/'). */
export async function loadMnist(
  baseUrl: string,
  fetchFn: FetchFn = (u) => fetch(u),
  onProgress?: (p: LoadProgress) => void,
): Promise<TrainTestData> {
  const base = baseUrl.endsWith('/') ? baseUrl : `${baseUrl}/`;
  const names = Object.values(MNIST_FILE_NAMES);
  let loaded = 0;
  const parsed = await Promise.all(
    names.map(async (file) => {
      const url = base + file;
      let res;
      try {
        res = await fetchFn(url);
      } catch (e) {
        throw new DatasetError(`could not download ${url}: ${(e as Error).message}`);
      }
      if (!res.ok) throw new DatasetError(`could not download ${url}: HTTP ${res.status} ${res.statusText ?? ''}`.trim());
      const t = await decodeIdx(new Uint8Array(await res.arrayBuffer()), file);
      onProgress?.({ loaded: ++loaded, files: names.length, file });
      return t;
    }),
  );
  return {
    train: datasetFromIdx(parsed[0], parsed[1], 'MNIST train', 10),
    test: datasetFromIdx(parsed[2], parsed[3], 'MNIST test', 10),
  };
}

// ---------------------------------------------------------------- seeded shuffles (seededRandom: arrays.ts)

/** Fisher–Yates shuffle of 0..n-1 (or of `indices`), fully determined by the seed. */
export function shuffledIndices(n: number, seed: number, indices?: Uint32Array): Uint32Array {
  const out = indices ? indices.slice() : Uint32Array.from({ length: n }, (_, i) => i);
  const rnd = seededRandom(seed);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const t = out[i];
    out[i] = out[j];
    out[j] = t;
  }
  return out;
}

/** Splits 0..n-1 into disjoint train/validation index sets after a seeded shuffle. */
export function splitIndices(n: number, validationFraction: number, seed: number): { train: Uint32Array; validation: Uint32Array } {
  if (!(validationFraction >= 0 && validationFraction < 1)) {
    throw new DatasetError(`validation split must be in [0, 1), got ${validationFraction}`);
  }
  const all = shuffledIndices(n, seed);
  const nVal = Math.round(n * validationFraction);
  return { validation: all.slice(0, nVal), train: all.slice(nVal) };
}

// ---------------------------------------------------------------- batches

export type CropMode = 'random' | 'center';

/**
 * Checks that a model input [H, W, C] can be fed from the dataset: same channels, not larger.
 * Returns the crop slack (how many pixels the window can move).
 */
export function cropSlack(ds: ImageDataset | Pick<StreamedDataset, 'height' | 'width' | 'channels'>, inputShape: readonly number[]): { dy: number; dx: number } {
  if (inputShape.length !== 3) {
    throw new DatasetError(`the model input must be an image [height, width, channels], got [${inputShape.join(', ')}]`);
  }
  const [h, w, c] = inputShape;
  if (c !== ds.channels) {
    throw new DatasetError(
      `the model input has ${c} channel(s) but the images have ${ds.channels}; set the Input block's channels to ${ds.channels}`,
    );
  }
  if (h > ds.height || w > ds.width) {
    throw new DatasetError(
      `the model input ${h}×${w} is larger than the images (${ds.height}×${ds.width}); set the Input block to at most ${ds.height}×${ds.width}`,
    );
  }
  return { dy: ds.height - h, dx: ds.width - w };
}

export interface BatchArrays {
  /** B×H×W×C floats in [0, 1]. */
  x: Float32Array;
  /** B×classes one-hot. */
  y: Float32Array;
  size: number;
}

/** Training augmentation for one batch: what to apply and the batch's own generator (augment.ts). */
export interface BatchAugment {
  aug: Augmentation;
  rnd: () => number;
}

/**
 * Assembles examples `indices[start..end)` into float arrays, cropping to `inputShape`.
 * 'random' picks a crop offset per example from `rnd` (augmentation); 'center' is for evaluation.
 * `augment` (training only) then flips/shifts each example with its own generator.
 */
export function assembleBatch(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  inputShape: readonly number[],
  crop: CropMode,
  rnd: () => number = Math.random,
  augment?: BatchAugment,
): BatchArrays {
  const imgSize = ds.height * ds.width * ds.channels;
  for (let b = start; b < end; b++) checkIndex(ds, indices[b]);
  return assembleFrom(ds, ds.images, (b) => indices[start + b] * imgSize, (b) => ds.labels[indices[start + b]], end - start, inputShape, crop, rnd, augment);
}

function checkIndex(ds: { count: number }, idx: number): void {
  if (!(idx >= 0 && idx < ds.count) || !Number.isInteger(idx)) {
    throw new DatasetError(`example index ${idx} is outside the dataset (0..${ds.count - 1})`);
  }
}

/** The batch loop shared by in-memory and streamed data: `base(b)` is where example b starts in `images`. */
function assembleFrom(
  ds: AnyDataset,
  images: Uint8Array | Float32Array,
  base: (b: number) => number,
  label: (b: number) => number,
  size: number,
  inputShape: readonly number[],
  crop: CropMode,
  rnd: () => number,
  augment: BatchAugment | undefined,
): BatchArrays {
  const { dy, dx } = cropSlack(ds, inputShape);
  const [h, w, c] = inputShape;
  const x = new Float32Array(size * h * w * c);
  const y = new Float32Array(size * ds.classes);
  const rowIn = ds.width * c;
  const rowOut = w * c;
  const bytes = isStreamed(ds) ? ds.dtype === 'uint8' : images instanceof Uint8Array;
  const scale = ds.scale ?? (bytes ? 1 / 255 : 1);
  const tmp = augment ? new Float32Array(h * w * c) : undefined;
  let o = 0;
  for (let b = 0; b < size; b++) {
    const oy = crop === 'random' ? Math.floor(rnd() * (dy + 1)) : dy >> 1;
    const ox = crop === 'random' ? Math.floor(rnd() * (dx + 1)) : dx >> 1;
    const first = o;
    let p = base(b) + oy * rowIn + ox * c;
    for (let r = 0; r < h; r++, p += rowIn) {
      for (let i = 0; i < rowOut; i++) x[o++] = images[p + i] * scale;
    }
    if (augment) applyAugmentation(x.subarray(first, o), h, w, c, drawAugmentation(augment.aug, augment.rnd), augment.aug.padding, tmp);
    y[b * ds.classes + label(b)] = 1;
  }
  if (ds.mean || ds.std) normalize(x, c, ds.mean, ds.std);
  return { x, y, size };
}

/**
 * assembleBatch for either kind of dataset: a streamed one reads the examples first (its crop and
 * augmentation draws are made after the read, in call order, so the batches equal the in-memory ones).
 */
export async function readBatch(
  ds: AnyDataset,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  inputShape: readonly number[],
  crop: CropMode,
  rnd: () => number = Math.random,
  augment?: BatchAugment,
): Promise<BatchArrays> {
  if (!isStreamed(ds)) return assembleBatch(ds, indices, start, end, inputShape, crop, rnd, augment);
  const want = Array.from({ length: end - start }, (_, b) => indices[start + b]);
  for (const i of want) checkIndex(ds, i);
  const raw = await ds.read(want);
  const imgSize = ds.height * ds.width * ds.channels;
  if (raw.length !== want.length * imgSize) throw new DatasetError(`the data source returned ${raw.length} values for ${want.length} example(s) of ${imgSize}`);
  return assembleFrom(ds, raw, (b) => b * imgSize, (b) => ds.labels[want[b]], want.length, inputShape, crop, rnd, augment);
}

/**
 * Batches `[start, end)` of `indices`, `batchSize` at a time, with the next one read while the
 * current one trains (one in flight). `make` is called in batch order, each after the previous
 * one resolved, so seeded draws inside it stay in order.
 */
export function prefetchBatches(
  start: number,
  end: number,
  batchSize: number,
  make: (s: number, e: number) => Promise<BatchArrays>,
): { next(): Promise<BatchArrays | null> } {
  let s = start;
  let ahead: Promise<BatchArrays> | null = null;
  const launch = (after: Promise<unknown>): Promise<BatchArrays> | null => {
    if (s >= end) return null;
    const a = s;
    const b = Math.min(end, s + batchSize);
    s = b;
    const p = after.then(() => make(a, b));
    p.catch(() => {}); // handled by the caller of next(); a loop that stops early leaves it unread
    return p;
  };
  return {
    async next() {
      const cur = ahead ?? launch(Promise.resolve());
      if (!cur) return null;
      ahead = launch(cur);
      return cur;
    },
  };
}

/** In place: (v − mean[c]) / std[c] over channels-last values (a missing std counts as 1). */
function normalize(x: Float32Array, c: number, mean: number[] | undefined, std: number[] | undefined): void {
  const m = Float32Array.from({ length: c }, (_, k) => mean?.[k] ?? 0);
  const inv = Float32Array.from({ length: c }, (_, k) => 1 / (std?.[k] || 1));
  for (let i = 0; i < x.length; i++) {
    const k = i % c;
    x[i] = (x[i] - m[k]) * inv[k];
  }
}

/** Batch arrays as tensors (caller disposes). */
export function batchTensors(a: BatchArrays, inputShape: readonly number[], classes: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const [h, w, c] = inputShape;
  return { xs: tf.tensor4d(a.x, [a.size, h, w, c]), ys: tf.tensor2d(a.y, [a.size, classes]) };
}

/** Like assembleBatch, but returns tensors (caller disposes). */
export function makeBatch(
  ds: ImageDataset,
  indices: ArrayLike<number>,
  start: number,
  end: number,
  inputShape: readonly number[],
  crop: CropMode,
  rnd?: () => number,
  augment?: BatchAugment,
): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const a = assembleBatch(ds, indices, start, end, inputShape, crop, rnd, augment);
  const [h, w, c] = inputShape;
  return { xs: tf.tensor4d(a.x, [a.size, h, w, c]), ys: tf.tensor2d(a.y, [a.size, ds.classes]) };
}
