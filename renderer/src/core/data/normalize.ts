// What training does to a stored value before the model sees it, for inputs that do not come from
// the dataset (a drawn or dropped image, `netwright predict`): × scale, then (v − mean[c]) / std[c].
// tfjs-free (the UI thread and the CLI's quick paths use it).
import { isStreamed, type AnyDataset } from './arrays';

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
