// An image folder streamed from its files decodes to the same pixels and labels as the import.
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { nodeDecodeImage } from '../../cli/commands/data';
import { importDataset, type SourceFile } from '@/core/data/sources';
import { streamFolder } from '@/core/data/sources/stream';

function png(w: number, h: number, rgb: (x: number, y: number) => [number, number, number]): Uint8Array {
  const p = new PNG({ width: w, height: h });
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) p.data.set([...rgb(x, y), 255], (y * w + x) * 4);
  return new Uint8Array(PNG.sync.write(p));
}

describe('streamFolder', () => {
  it('decodes on demand the same pixels (resized, colour) and labels as importDataset; reads only what is asked', async () => {
    const reads: string[] = [];
    const files: SourceFile[] = [];
    for (const [k, cls] of ['cat', 'dog'].entries()) {
      for (let i = 0; i < 3; i++) {
        const bytes = png(6 + i, 6, (x, y) => [x * 30 + k * 100, y * 20, i * 50]);
        const path = `train/${cls}/${i}.png`;
        files.push({ path, read: async () => (reads.push(path), bytes) });
      }
      const tbytes = png(6, 6, (x) => [x * 40, k * 200, 10]);
      files.push({ path: `test/${cls}/t.png`, read: async () => (reads.push(`test/${cls}/t.png`), tbytes) });
    }
    const dirs = ['train', 'train/cat', 'train/dog', 'test', 'test/cat', 'test/dog'];
    const { data } = await importDataset({ files, dirs, name: 'pets' }, { size: { height: 6, width: 6 }, color: 'rgb' }, { decodeImage: nodeDecodeImage });
    reads.length = 0;
    const s = await streamFolder(files, dirs, nodeDecodeImage, { height: 6, width: 6, channels: 3 });
    expect(reads).toEqual([]);
    expect(s.classNames).toEqual(['cat', 'dog']);
    const got = await s.train.read([4, 0]);
    expect(reads).toEqual(['train/dog/1.png', 'train/cat/0.png']);
    expect(Array.from(s.train.labels)).toEqual(Array.from(data.train.labels));
    const size = 6 * 6 * 3;
    expect(Array.from(got.subarray(0, size))).toEqual(Array.from(data.train.images.subarray(4 * size, 5 * size)));
    expect(Array.from(got.subarray(size))).toEqual(Array.from(data.train.images.subarray(0, size)));
    expect(s.test?.count).toBe(2);
  });
});
