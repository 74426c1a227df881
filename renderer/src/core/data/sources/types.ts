// The shared vocabulary of dataset sources: the files a user hands over, the options of an import,
// what the environment injects (image decoding, gzip/deflate), and what comes back: the in-memory
// dataset plus a summary that says what was found, what was skipped and why.
import type { RgbaImage } from '../image-input';
import type { TrainTestData } from '../dataset';

/** One file of a dataset: a path relative to the picked folder ('cats/1.png', without the folder's own name), read on demand. */
export interface SourceFile {
  path: string;
  size?: number;
  /** Last modification time (ms), where the host knows it: part of a decode cache's key. */
  mtimeMs?: number;
  read(): Promise<Uint8Array>;
}

/** A file (or row, or array) left out of the import, and why. */
export interface Skipped {
  file: string;
  reason: string;
}

export type ResizePolicy = 'stretch' | 'crop' | 'pad';
export type ColorMode = 'auto' | 'gray' | 'rgb';
/** 'unit' = [0, 1]; 'standardize' = one mean/std over all pixels; 'per-channel' = mean/std per channel. */
export type Normalization = 'unit' | 'standardize' | 'per-channel';

export interface ImportOptions {
  /** CSV: the label column (name or 0-based index). Default: one named label/class/target, else the last. */
  label?: string;
  /** CSV / flat NumPy rows: reshape each row to [H, W, C]. Default: a square grey image when the length is one. */
  shape?: [number, number, number];
  /** Image folders: target size; default the most common size among the images. */
  size?: { height: number; width: number };
  resize?: ResizePolicy;
  color?: ColorMode;
  normalization?: Normalization;
  /** The test share when the data has no test split of its own (default 0.2), stratified and seeded. */
  testFraction?: number;
  seed?: number;
  /** Images whose header claims more pixels than this are refused before decoding (default 50 MP). */
  maxPixels?: number;
}

/** Decodes one image file (first frame) to straight RGBA. Browser: createImageBitmap; Node: pngjs/jpeg-js. */
export type ImageDecoder = (bytes: Uint8Array, path: string) => Promise<RgbaImage>;
/** Decompressors (default: the standard DecompressionStream, present in browsers, workers and Node ≥ 18). */
export type Inflate = (bytes: Uint8Array) => Promise<Uint8Array>;

export interface ImportProgress {
  done: number;
  total: number;
  file: string;
}

export interface ImportDeps {
  decodeImage?: ImageDecoder;
  gunzip?: Inflate;
  inflateRaw?: Inflate;
  onProgress?: (p: ImportProgress) => void;
  /** Polled between files; true ends the import with ImportCancelled. */
  shouldCancel?: () => boolean;
}

export interface DatasetSummary {
  name: string;
  format: 'images' | 'csv' | 'idx' | 'npy';
  classes: string[];
  /** Examples per class, train and test. */
  counts: { train: number[]; test: number[] };
  /** [H, W, C] of every example after preprocessing. */
  shape: [number, number, number];
  train: number;
  test: number;
  /** Where the test split came from: the data's own, or split off here. */
  testSource: 'given' | 'split';
  dtype: 'uint8' | 'float32';
  /** Per channel, of the stored values scaled to the model's range, before normalization. */
  mean: number[];
  std: number[];
  /** Image folders: the sizes found before resizing, most common first (at most 5). */
  sizes: { height: number; width: number; count: number }[];
  /** Examples whose content equals an earlier one's. */
  duplicates: number;
  skipped: Skipped[];
  warnings: string[];
}

export interface ImportedDataset {
  data: TrainTestData;
  summary: DatasetSummary;
}

/** The data cannot be used at all (nothing left, one class, no files of a known kind). */
export class DataImportError extends Error {
  constructor(message: string, readonly skipped: Skipped[] = []) {
    super(message);
    this.name = 'DataImportError';
  }
}

export class ImportCancelled extends Error {
  constructor() {
    super('import cancelled');
    this.name = 'ImportCancelled';
  }
}

/** Standard-stream decompression, used when the environment injects nothing. */
export function streamInflate(format: 'gzip' | 'deflate-raw'): Inflate {
  return async (bytes) => {
    if (typeof DecompressionStream === 'undefined') throw new Error('this environment cannot decompress (no DecompressionStream)');
    const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream(format));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  };
}

export const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);
