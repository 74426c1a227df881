// The CLI's streamed image folder (cli/data-cache.ts): decoded once into a raw cache file, then read
// with positioned reads. It must give the import's pixels, labels and splits; reopen without
// decoding; rebuild when a file changes; skip broken files with a reason; train like memory.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { importPath, nodeDecodeImage, readPath } from '../../cli/commands/data';
import { cachedFolder } from '../../cli/data-cache';
import { readBatch, seededRandom, type ImageDataset, type StreamedDataset } from '@/core/data/dataset';
import { importDataset, type ImageDecoder } from '@/core/data/sources';

function png(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Buffer {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data.set([...rgb(x, y), 255], (y * w + x) * 4);
  return PNG.sync.write(p);
}

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nw-cache-test-'));
  cacheDir = join(dir, '..', `${dir.split('/').pop()}-cache`);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(cacheDir, { recursive: true, force: true });
});

/** Three classes, 7 images each, mixed sizes; colour unless `grey`. */
function makeFolder(root: string, grey: boolean): void {
  const rnd = seededRandom(5);
  for (const [k, cls] of ['ant', 'bee', 'cat'].entries()) {
    mkdirSync(join(root, cls), { recursive: true });
    for (let i = 0; i < 7; i++) {
      const w = i === 3 ? 10 : 8;
      writeFileSync(join(root, cls, `${i}.png`), png(w, 8, () => {
        const v = Math.floor(rnd() * 255);
        return grey ? [v, v, v] : [v, (v + k * 70) % 256, 255 - v];
      }));
    }
  }
}

const all = (ds: { count: number }) => Uint32Array.from({ length: ds.count }, (_, i) => i);

async function expectSame(mem: ImageDataset, str: StreamedDataset): Promise<void> {
  expect(str.count).toBe(mem.count);
  expect([str.height, str.width, str.channels]).toEqual([mem.height, mem.width, mem.channels]);
  expect(Array.from(str.labels)).toEqual(Array.from(mem.labels));
  expect(Array.from(await str.read(all(str)))).toEqual(Array.from(mem.images));
}

describe('cachedFolder', () => {
  for (const grey of [false, true]) {
    it(`${grey ? 'grey' : 'colour'}: the import's pixels, labels, split and statistics; reopened without decoding`, async () => {
      makeFolder(dir, grey);
      const { data, summary } = await importPath('t', dir, '/');
      let decoded = 0;
      const counting: ImageDecoder = (b, p) => (decoded++, nodeDecodeImage(b, p));
      const c = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, counting, { cacheDir });
      expect(c.fromCache).toBe(false);
      expect(decoded).toBe(21);
      expect(c.summary.shape).toEqual(summary.shape);
      expect(c.summary.shape[2]).toBe(grey ? 1 : 3);
      expect(c.summary.counts).toEqual(summary.counts);
      expect(c.summary.testSource).toBe('split');
      c.summary.mean.forEach((m, k) => expect(m).toBeCloseTo(summary.mean[k], 6));
      c.summary.std.forEach((s, k) => expect(s).toBeCloseTo(summary.std[k], 6));
      await expectSame(data.train, c.data.train);
      await expectSame(data.test, c.data.test);
      // Out of order, repeated: each example from its own offset.
      const size = c.data.train.height * c.data.train.width * c.data.train.channels;
      const two = await c.data.train.read([5, 0, 5]);
      expect(Array.from(two.subarray(0, size))).toEqual(Array.from(data.train.images.subarray(5 * size, 6 * size)));
      expect(Array.from(two.subarray(size, 2 * size))).toEqual(Array.from(data.train.images.subarray(0, size)));
      c.close();
      decoded = 0;
      const again = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, counting, { cacheDir });
      expect(again.fromCache).toBe(true);
      expect(decoded).toBe(0);
      await expectSame(data.train, again.data.train);
      again.close();
    });
  }

  it('a changed file (size, time) means a new cache; other options (size, colour) are other caches', async () => {
    makeFolder(dir, true);
    const first = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir });
    first.close();
    writeFileSync(join(dir, 'bee', '2.png'), png(8, 8, () => [255, 255, 255]));
    utimesSync(join(dir, 'bee', '2.png'), new Date(), new Date(Date.now() + 5000));
    const changed = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir });
    expect(changed.fromCache).toBe(false);
    const { data } = await importPath('t', dir, '/');
    await expectSame(data.train, changed.data.train);
    changed.close();
    const other = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir, size: { height: 4, width: 4 }, color: 'rgb' });
    expect(other.fromCache).toBe(false);
    expect(other.summary.shape).toEqual([4, 4, 3]);
    other.close();
    // The cache folder keeps the newest four decoded copies, not one per option ever tried.
    for (const side of [5, 6, 7]) (await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir, size: { height: side, width: side } })).close();
    const left = readdirSync(cacheDir);
    expect(left).toHaveLength(4);
    expect(left.some((n) => n.endsWith('.partial'))).toBe(false);
  });

  it('another seed, test share or normalization splits the cache again without decoding, as a new import would', async () => {
    makeFolder(dir, false);
    let decodes = 0;
    const counting: ImageDecoder = (b, p) => (decodes++, nodeDecodeImage(b, p));
    (await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, counting, { cacheDir })).close();
    const first = decodes;
    expect(first).toBe(21);
    const again = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, counting, { cacheDir, seed: 7, testFraction: 0.4, normalization: 'per-channel' });
    expect(again.fromCache).toBe(true);
    expect(decodes).toBe(first); // nothing decoded again
    const { data, summary } = await importDataset(readPath('t', dir, '/'), { seed: 7, testFraction: 0.4, normalization: 'per-channel' }, { decodeImage: nodeDecodeImage });
    await expectSame(data.train, again.data.train);
    await expectSame(data.test, again.data.test);
    expect(again.summary.counts).toEqual(summary.counts);
    for (const k of [0, 1, 2]) {
      expect(again.summary.mean[k]).toBeCloseTo(summary.mean[k], 10);
      expect(again.data.train.mean![k]).toBeCloseTo(data.train.mean![k], 10);
      expect(again.data.train.std![k]).toBeCloseTo(data.train.std![k], 10);
    }
    again.close();
  });

  it('given train/ and test/ folders are kept; a broken file is skipped with its reason', async () => {
    makeFolder(join(dir, 'train'), false);
    makeFolder(join(dir, 'test'), false);
    writeFileSync(join(dir, 'train', 'ant', 'broken.png'), png(8, 8, () => [1, 2, 3]).subarray(0, 60));
    const { data } = await importPath('t', dir, '/');
    const c = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir });
    expect(c.summary.testSource).toBe('given');
    expect(c.summary.skipped.map((s) => s.file)).toEqual(['train/ant/broken.png']);
    expect(c.summary.skipped[0].reason).toMatch(/could not be decoded/);
    await expectSame(data.train, c.data.train);
    await expectSame(data.test, c.data.test);
    c.close();
  });

  it('batches read from the cache equal the in-memory ones (random crops and order)', async () => {
    makeFolder(dir, false);
    const { data } = await importPath('t', dir, '/');
    const c = await cachedFolder({ ...readPath('t', dir, '/'), name: 'x' }, nodeDecodeImage, { cacheDir });
    const order = [7, 2, 11, 0, 5, 9];
    const a = await readBatch(data.train, order, 0, 6, [6, 6, 3], 'random', seededRandom(3));
    const b = await readBatch(c.data.train, order, 0, 6, [6, 6, 3], 'random', seededRandom(3));
    expect(Array.from(b.x)).toEqual(Array.from(a.x));
    expect(Array.from(b.y)).toEqual(Array.from(a.y));
    c.close();
  });
});
