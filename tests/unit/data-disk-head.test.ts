// The stored folder import reads each picked file once (in a browser every read of a picked file
// is a round trip to the browser process): pass 2 decodes from its own copy of the encoded bytes.
// A JPEG whose size sits behind a large EXIF block is judged right, the import equals the
// in-memory one, and no temporary file is left. And pruning the shelf goes on past a folder it
// cannot remove yet.
import { describe, expect, it } from 'vitest';
import { nodeDecodeImage } from '../../cli/commands/data';
import { importDataset } from '../../renderer/src/core/data/sources';
import { ENCODED_FILE, importFolderToStore, TEMP_FILE } from '../../renderer/src/core/data/store/folder-import';
import { memoryShelf } from '../../renderer/src/core/data/store/memory';
import { openStored, pruneShelf, storeImported } from '../../renderer/src/core/data/store/stored';
import type { SourceFile } from '../../renderer/src/core/data/sources/types';
import { jpg, png } from './helpers/data-fixtures';

/** A JPEG with two big APP1 blocks after SOI: its frame header starts past 64 KiB. */
function jpegBehindExif(): Uint8Array {
  const base = jpg(12, 10, (x) => [x * 20, 40, 200]);
  const app = (n: number) => Uint8Array.from([0xff, 0xe1, (n + 2) >> 8, (n + 2) & 255, ...new Uint8Array(n).fill(0x20)]);
  const out = new Uint8Array(base.length + 2 * (40_000 + 4));
  out.set(base.subarray(0, 2));
  out.set(app(40_000), 2);
  out.set(app(40_000), 2 + 40_004);
  out.set(base.subarray(2), 2 + 2 * 40_004);
  return out;
}

describe('stored folder import: header pass', () => {
  it('reads each file once, judges a JPEG with a big EXIF block right, and leaves no temporary file', async () => {
    const files = new Map<string, Uint8Array>();
    for (let i = 0; i < 4; i++) files.set(`red/${i}.png`, png(12, 10, () => [220, 20 * i, 10]));
    for (let i = 0; i < 3; i++) files.set(`blue/${i}.png`, png(12, 10, () => [10, 20 * i, 220]));
    files.set('blue/exif.jpg', jpegBehindExif());
    const reads: string[] = [];
    const source = (): SourceFile[] => [...files].map(([path, bytes]) => ({ path, size: bytes.length, read: async () => (reads.push(path), bytes) }));
    const shelf = memoryShelf();
    const meta = await importFolderToStore({ files: source(), name: 'f' }, {}, { decodeImage: nodeDecodeImage }, (await shelf.folder('x', true))!, 'x');
    expect(reads.sort()).toEqual([...files.keys()].sort());
    const folder = (await shelf.folder('x', false))!;
    expect([await folder.readText(ENCODED_FILE), await folder.readText(TEMP_FILE)]).toEqual([null, null]);
    expect(meta.summary.skipped).toEqual([]);
    expect(meta.summary.counts.train.reduce((a, b) => a + b) + meta.summary.counts.test.reduce((a, b) => a + b)).toBe(8);

    const memory = await importDataset({ files: source(), name: 'f' }, {}, { decodeImage: nodeDecodeImage });
    expect(meta.summary).toEqual({ ...memory.summary, mean: meta.summary.mean, std: meta.summary.std });
    const { data } = await openStored((await shelf.folder('x', false))!);
    const all = (n: number) => Array.from({ length: n }, (_, i) => i);
    expect(await data.train.read(all(data.train.count))).toEqual(memory.data.train.images);
  });
});

describe('pruneShelf', () => {
  it('goes on past a folder that cannot be removed now (a file open elsewhere), and keeps the newest', async () => {
    const base = memoryShelf();
    const imported = await importDataset(
      { files: [{ path: 't.csv', read: async () => new TextEncoder().encode(['a,label', ...Array.from({ length: 12 }, (_, i) => `${i},${i % 2}`)].join('\n')) }] },
    );
    for (const [i, id] of ['old1', 'busy', 'old2', 'new1', 'new2'].entries()) await storeImported((await base.folder(id, true))!, id, imported, {}, 1000 + i);
    const shelf = { ...base, remove: async (id: string) => (id === 'busy' ? Promise.reject(new DOMException('open elsewhere', 'NoModificationAllowedError')) : base.remove(id)) };
    const removed = await pruneShelf(shelf, 2);
    expect(removed.sort()).toEqual(['old1', 'old2']);
    expect((await base.list()).sort()).toEqual(['busy', 'new1', 'new2']);
  });
});
