// Dataset examples as display bytes (0..255) for galleries: bytes stay as they are; floats are
// taken to the model's range first (× the dataset's scale, before mean/std), then shown as 0..1 ↦
// 0..255 when they fit, else stretched from the image's own min..max (e.g. standardized data).
// tfjs-free: the UI thread and the worker both use it.

export function displayBytes(values: Uint8Array | Float32Array, scale = 1): Uint8Array {
  if (values instanceof Uint8Array) return values;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] * scale;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const unit = lo >= 0 && hi <= 1;
  const a = unit ? 0 : lo;
  const k = unit ? 255 : hi > lo ? 255 / (hi - lo) : 0;
  return Uint8Array.from(values, (v) => Math.max(0, Math.min(255, Math.round((v * scale - a) * k))));
}
