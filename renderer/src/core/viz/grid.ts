// Pixels for the look-inside views and the CLI's PNG: the filters × top-k patch grid (the app
// draws exactly what `netwright patches` writes) and float maps as RGBA.
import type { PatchesPayload } from './types';

/** The grid as RGBA: a row per filter, k patches each, `scale`× enlarged, 2 px gaps; one shared grey scale (r.range). */
export function patchGrid(r: PatchesPayload, scale: number): { width: number; height: number; rgba: Uint8ClampedArray } {
  const [ph, pw] = r.patch;
  const c = r.inputShape[2];
  const gap = 2;
  const filters = r.hits.length;
  const cellW = pw * scale;
  const cellH = ph * scale;
  const width = r.k * (cellW + gap) + gap;
  const height = filters * (cellH + gap) + gap;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]] = [40, 40, 48, 255];
  const [lo, hi] = r.range;
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(((v - lo) / (hi - lo || 1)) * 255)));
  const per = ph * pw * c;
  for (let f = 0; f < filters; f++) {
    for (let i = 0; i < r.hits[f].length; i++) {
      const base = (f * r.k + i) * per;
      const ox = gap + i * (cellW + gap);
      const oy = gap + f * (cellH + gap);
      for (let y = 0; y < cellH; y++) {
        for (let x = 0; x < cellW; x++) {
          const p = base + (Math.floor(y / scale) * pw + Math.floor(x / scale)) * c;
          const o = ((oy + y) * width + ox + x) * 4;
          for (let ch = 0; ch < 3; ch++) rgba[o + ch] = byte(r.crops[p + (c >= 3 ? ch : 0)]);
          rgba[o + 3] = 255;
        }
      }
    }
  }
  return { width, height, rgba };
}

/**
 * A float map (H·W·C, channels last) as RGBA. Grey (or RGB for 3+ channels) between range[0] and
 * range[1]; `signed` maps −m..m to blue–white–red with m = max |v| (gradients, occlusion).
 */
export function mapToRgba(data: ArrayLike<number>, width: number, height: number, channels: number, range?: [number, number], signed = false): Uint8ClampedArray {
  const n = width * height;
  const out = new Uint8ClampedArray(n * 4);
  let lo = range?.[0] ?? Infinity;
  let hi = range?.[1] ?? -Infinity;
  if (!range) {
    for (let i = 0; i < data.length; i++) {
      lo = Math.min(lo, data[i]);
      hi = Math.max(hi, data[i]);
    }
  }
  const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
  for (let i = 0; i < n; i++) {
    if (signed) {
      const v = data[i * channels] / m;
      out[i * 4] = v > 0 ? 255 : Math.round(255 * (1 + v));
      out[i * 4 + 1] = Math.round(255 * (1 - Math.abs(v)));
      out[i * 4 + 2] = v < 0 ? 255 : Math.round(255 * (1 - v));
    } else {
      for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round(((data[i * channels + (channels >= 3 ? c : 0)] - lo) / (hi - lo || 1)) * 255);
    }
    out[i * 4 + 3] = 255;
  }
  return out;
}
