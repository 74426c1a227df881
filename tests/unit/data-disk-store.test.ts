// Stored datasets (core/data/store): an image folder imported straight to disk gives the same
// summary and the same example bytes as the in-memory import, for colour / grey / index-CSV
// folders and every normalization; in-memory imports stored and read back (uint8 and float32);
// damaged stores refused with what to do; cancellation; pruning; and the folder import holding
// only a chunk of decoded images at once. Each runs on the memory shelf and the Node fs shelf.
import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fsShelf } from '../../cli/dataset-shelf';
import { importPath, nodeDecodeImage, readPath } from '../../cli/commands/data';
import { cachedFolder } from '../../cli/data-cache';
import { type AnyDataset, type ImageDataset, type StreamedDataset } from '../../renderer/src/core/data/arrays';
import { encodeIdx } from '../../renderer/src/core/data/idx';
import {
  DataImportError, encodeNpy, encodeZip, importDataset, ImportCancelled, type ImportedDataset, type ImportOptions, type Normalization, type SourceFile,
} from '../../renderer/src/core/data/sources';
import {
  classSamples, ENCODED_FILE, EXAMPLES_FILE, importFolderToStore, memoryShelf, META_FILE, openStored, pruneShelf, storeImported, TEMP_FILE,
  type ByteFile, type ByteFolder, type DatasetShelf, type StoredDatasetMeta,
} from '../../renderer/src/core/data/store';
import { barRows, png, pngHeader, shapeFolder, sourceFiles, writeTree } from './helpers/data-fixtures';

const deps = { decodeImage: nodeDecodeImage };
const temps: string[] = [];
const tempDir = () => (temps.push(mkdtempSync(join(tmpdir(), 'nw-shelf-'))), temps[temps.length - 1]);
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));
const SHELVES: [string, () => DatasetShelf][] = [
  ['memory', () => memoryShelf()],
  ['fs', () => fsShelf(tempDir())],
];
const NORMS: Normalization[] = ['unit', 'standardize', 'per-channel'];
const all = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

/** (a) colour, mixed sizes, every kind of broken file, an empty class folder, a class with no usable image, a duplicate. */
function colourFolder(): { files: SourceFile[]; dirs: string[]; name: string } {
  const files = shapeFolder(8);
  files.set('red/truncated.png', png(16, 16, () => [200, 10, 10]).slice(0, 60));
  files.set('green/notes.png', new TextEncoder().encode('this is not a picture\n'));
  files.set('blue/huge.png', pngHeader(100000, 100000));
  files.set('blue/copy.png', files.get('blue/0.png')!);
  files.set('broken/only.png', png(16, 16, () => [1, 2, 3]).slice(0, 70));
  files.set('readme.txt', new TextEncoder().encode('hello'));
  return { files: sourceFiles(files), dirs: ['red', 'green', 'blue', 'empty', 'broken'], name: 'shapes' };
}

/** (b) grey images under train/ and test/, two sizes, with duplicates. */
function greyFolder(): { files: SourceFile[]; name: string } {
  const files = new Map<string, Uint8Array>();
  for (const split of ['train', 'test']) {
    for (const [c, v] of [['dark', 20], ['light', 230], ['mid', 120]] as const) {
      for (let i = 0; i < (split === 'train' ? 7 : 3); i++) {
        const [w, h] = i % 3 === 2 ? [10, 6] : [8, 8];
        files.set(`${split}/${c}/${i}.png`, png(w, h, (x, y) => { const g = (v + ((x * 7 + y * 3 + i) % 5) * (i % 4 ? 1 : 0)) % 256; return [g, g, g]; }));
      }
    }
  }
  return { files: sourceFiles(files), name: 'grey' };
}

/** (c) an index CSV: file, label, split; a missing file and an unlisted one. */
function indexFolder(): { files: SourceFile[]; name: string } {
  const files = new Map<string, Uint8Array>();
  const rows = ['file,label,split'];
  for (let i = 0; i < 18; i++) {
    files.set(`img/${i}.png`, png(6 + (i % 2) * 2, 6, (x, y) => (i % 3 === 0 ? [255 - x * 9, y * 20, 40] : i % 3 === 1 ? [x * 30, 200, y * 9] : [10, x * 5, 220])));
    rows.push(`img/${i}.png,${['cat', 'dog', 'cow'][i % 3]},${i >= 15 ? 'test' : 'train'}`);
  }
  files.set('img/stray.png', png(4, 4, () => [9, 9, 9]));
  rows.push('img/missing.png,dog,train');
  files.set('labels.csv', new TextEncoder().encode(rows.join('\n')));
  return { files: sourceFiles(files), name: 'indexed' };
}

/** Both sides give the same summary (statistics close) and every example of both splits has the same bytes and label. */
async function expectSame(mem: ImportedDataset, meta: StoredDatasetMeta, train: AnyDataset, test: AnyDataset): Promise<void> {
  const { mean, std, ...rest } = meta.summary;
  const { mean: m0, std: s0, ...rest0 } = mem.summary;
  expect(rest).toEqual(rest0);
  mean.forEach((v, k) => expect(v).toBeCloseTo(m0[k], 10));
  std.forEach((v, k) => expect(v).toBeCloseTo(s0[k], 10));
  for (const [ds, ref] of [[train, mem.data.train], [test, mem.data.test]] as [StreamedDataset, ImageDataset][]) {
    expect([ds.count, ds.height, ds.width, ds.channels, ds.classes]).toEqual([ref.count, ref.height, ref.width, ref.channels, ref.classes]);
    expect(ds.classNames).toEqual(ref.classNames);
    expect(Array.from(ds.labels)).toEqual(Array.from(ref.labels));
    await expect(ds.read(all(ds.count))).resolves.toEqual(ref.images);
    if (ref.mean) {
      ds.mean!.forEach((v, k) => expect(v).toBeCloseTo(ref.mean![k], 10));
      ds.std!.forEach((v, k) => expect(v).toBeCloseTo(ref.std![k], 10));
    } else expect(ds.mean).toBeUndefined();
  }
}

describe.each(SHELVES)('image folder imported to disk (%s shelf)', (_, makeShelf) => {
  const cases: [string, () => { files: SourceFile[]; dirs?: string[]; name: string }, ImportOptions][] = [
    ['colour, mixed sizes, broken files', colourFolder, { seed: 3 }],
    ['grey, train/ + test/', greyFolder, {}],
    ['index CSV, crop to a size', indexFolder, { size: { height: 5, width: 7 }, resize: 'crop' }],
    ['colour forced grey, pad', colourFolder, { color: 'gray', resize: 'pad', testFraction: 0.3 }],
    ['grey forced RGB', greyFolder, { color: 'rgb' }],
  ];
  it.each(cases.flatMap(([label, make, o]) => NORMS.map((normalization) => [`${label}, ${normalization}`, make, { ...o, normalization }] as const)))(
    'matches importDataset: %s',
    async (_label, make, options) => {
      const input = make();
      const progress: unknown[] = [];
      const mem = await importDataset(input, options, { ...deps, onProgress: (p) => progress.push(p) });
      const shelf = makeShelf();
      const folder = (await shelf.folder('d1', true))!;
      const diskProgress: unknown[] = [];
      const meta = await importFolderToStore(input, options, { ...deps, chunk: 5, onProgress: (p) => diskProgress.push(p) }, folder, 'd1', 1234);
      expect(diskProgress).toEqual(progress);
      expect([meta.id, meta.createdAt, meta.options]).toEqual(['d1', 1234, options]);
      expect(await folder.readText(TEMP_FILE)).toBeNull();
      const opened = await openStored((await shelf.folder('d1', false))!);
      expect(opened.meta).toEqual(meta);
      await expectSame(mem, meta, opened.data.train, opened.data.test);
      await opened.close();
    },
  );

  it('reports what the in-memory import reports: duplicates, skips with reasons, the class with no usable image', async () => {
    const input = colourFolder();
    const meta = await importFolderToStore(input, {}, deps, (await makeShelf().folder('x', true))!, 'x');
    const reasons = Object.fromEntries(meta.summary.skipped.map((s) => [s.file, s.reason]));
    expect(reasons['broken/']).toBe('class folder has no usable image');
    expect(reasons['empty/']).toBe('empty class folder');
    expect(reasons['blue/huge.png']).toMatch(/over the 50 MP limit/);
    expect(meta.summary.duplicates).toBe(1);
    expect(meta.summary.warnings.join('\n')).toMatch(/1 duplicate example/);
  });

  it('refuses what the in-memory import refuses, with the skipped list', async () => {
    const shelf = makeShelf();
    const none = sourceFiles(new Map([['a/x.png', new TextEncoder().encode('text')], ['b/y.png', pngHeader(9e4, 9e4)]]));
    const one = sourceFiles(new Map([['a/x.png', png(4, 4, () => [1, 1, 1])], ['b/y.png', png(4, 4, () => [1, 1, 1]).slice(0, 50)]]));
    for (const files of [none, one]) {
      const mem = (await importDataset({ files }, {}, deps).catch((e: unknown) => e)) as DataImportError;
      const disk = (await importFolderToStore({ files }, {}, deps, (await shelf.folder('r', true))!, 'r').catch((e: unknown) => e)) as DataImportError;
      expect(disk).toBeInstanceOf(DataImportError);
      expect(mem).toBeInstanceOf(DataImportError);
      expect([disk.message, disk.skipped]).toEqual([mem.message, mem.skipped]);
    }
    const npz = { path: 'x.npz', read: async () => new Uint8Array(4) };
    await expect(importFolderToStore({ files: [npz] }, {}, deps, (await shelf.folder('r', true))!, 'r')).rejects.toThrow(/not an image folder: import it with importDataset, then storeImported/);
    const left = await shelf.folder('r', false);
    expect([await left!.readText(META_FILE), await left!.readText(EXAMPLES_FILE), await left!.readText(TEMP_FILE), await left!.readText(ENCODED_FILE)]).toEqual([null, null, null, null]);
  });

  it('cancelled, leaves no description and no temp file', async () => {
    const shelf = makeShelf();
    let calls = 0;
    const folder = (await shelf.folder('c', true))!;
    const err = await importFolderToStore(colourFolder(), {}, { ...deps, chunk: 4, shouldCancel: () => ++calls > 40 }, folder, 'c').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportCancelled);
    expect(await folder.readText(META_FILE)).toBeNull();
    expect(await folder.readText(TEMP_FILE)).toBeNull();
    await expect(openStored(folder)).rejects.toThrow(/no description .* import it again/);
    const removed = await pruneShelf(shelf, 5);
    expect(removed).toEqual(['c']);
  });
});

/** A folder whose files count what is written to them. */
function countingFolder(inner: ByteFolder, written: Map<string, number>): ByteFolder {
  return {
    ...inner,
    async open(name, mode) {
      const f = await inner.open(name, mode);
      const counted: ByteFile = { ...f, write: async (at, data) => {
        written.set(name, (written.get(name) ?? 0) + data.length);
        return f.write(at, data);
      } };
      return counted;
    },
  };
}

describe('bounded memory of the folder import', () => {
  it('reads and decodes a chunk of files at a time, and each chunk reaches the disk before the next is decoded', async () => {
    const chunk = 6;
    const raw = shapeFolder(15);
    let reads = 0;
    let decodes = 0;
    let progress = 0;
    let maxUnchecked = 0;
    let maxUnwritten = 0;
    const written = new Map<string, number>();
    const files = sourceFiles(raw).map((f) => ({ ...f, read: async () => {
      reads++;
      maxUnchecked = Math.max(maxUnchecked, reads - progress);
      return f.read();
    } }));
    const rgbSize = 16 * 16 * 3;
    const decodeImage = async (bytes: Uint8Array, path: string) => {
      decodes++;
      // Decoded images not yet written to the temp file (the resized bytes held in memory).
      maxUnwritten = Math.max(maxUnwritten, decodes - (written.get(TEMP_FILE) ?? 0) / rgbSize);
      return nodeDecodeImage(bytes, path);
    };
    const folder = countingFolder((await memoryShelf().folder('b', true))!, written);
    const meta = await importFolderToStore({ files }, {}, { decodeImage, chunk, onProgress: () => void progress++ }, folder, 'b');
    expect(meta.stored).toBe(45);
    expect(reads).toBe(45); // every file read once: pass 2 decodes from the encoded copy
    expect(maxUnchecked).toBeLessThanOrEqual(chunk); // pass 1: file bytes of one chunk at a time
    expect(written.get(ENCODED_FILE)).toBe([...raw.values()].reduce((a, b) => a + b.length, 0));
    expect(maxUnwritten).toBe(chunk); // decoded images held: one chunk, then written out
    expect(written.get(EXAMPLES_FILE)).toBe(45 * rgbSize);
  });
});

/** uint8 IDX with train and test files; float32 .npz (x/y, split here). */
async function idxImport(normalization: Normalization): Promise<ImportedDataset> {
  const { x, y } = barRows(50, 3, 6, 4);
  const enc = (data: Uint8Array, shape: number[]) => encodeIdx({ dtype: 'uint8', shape, data });
  const files = [
    { path: 'train-images-idx3-ubyte', bytes: enc(x.subarray(0, 40 * 36), [40, 6, 6]) },
    { path: 'train-labels-idx1-ubyte', bytes: enc(Uint8Array.from(y.slice(0, 40)), [40]) },
    { path: 't10k-images-idx3-ubyte', bytes: enc(x.subarray(40 * 36), [10, 6, 6]) },
    { path: 't10k-labels-idx1-ubyte', bytes: enc(Uint8Array.from(y.slice(40)), [10]) },
  ].map((f) => ({ path: f.path, size: f.bytes.length, read: async () => f.bytes }));
  return importDataset({ files }, { normalization });
}

async function npzImport(): Promise<ImportedDataset> {
  const { x, y } = barRows(40, 2, 5, 7);
  const xf = Float32Array.from(x, (v) => v / 255 - 0.25);
  const z = encodeZip([{ name: 'x.npy', data: encodeNpy('<f4', [40, 5, 5], xf) }, { name: 'y.npy', data: encodeNpy('<i4', [40], y) }]);
  return importDataset({ files: [{ path: 'bars.npz', read: async () => z }] }, { normalization: 'standardize', seed: 9 });
}

describe.each(SHELVES)('stored in-memory imports (%s shelf)', (_, makeShelf) => {
  it('round-trips uint8 (IDX) and float32 (.npz) with scale, mean, std and class names kept', async () => {
    const shelf = makeShelf();
    for (const [id, imported] of [['idx', await idxImport('per-channel')], ['npz', await npzImport()]] as const) {
      imported.data.train.scale = imported.data.test.scale = id === 'idx' ? 1 / 255 : 1;
      const meta = await storeImported((await shelf.folder(id, true))!, id, imported, { normalization: 'per-channel' }, 77);
      expect([meta.dtype, meta.createdAt, meta.stored]).toEqual([id === 'idx' ? 'uint8' : 'float32', 77, imported.summary.train + imported.summary.test]);
      const { data, close } = await openStored((await shelf.folder(id, false))!);
      for (const [ds, ref] of [[data.train, imported.data.train], [data.test, imported.data.test]] as [StreamedDataset, ImageDataset][]) {
        expect(ds.dtype).toBe(id === 'idx' ? 'uint8' : 'float32');
        await expect(ds.read(all(ds.count))).resolves.toEqual(ref.images);
        await expect(ds.read([3, 1, 2])).resolves.toEqual(pick(ref, [3, 1, 2]));
        expect([ds.scale, ds.mean, ds.std, ds.classNames, Array.from(ds.labels)]).toEqual([ref.scale, ref.mean, ref.std, ref.classNames, Array.from(ref.labels)]);
      }
      // Preview samples: the same display bytes from the stored split and from memory.
      const fromDisk = await classSamples(data.train, 2);
      expect(fromDisk.map((s) => s.label)).toEqual(id === 'idx' ? [0, 0, 1, 1, 2, 2] : [0, 0, 1, 1]);
      expect(fromDisk).toEqual(await classSamples(imported.data.train, 2));
      expect(fromDisk.every((s) => s.pixels instanceof Uint8Array && s.pixels.length === ds0(data.train))).toBe(true);
      await close();
    }
  });

  it('refuses a damaged store and says to import again; reads outside a split are RangeErrors', async () => {
    const shelf = makeShelf();
    const folder = (await shelf.folder('d', true))!;
    const meta = await storeImported(folder, 'd', await idxImport('unit'), {});
    const { data, close } = await openStored(folder);
    await expect(data.test.read([0, 10])).rejects.toThrow(RangeError);
    await expect(data.test.read([0, 10])).rejects.toThrow(/example 10 is outside the dataset \(0\.\.9\)/);
    await expect(data.train.read([-1])).rejects.toThrow(/example -1/);
    await close();
    const good = JSON.stringify(meta);
    await folder.writeText(META_FILE, good.replace('"version":1', '"version":0'));
    await expect(openStored(folder)).rejects.toThrow(/stored in format 0.*import it again/);
    await folder.writeText(META_FILE, good.slice(0, 100));
    await expect(openStored(folder)).rejects.toThrow(/damaged.*not valid JSON.*import it again/);
    await folder.writeText(META_FILE, good.replace('"stored":50', '"stored":51'));
    await expect(openStored(folder)).rejects.toThrow(/damaged.*examples\.bin has 1800 bytes, its description says 1836/);
    await folder.remove(META_FILE);
    await expect(openStored(folder)).rejects.toThrow(/no description \(dataset\.json\).*import it again/);
    // Truncated examples: the size check refuses it when opened.
    await folder.writeText(META_FILE, good);
    const f = await folder.open(EXAMPLES_FILE, 'write');
    await f.write(0, new Uint8Array(900));
    await f.close();
    await expect(openStored(folder)).rejects.toThrow(/damaged.*examples\.bin has 900 bytes/);
  });
});

const pick = (ds: ImageDataset, idx: number[]) => {
  const size = ds.height * ds.width * ds.channels;
  const out = ds.images instanceof Uint8Array ? new Uint8Array(idx.length * size) : new Float32Array(idx.length * size);
  idx.forEach((i, k) => out.set(ds.images.subarray(i * size, (i + 1) * size), k * size));
  return out;
};
const ds0 = (ds: AnyDataset) => ds.height * ds.width * ds.channels;

describe('fs shelf', () => {
  it('a file cut short after opening is a read error that says the store is damaged', async () => {
    const dir = tempDir();
    const shelf = fsShelf(dir);
    await storeImported((await shelf.folder('t', true))!, 't', await idxImport('unit'), {});
    const { data, close } = await openStored((await shelf.folder('t', false))!);
    truncateSync(join(dir, 't', EXAMPLES_FILE), 36 * 20);
    await expect(data.train.read([5])).resolves.toHaveLength(36);
    await expect(data.train.read([5, 30])).rejects.toThrow(/stored dataset is damaged .*import it again/);
    await close();
    expect(readdirSync(join(dir, 't')).sort()).toEqual([META_FILE, EXAMPLES_FILE].sort());
    await expect(shelf.folder('../x', true)).rejects.toThrow(/not a valid stored-dataset id/);
    expect(await shelf.folder('nope', false)).toBeNull();
  });
});

describe.each(SHELVES)('pruneShelf (%s shelf)', (_, makeShelf) => {
  it('removes unfinished imports and all but the newest complete ones, never the protected', async () => {
    const shelf = makeShelf();
    const imported = await idxImport('unit');
    for (const [id, t] of [['a', 1], ['b', 4], ['c', 3], ['d', 2], ['p', 0]] as const) await storeImported((await shelf.folder(id, true))!, id, imported, {}, t);
    const half = (await shelf.folder('half', true))!;
    const f = await half.open(EXAMPLES_FILE, 'write');
    await f.write(0, new Uint8Array(10));
    await f.close();
    const removed = await pruneShelf(shelf, 2, ['p']);
    expect(removed.sort()).toEqual(['a', 'd', 'half']);
    expect((await shelf.list()).sort()).toEqual(['b', 'c', 'p']);
    expect(await pruneShelf(shelf, 0)).toEqual(expect.arrayContaining(['b', 'c', 'p']));
    expect(await shelf.list()).toEqual([]);
  });
});

describe('the CLI decode cache on the store', () => {
  it('gives the import\'s whole summary (duplicates, warnings, skips) and reopens without decoding', async () => {
    const dir = tempDir();
    const files = shapeFolder(6);
    files.set('red/copy.png', files.get('red/0.png')!);
    files.set('green/bad.png', png(16, 16, () => [1, 2, 3]).slice(0, 60));
    writeTree(join(dir, 'shapes'), files);
    const { summary } = await importPath('t', join(dir, 'shapes'), '/', undefined, undefined, 'standardize');
    const open = () => cachedFolder({ ...readPath('t', join(dir, 'shapes'), '/'), name: 'shapes' }, nodeDecodeImage, { cacheDir: join(dir, 'cache'), normalization: 'standardize' });
    const c = await open();
    const { mean, std, ...rest } = c.summary;
    const { mean: m0, std: s0, ...rest0 } = summary;
    expect(rest).toEqual(rest0);
    mean.forEach((v, k) => expect(v).toBeCloseTo(m0[k], 10));
    std.forEach((v, k) => expect(v).toBeCloseTo(s0[k], 10));
    expect(c.summary.duplicates).toBe(1);
    expect(c.summary.warnings).toEqual(summary.warnings);
    c.close();
    const again = await open();
    expect([again.fromCache, again.summary.duplicates]).toEqual([true, 1]);
    again.close();
    expect(readdirSync(join(dir, 'cache')).filter((f) => f.includes('partial'))).toEqual([]);
  });
});
