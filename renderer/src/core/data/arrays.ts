// The dataset types and small helpers that need no TensorFlow.js: the parsers and the CLI's quick
// paths import these without loading tfjs (dataset.ts re-exports them).

/** Class indices: uint8 for up to 256 classes (MNIST stays small), wider beyond. */
export type LabelArray = Uint8Array | Uint16Array | Uint32Array;

export interface ImageDataset {
  /** N×H×W×C, row-major, channels last: bytes (0..255) or floats. */
  images: Uint8Array | Float32Array;
  labels: LabelArray;
  count: number;
  height: number;
  width: number;
  channels: number;
  classes: number;
  /** Multiplies a stored value into the model's range. Default 1/255 for bytes, 1 for floats. */
  scale?: number;
  /** Per-channel normalization applied after `scale`: (v·scale − mean[c]) / std[c]. */
  mean?: number[];
  std?: number[];
  /** Class names in label order (imported datasets). */
  classNames?: string[];
}

/**
 * A dataset read from somewhere else (disk) in batches: the same description as ImageDataset, the
 * labels in memory (small), the pixels only on demand. `read` returns the raw stored values
 * (bytes or floats per `dtype`) of `indices`, in order, H×W×C each.
 */
export interface StreamedDataset extends Omit<ImageDataset, 'images'> {
  dtype: 'uint8' | 'float32';
  read(indices: ArrayLike<number>): Promise<Uint8Array | Float32Array>;
}

/** Either kind: training and evaluation read both through `readBatch` (dataset.ts). */
export type AnyDataset = ImageDataset | StreamedDataset;

/** Train and test splits of either kind: in memory, or streamed from disk (the CLI's decode cache). */
export interface SourceData {
  train: AnyDataset;
  test: AnyDataset;
}

export function isStreamed(ds: AnyDataset): ds is StreamedDataset {
  return typeof (ds as StreamedDataset).read === 'function';
}

/** An in-memory dataset served through the streaming interface (tests, the bench's comparison). */
export function streamedOf(ds: ImageDataset, delay?: () => Promise<void>): StreamedDataset {
  const { images, ...meta } = ds;
  const size = ds.height * ds.width * ds.channels;
  return {
    ...meta,
    dtype: images instanceof Uint8Array ? 'uint8' : 'float32',
    async read(indices) {
      if (delay) await delay();
      const out = images instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
      for (let i = 0; i < indices.length; i++) out.set(images.subarray(indices[i] * size, (indices[i] + 1) * size), i * size);
      return out;
    },
  };
}

/** The narrowest label array for `classes` classes. */
export function labelArray(n: number, classes: number): LabelArray {
  return classes <= 256 ? new Uint8Array(n) : classes <= 65536 ? new Uint16Array(n) : new Uint32Array(n);
}

/** mulberry32: tiny, fast, good enough for shuffles and crop offsets; returns floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The parts one after another in one new array (files, chunks, weight shards). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
