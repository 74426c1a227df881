// Conv kernels → RGBA image tiles. Pure math so the Filters panel only blits pixels, and so the
// normalisation can be unit-tested.

export type KernelShape = readonly [kh: number, kw: number, inChannels: number, filters: number];

export interface Tile {
  width: number;
  height: number;
  /** RGBA, row-major, 4 bytes per pixel (ImageData layout). */
  rgba: Uint8ClampedArray;
}

/** Index of kernel[y][x][c][f] in tfjs' row-major [kh, kw, inChannels, filters] layout. */
export function kernelIndex(shape: KernelShape, y: number, x: number, c: number, f: number): number {
  const [, kw, cin, cout] = shape;
  return ((y * kw + x) * cin + c) * cout + f;
}

/**
 * One tile per filter, each min-max normalised on its own (so weak filters stay visible).
 * Three input channels are shown as colour; any other count is averaged into grey, which for
 * MNIST's one channel is the kernel itself.
 */
export function kernelTiles(data: ArrayLike<number>, shape: KernelShape): Tile[] {
  const [kh, kw, cin, cout] = shape;
  if (data.length !== kh * kw * cin * cout) {
    throw new Error(`Kernel data has ${data.length} values but shape ${shape.join('×')} needs ${kh * kw * cin * cout}.`);
  }
  const colour = cin === 3;
  const tiles: Tile[] = [];
  for (let f = 0; f < cout; f++) {
    // Gather the pixel values (3 per pixel for colour, 1 for grey) and their range.
    const per = colour ? 3 : 1;
    const values = new Float64Array(kh * kw * per);
    let lo = Infinity;
    let hi = -Infinity;
    for (let y = 0; y < kh; y++) {
      for (let x = 0; x < kw; x++) {
        const p = (y * kw + x) * per;
        if (colour) {
          for (let c = 0; c < 3; c++) values[p + c] = data[kernelIndex(shape, y, x, c, f)];
        } else {
          let sum = 0;
          for (let c = 0; c < cin; c++) sum += data[kernelIndex(shape, y, x, c, f)];
          values[p] = sum / cin;
        }
      }
    }
    for (const v of values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    const rgba = new Uint8ClampedArray(kh * kw * 4);
    for (let i = 0; i < kh * kw; i++) {
      for (let c = 0; c < 3; c++) {
        const v = values[i * per + (colour ? c : 0)];
        // A constant filter (e.g. all zeros) has no contrast to show: mid grey.
        rgba[i * 4 + c] = range > 0 && Number.isFinite(range) ? Math.round(((v - lo) / range) * 255) : 128;
      }
      rgba[i * 4 + 3] = 255;
    }
    tiles.push({ width: kw, height: kh, rgba });
  }
  return tiles;
}

/** Enlarges a tile by an integer factor, each source pixel becoming a scale×scale block. */
export function upscaleNearest(tile: Tile, scale: number): Tile {
  const s = Math.max(1, Math.floor(scale));
  const width = tile.width * s;
  const height = tile.height * s;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const sy = Math.floor(y / s);
    for (let x = 0; x < width; x++) {
      const src = (sy * tile.width + Math.floor(x / s)) * 4;
      const dst = (y * width + x) * 4;
      rgba[dst] = tile.rgba[src];
      rgba[dst + 1] = tile.rgba[src + 1];
      rgba[dst + 2] = tile.rgba[src + 2];
      rgba[dst + 3] = tile.rgba[src + 3];
    }
  }
  return { width, height, rgba };
}

/** The integer scale that makes a kernel about `target` pixels wide (at least 1). */
export function tileScale(kernelSize: number, target = 48): number {
  return Math.max(1, Math.round(target / Math.max(1, kernelSize)));
}

/**
 * The first `max` filters as one small mosaic (a canvas block's thumbnail): tiles in a near-square
 * grid, 1 px dark gaps, each tile on its own scale as in `kernelTiles`.
 */
export function filterMosaic(data: ArrayLike<number>, shape: KernelShape, max = 16): Tile & { shown: number; cols: number } {
  const tiles = kernelTiles(data, shape).slice(0, Math.max(1, max));
  const [kh, kw] = shape;
  const cols = Math.ceil(Math.sqrt(tiles.length));
  const rows = Math.ceil(tiles.length / cols);
  const width = cols * (kw + 1) + 1;
  const height = rows * (kh + 1) + 1;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < rgba.length; i += 4) [rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]] = [24, 24, 30, 255];
  tiles.forEach((t, i) => {
    const ox = 1 + (i % cols) * (kw + 1);
    const oy = 1 + Math.floor(i / cols) * (kh + 1);
    for (let y = 0; y < kh; y++) rgba.set(t.rgba.subarray(y * kw * 4, (y + 1) * kw * 4), ((oy + y) * width + ox) * 4);
  });
  return { width, height, rgba, shown: tiles.length, cols };
}
