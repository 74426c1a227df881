// A streamed image folder for Node: every image decoded once (core/data/sources/stream.ts's
// decodeExample, the import's decoding) into a raw uint8 cache file, then batches read from that
// file with positioned reads (fs.read at offsets), so a folder larger than memory trains from disk
// at the speed of in-memory data. The cache is keyed by the folder's file list (paths, sizes,
// modification times, labels) and the preprocessing options: a changed file means a new cache.
// Layout: <key>.u8 (N × H×W×C bytes, the folder's examples in listing order) + <key>.json (shape,
// labels, splits, statistics, skipped files).
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, read, readFileSync, readSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labelArray, type StreamedDataset } from '../renderer/src/core/data/arrays';
import { normalizationFrom, stratifiedSplit } from '../renderer/src/core/data/sources/assemble';
import { imageSize, isImageKind, sniff } from '../renderer/src/core/data/sources/sniff';
import { decodeExample, folderEntries, type FolderEntry } from '../renderer/src/core/data/sources/stream';
import { DataImportError, type DatasetSummary, type ImageDecoder, type Normalization, type ResizePolicy, type Skipped, type SourceFile } from '../renderer/src/core/data/sources/types';

const VERSION = 1;
/** Images decoded (and file reads in flight) per chunk of the first pass. */
const CHUNK = 256;
/** Headers read to choose the size when none is given. */
const SIZE_SAMPLE = 256;

export const defaultCacheDir = () => join(tmpdir(), 'netwright-data-cache');

export interface CacheOptions {
  cacheDir?: string;
  size?: { height: number; width: number };
  /** Default: RGB when any image has colour, else grey (the import's choice). */
  color?: 'gray' | 'rgb';
  resize?: ResizePolicy;
  /** When the folder has no test/ folder: the stratified test fraction and seed (the import's defaults). */
  testFraction?: number;
  seed?: number;
  /** Mean/std applied in training (the import's modes), from the train split's statistics. */
  normalization?: Normalization;
  onProgress?: (done: number, total: number) => void;
}

interface Meta {
  version: number;
  shape: [number, number, number];
  classNames: string[];
  /** Per stored example: class index and split. */
  labels: number[];
  splits: ('train' | 'test')[];
  skipped: Skipped[];
  sizes: DatasetSummary['sizes'];
  /** Per stored example and channel: sum and sum of squares of the stored bytes. */
  sums: number[];
}

export interface CachedFolder {
  data: { train: StreamedDataset; test: StreamedDataset };
  summary: DatasetSummary;
  /** The raw example file, and whether it was there already (no decoding this time). */
  file: string;
  fromCache: boolean;
  close(): void;
}

/** The most common size among the headers of the first SIZE_SAMPLE images. */
async function commonSize(entries: FolderEntry[]): Promise<{ height: number; width: number; sizes: DatasetSummary['sizes'] }> {
  const counts = new Map<string, number>();
  for (const e of entries.slice(0, SIZE_SAMPLE)) {
    const bytes = await e.file.read();
    const kind = sniff(bytes);
    const s = isImageKind(kind) ? imageSize(bytes, kind) : null;
    if (s?.width && s.height) counts.set(`${s.height}×${s.width}`, (counts.get(`${s.height}×${s.width}`) ?? 0) + 1);
  }
  const sizes = [...counts].sort((a, b) => b[1] - a[1]).map(([k, count]) => {
    const [height, width] = k.split('×').map(Number);
    return { height, width, count };
  });
  if (!sizes.length) throw new DataImportError('no readable image among the first files of the folder');
  return { ...sizes[0], sizes: sizes.slice(0, 5) };
}

function cacheKey(entries: FolderEntry[], classNames: string[], o: object): string {
  const h = createHash('sha256');
  h.update(JSON.stringify({ v: VERSION, o, classNames }));
  for (const e of entries) h.update(`\n${e.file.path}\0${e.file.size ?? ''}\0${e.file.mtimeMs ?? ''}\0${e.label}\0${e.split}`);
  return h.digest('hex').slice(0, 32);
}

/** Pass 1: decode every image (RGB) into `rgbFile`; returns what was kept and whether any had colour. */
async function build(entries: FolderEntry[], decode: ImageDecoder, height: number, width: number, o: CacheOptions, rgbFile: string): Promise<{ kept: FolderEntry[]; skipped: Skipped[]; color: boolean }> {
  const px = height * width;
  const size = px * 3;
  const fd = openSync(rgbFile, 'w');
  const kept: FolderEntry[] = [];
  const skipped: Skipped[] = [];
  let color = false;
  try {
    for (let s = 0; s < entries.length; s += CHUNK) {
      const chunk = entries.slice(s, s + CHUNK);
      const bytes = await Promise.all(chunk.map((e) => e.file.read().catch(() => null)));
      const out = new Uint8Array(chunk.length * size);
      let n = 0;
      for (let k = 0; k < chunk.length; k++) {
        const b = bytes[k];
        if (!b) {
          skipped.push({ file: chunk[k].file.path, reason: 'could not be read' });
          continue;
        }
        try {
          const r = await decodeExample(b, chunk[k].file.path, decode, { height, width, channels: 3, resize: o.resize }, out, n * size);
          color ||= r.color;
        } catch (e) {
          skipped.push({ file: chunk[k].file.path, reason: `could not be decoded (truncated or damaged?): ${(e as Error).message}` });
          continue;
        }
        kept.push(chunk[k]);
        n++;
      }
      writeSync(fd, out, 0, n * size);
      o.onProgress?.(Math.min(entries.length, s + CHUNK), entries.length);
    }
  } finally {
    closeSync(fd);
  }
  return { kept, skipped, color };
}

/** Streams `rgbFile` into `out` as `channels` bytes per pixel (grey as the import makes it), with per-example sums. */
function finish(rgbFile: string, out: string, count: number, px: number, channels: 1 | 3): Float64Array {
  const sums = new Float64Array(count * channels * 2);
  const src = openSync(rgbFile, 'r');
  const dst = openSync(out, 'w');
  try {
    const per = Math.max(1, Math.floor((4 << 20) / (px * 3)));
    const buf = new Uint8Array(per * px * 3);
    const grey = new Uint8Array(per * px);
    for (let s = 0; s < count; s += per) {
      const n = Math.min(per, count - s);
      readFully(src, buf, n * px * 3, s * px * 3);
      for (let k = 0; k < n; k++) {
        const b = k * px * 3;
        const acc = (s + k) * channels * 2;
        for (let p = 0; p < px; p++) {
          if (channels === 3) {
            for (let c = 0; c < 3; c++) {
              const v = buf[b + p * 3 + c];
              sums[acc + c * 2] += v;
              sums[acc + c * 2 + 1] += v * v;
            }
          } else {
            const v = Math.round(0.299 * buf[b + p * 3] + 0.587 * buf[b + p * 3 + 1] + 0.114 * buf[b + p * 3 + 2]);
            grey[k * px + p] = v;
            sums[acc] += v;
            sums[acc + 1] += v * v;
          }
        }
      }
      writeSync(dst, channels === 3 ? buf : grey, 0, n * px * channels);
    }
  } finally {
    closeSync(src);
    closeSync(dst);
  }
  return sums;
}

function readFully(fd: number, buf: Uint8Array, length: number, position: number): void {
  let done = 0;
  while (done < length) {
    const n = readSync(fd, buf, done, length - done, position + done);
    if (n <= 0) throw new Error('the data cache file is shorter than its description');
    done += n;
  }
}

const readAt = (fd: number, buf: Uint8Array, off: number, len: number, pos: number) =>
  new Promise<number>((resolve, reject) => read(fd, buf, off, len, pos, (e, n) => (e ? reject(e) : resolve(n))));

/** A split of the cache file: example i of the split is stored example `pos[i]`. */
function view(fd: number, meta: Meta, pos: Uint32Array, stored: number[]): StreamedDataset {
  const [height, width, channels] = meta.shape;
  const size = height * width * channels;
  const labels = labelArray(pos.length, meta.classNames.length);
  pos.forEach((p, i) => (labels[i] = stored[p]));
  return {
    count: pos.length, height, width, channels, classes: meta.classNames.length, classNames: meta.classNames, labels, dtype: 'uint8',
    async read(indices) {
      const out = new Uint8Array(indices.length * size);
      // One positioned read per example, all in flight at once (libuv's pool works while training computes).
      const reads: Promise<number>[] = [];
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!(i >= 0 && i < pos.length)) throw new RangeError(`example ${i} is outside the dataset (0..${pos.length - 1})`);
        reads.push(readAt(fd, out, k * size, size, pos[i] * size));
      }
      const got = await Promise.all(reads);
      if (got.some((n) => n !== size)) throw new Error('the data cache file is shorter than its description: delete it and train again');
      return out;
    },
  };
}

function stats(sums: number[], pos: Uint32Array, c: number, px: number): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  for (let k = 0; k < c; k++) {
    let s = 0;
    let q = 0;
    for (const p of pos) {
      s += sums[(p * c + k) * 2];
      q += sums[(p * c + k) * 2 + 1];
    }
    const n = Math.max(1, pos.length * px);
    const m = s / n / 255;
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, q / n / 65025 - m * m)));
  }
  return { mean, std };
}

/**
 * An image folder (class sub-folders, optionally train/ + test/) as streamed train/test datasets
 * backed by a decode cache in `o.cacheDir` (default: a folder in the OS temp dir). The first call
 * decodes every image once; later calls with the same files and options open the cache at once.
 */
export async function cachedFolder(input: { files: SourceFile[]; dirs?: string[]; name: string }, decode: ImageDecoder, o: CacheOptions = {}): Promise<CachedFolder> {
  const { entries, classNames, skipped: layoutSkipped } = await folderEntries(input.files, input.dirs ?? []);
  if (!entries.length) throw new DataImportError(`${input.name}: no images`, layoutSkipped);
  const chosen = o.size ? { ...o.size, sizes: [] } : await commonSize(entries);
  const { height, width } = chosen;
  const testFraction = o.testFraction ?? 0.2;
  const seed = o.seed ?? 1;
  const dir = o.cacheDir ?? defaultCacheDir();
  mkdirSync(dir, { recursive: true });
  const key = cacheKey(entries, classNames, { height, width, color: o.color ?? 'auto', resize: o.resize ?? 'stretch' });
  const dataFile = join(dir, `${key}.u8`);
  const metaFile = join(dir, `${key}.json`);
  let meta: Meta | null = null;
  if (existsSync(metaFile) && existsSync(dataFile)) {
    try {
      const m = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
      if (m.version === VERSION && statSync(dataFile).size === m.labels.length * m.shape[0] * m.shape[1] * m.shape[2]) meta = m;
    } catch {
      meta = null;
    }
  }
  const fromCache = meta !== null;
  if (!meta) {
    const rgbFile = join(dir, `${key}.${process.pid}.rgb.tmp`);
    const tmpFile = join(dir, `${key}.${process.pid}.u8.tmp`);
    try {
      const { kept, skipped, color } = await build(entries, decode, height, width, o, rgbFile);
      const channels: 1 | 3 = o.color === 'gray' ? 1 : o.color === 'rgb' ? 3 : color ? 3 : 1;
      const sums = finish(rgbFile, tmpFile, kept.length, height * width, channels);
      meta = {
        version: VERSION, shape: [height, width, channels], classNames, labels: kept.map((e) => e.label), splits: kept.map((e) => e.split),
        skipped: [...layoutSkipped, ...skipped], sizes: chosen.sizes, sums: Array.from(sums),
      };
      renameSync(tmpFile, dataFile);
      writeFileSync(metaFile, JSON.stringify(meta));
    } finally {
      rmSync(rgbFile, { force: true });
      rmSync(tmpFile, { force: true });
    }
  }
  const m = meta;
  const present = new Set(m.labels);
  if (present.size < 2) throw new DataImportError(`${input.name}: only ${present.size} class(es) with usable images — a classifier needs at least two`, m.skipped);
  const stored = m.labels;
  const given = m.splits.includes('test');
  let trainPos: Uint32Array;
  let testPos: Uint32Array;
  if (given) {
    trainPos = Uint32Array.from(stored.keys()).filter((i) => m.splits[i] === 'train');
    testPos = Uint32Array.from(stored.keys()).filter((i) => m.splits[i] === 'test');
  } else {
    const split = stratifiedSplit(stored, classNames.length, testFraction, seed);
    trainPos = split.train;
    testPos = split.test;
  }
  const fd = openSync(dataFile, 'r');
  const train = view(fd, m, trainPos, stored);
  const test = view(fd, m, testPos, stored);
  const count = (pos: Uint32Array) => {
    const out = new Array<number>(classNames.length).fill(0);
    for (const p of pos) out[stored[p]]++;
    return out;
  };
  const { mean, std } = stats(m.sums, trainPos, m.shape[2], height * width);
  const norm = normalizationFrom({ mean, std }, o.normalization ?? 'unit');
  if (norm) for (const ds of [train, test]) Object.assign(ds, norm);
  const warnings = m.skipped.length ? [`${m.skipped.length} file(s) skipped, see the list`] : [];
  const summary: DatasetSummary = {
    name: input.name, format: 'images', classes: classNames, counts: { train: count(trainPos), test: count(testPos) }, shape: m.shape,
    train: trainPos.length, test: testPos.length, testSource: given ? 'given' : 'split', dtype: 'uint8', mean, std, sizes: m.sizes,
    duplicates: 0, skipped: m.skipped, warnings,
  };
  let open = true;
  return {
    data: { train, test }, summary, file: dataFile, fromCache,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
