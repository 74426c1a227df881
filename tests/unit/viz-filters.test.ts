import { describe, expect, it } from 'vitest';
import { filterMosaic, kernelIndex, kernelTiles, tileScale, upscaleNearest } from '../../renderer/src/core/viz/filters';

describe('kernelTiles', () => {
  it('normalises each filter to 0..255 on its own and reads the [kh, kw, cin, cout] layout', () => {
    // 2×2 kernel, 1 input channel, 2 filters: filter 0 spans -1..1, filter 1 spans 10..40.
    const shape = [2, 2, 1, 2] as const;
    const data = new Float32Array(8);
    const f0 = [-1, 0, 0, 1];
    const f1 = [10, 20, 30, 40];
    for (let i = 0; i < 4; i++) {
      const y = Math.floor(i / 2), x = i % 2;
      data[kernelIndex(shape, y, x, 0, 0)] = f0[i];
      data[kernelIndex(shape, y, x, 0, 1)] = f1[i];
    }
    const tiles = kernelTiles(data, shape);
    expect(tiles).toHaveLength(2);
    const red = (t: (typeof tiles)[number]) => Array.from({ length: 4 }, (_, i) => t.rgba[i * 4]);
    expect(red(tiles[0])).toEqual([0, 128, 128, 255]);
    expect(red(tiles[1])).toEqual([0, 85, 170, 255]);
    // grey: r = g = b, opaque
    expect(Array.from(tiles[1].rgba.slice(4, 8))).toEqual([85, 85, 85, 255]);
  });

  it('shows three input channels as colour', () => {
    const shape = [1, 1, 3, 1] as const;
    // One pixel whose channels are 0, 1, 2 -> normalised to 0, 127.5, 255.
    const tiles = kernelTiles(new Float32Array([0, 1, 2]), shape);
    expect(Array.from(tiles[0].rgba)).toEqual([0, 128, 255, 255]);
  });

  it('draws a constant filter as mid grey instead of dividing by zero', () => {
    const tiles = kernelTiles(new Float32Array(9), [3, 3, 1, 1]);
    expect(new Set(Array.from(tiles[0].rgba.filter((_, i) => i % 4 !== 3)))).toEqual(new Set([128]));
  });

  it('rejects data that does not match the shape', () => {
    expect(() => kernelTiles(new Float32Array(5), [2, 2, 1, 2])).toThrow(/needs 8/);
  });
});

describe('upscaleNearest', () => {
  it('turns every pixel into a scale×scale block', () => {
    const tile = { width: 2, height: 1, rgba: new Uint8ClampedArray([10, 10, 10, 255, 200, 200, 200, 255]) };
    const big = upscaleNearest(tile, 3);
    expect(big.width).toBe(6);
    expect(big.height).toBe(3);
    const row = (y: number) => Array.from({ length: 6 }, (_, x) => big.rgba[(y * 6 + x) * 4]);
    for (let y = 0; y < 3; y++) expect(row(y)).toEqual([10, 10, 10, 200, 200, 200]);
  });

  it('picks an integer scale near the target size', () => {
    expect(tileScale(5, 48)).toBe(10);
    expect(tileScale(100, 48)).toBe(1);
  });
});

describe('filterMosaic (the canvas thumbnail)', () => {
  it('lays the first filters out in a near-square grid with 1 px gaps, each tile as kernelTiles draws it', () => {
    const shape = [2, 3, 1, 5] as const;
    const data = Array.from({ length: 2 * 3 * 5 }, (_, i) => Math.sin(i * 1.7));
    const m = filterMosaic(data, shape);
    expect([m.cols, m.shown, m.width, m.height]).toEqual([3, 5, 3 * 4 + 1, 2 * 3 + 1]);
    const tiles = kernelTiles(data, shape);
    for (let f = 0; f < 5; f++) {
      const ox = 1 + (f % 3) * 4;
      const oy = 1 + Math.floor(f / 3) * 3;
      for (let y = 0; y < 2; y++) {
        for (let x = 0; x < 3; x++) {
          const o = ((oy + y) * m.width + ox + x) * 4;
          expect([...m.rgba.subarray(o, o + 4)]).toEqual([...tiles[f].rgba.subarray((y * 3 + x) * 4, (y * 3 + x) * 4 + 4)]);
        }
      }
    }
    // Gaps stay dark; the unused sixth cell too.
    expect([...m.rgba.subarray(0, 4)]).toEqual([24, 24, 30, 255]);
    const empty = ((1 + 3) * m.width + 1 + 2 * 4) * 4;
    expect([...m.rgba.subarray(empty, empty + 4)]).toEqual([24, 24, 30, 255]);
    expect(filterMosaic(data, shape, 4).shown).toBe(4);
  });
});
