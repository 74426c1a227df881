// What training does to a stored value before the model sees it, for inputs that do not come from
// the dataset (a drawn or dropped image, `netwright predict`): × scale, then (v − mean[c]) / std[c].
// tfjs-free (the UI thread and the CLI's quick paths use it).
import { isStreamed, type AnyDataset } from './arrays';
import type { ColorMode, Normalization, ResizePolicy } from './sources/types';

export interface InputNormalization {
  /**
   * The dataset stores bytes 0..255. Floats without a scale are taken to be in [0, 1] (pixels ÷ 255);
   * floats with a scale, in pixel units 0..255 (scale 1/255 takes them to [0, 1]).
   */
  bytes: boolean;
  scale?: number;
  mean?: number[];
  std?: number[];
}

export function normalizationOf(ds: AnyDataset): InputNormalization {
  const bytes = isStreamed(ds) ? ds.dtype === 'uint8' : ds.images instanceof Uint8Array;
  return { bytes, ...(ds.scale !== undefined ? { scale: ds.scale } : {}), ...(ds.mean ? { mean: ds.mean } : {}), ...(ds.std ? { std: ds.std } : {}) };
}

/** True when it changes nothing (bytes at the default 1/255, no mean/std): MNIST and '[0, 1]' imports. */
export function isIdentity(n: InputNormalization | null | undefined): boolean {
  if (!n) return true;
  const unit = n.bytes ? n.scale === undefined || Math.abs(n.scale * 255 - 1) < 1e-9 : (n.scale ?? 1) === 1;
  return unit && !n.mean?.some((m) => m !== 0) && !n.std?.some((s) => s !== 1);
}

/**
 * In place: model inputs in [0, 1] (pixels ÷ 255, as imageToModelInput makes them), channels last,
 * → the values training would feed for the same pixels of this dataset.
 */
export function normalizeInput(x: Float32Array, channels: number, n: InputNormalization | null | undefined): Float32Array {
  if (!n || isIdentity(n)) return x;
  const k = n.bytes ? 255 * (n.scale ?? 1 / 255) : n.scale === undefined ? 1 : 255 * n.scale;
  const mean = Float32Array.from({ length: channels }, (_, c) => n.mean?.[c] ?? 0);
  const inv = Float32Array.from({ length: channels }, (_, c) => 1 / (n.std?.[c] || 1));
  for (let i = 0; i < x.length; i++) {
    const c = i % channels;
    x[i] = (x[i] * k - mean[c]) * inv[c];
  }
  return x;
}

/**
 * How a run's imported dataset was prepared, recorded with the run (DatasetDescriptor) so that
 * evaluation and prediction repeat it without being told: the normalization mode chosen, the
 * resulting scale/mean/std, and for image folders the resize policy and colour mode.
 */
export interface DatasetPreprocessing {
  normalization: Normalization;
  input: InputNormalization;
  /** Image folders only. */
  resize?: ResizePolicy;
  color?: ColorMode;
}

export const NORMALIZATIONS: readonly Normalization[] = ['unit', 'standardize', 'per-channel'];
export const RESIZE_POLICIES: readonly ResizePolicy[] = ['stretch', 'crop', 'pad'];
export const COLOR_MODES: readonly ColorMode[] = ['auto', 'gray', 'rgb'];

/** The preprocessing of an imported dataset (its train split carries the scale and mean/std training applies). */
export function preprocessingOf(
  train: AnyDataset,
  format: string,
  options: { normalization?: Normalization; resize?: ResizePolicy; color?: ColorMode },
): DatasetPreprocessing {
  const input = normalizationOf(train);
  const copy: InputNormalization = { bytes: input.bytes, ...(input.scale !== undefined ? { scale: input.scale } : {}), ...(input.mean ? { mean: [...input.mean] } : {}), ...(input.std ? { std: [...input.std] } : {}) };
  return {
    normalization: options.normalization ?? (!copy.mean?.length ? 'unit' : copy.mean.every((m) => m === copy.mean![0]) && copy.std?.every((d) => d === copy.std![0]) ? 'standardize' : 'per-channel'),
    input: copy,
    ...(format === 'images' ? { resize: options.resize ?? 'stretch', color: options.color ?? 'auto' } : {}),
  };
}

/** The input normalization a run's dataset recorded; null where none was recorded (MNIST, older files). */
export function recordedNormalization(dataset: { kind: string; preprocessing?: DatasetPreprocessing } | null | undefined): InputNormalization | null {
  return dataset?.kind === 'imported' && dataset.preprocessing ? dataset.preprocessing.input : null;
}

/** Checks a recorded preprocessing read from a file; returns a clean copy or a reason it is not one. */
export function parsePreprocessing(v: unknown): DatasetPreprocessing | string {
  const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const numbers = (x: unknown, positive: boolean) =>
    Array.isArray(x) && x.length > 0 && x.length <= 4 && x.every((n) => typeof n === 'number' && Number.isFinite(n) && (!positive || n > 0));
  if (!isObj(v)) return 'not an object';
  if (!NORMALIZATIONS.includes(v.normalization as Normalization)) return `unknown normalization "${String(v.normalization)}"`;
  const input = v.input;
  if (!isObj(input) || typeof input.bytes !== 'boolean') return 'its input normalization needs "bytes" (true or false)';
  if (input.scale !== undefined && (typeof input.scale !== 'number' || !Number.isFinite(input.scale) || input.scale <= 0)) return 'its scale is not a positive number';
  if (input.mean !== undefined && !numbers(input.mean, false)) return 'its mean is not a list of 1 to 4 numbers';
  if (input.std !== undefined && !numbers(input.std, true)) return 'its std is not a list of 1 to 4 positive numbers';
  if (v.resize !== undefined && !RESIZE_POLICIES.includes(v.resize as ResizePolicy)) return `unknown resize policy "${String(v.resize)}"`;
  if (v.color !== undefined && !COLOR_MODES.includes(v.color as ColorMode)) return `unknown colour mode "${String(v.color)}"`;
  return {
    normalization: v.normalization as Normalization,
    input: {
      bytes: input.bytes,
      ...(input.scale !== undefined ? { scale: input.scale as number } : {}),
      ...(input.mean !== undefined ? { mean: [...(input.mean as number[])] } : {}),
      ...(input.std !== undefined ? { std: [...(input.std as number[])] } : {}),
    },
    ...(v.resize !== undefined ? { resize: v.resize as ResizePolicy } : {}),
    ...(v.color !== undefined ? { color: v.color as ColorMode } : {}),
  };
}
