// An image folder imported straight to a stored dataset: the disk-backed twin of importDataset for
// image folders (sources/folder.ts + assemble.ts), with the same summary and the same example
// bytes, holding only a chunk of files and decoded images at a time plus a few numbers per example
// (label, split, channel sums, content hash). Passes: (1) headers — sizes, skip reasons — with the
// usable files' bytes copied to a temp file (each source file is read once); (2) decode + resize a
// chunk at a time from that copy into an RGB temp file (read-back only when the grey/RGB
// choice waits on every image); (3) sequential conversion into examples.bin with per-example sums
// and hashes; then split, statistics, warnings and dataset.json last.
import type { ImageDecoder, ImportDeps, ImportOptions, Skipped } from '../sources/types';
import { DataImportError, ImportCancelled, baseName } from '../sources/types';
import { detectFormat, type ImportInput } from '../sources/import';
import { importWarnings, normalizationFrom, stratifiedSplit } from '../sources/assemble';
import { checkHeader, decodeInto, layout } from '../sources/folder';
import { concatBytes } from '../arrays';
import { CHUNK_BYTES, chunks, countDuplicates, finisher, statsOf } from './examples-writer';
import { readFully } from './stored';
import { EXAMPLES_FILE, META_FILE, STORE_VERSION, type ByteFile, type ByteFolder, type StoredDatasetMeta } from './types';

export interface StoreImportDeps extends ImportDeps {
  /** Images per chunk (files read at once, decoded images held); default 256. */
  chunk?: number;
}

type Entry = Awaited<ReturnType<typeof layout>>[number];

const CHUNK = 256;
/** folder.ts's default header limit. */
const DEFAULT_MAX_PIXELS = 50e6;
export const TEMP_FILE = 'rgb.tmp';
/** The usable files' encoded bytes, copied in pass 1 for pass 2. */
export const ENCODED_FILE = 'encoded.tmp';


/**
 * Imports an image folder into `folder` (examples.bin + dataset.json) without holding the images
 * in memory: the same summary and example bytes as `importDataset` on the same files and options.
 * Cancelled (deps.shouldCancel) → ImportCancelled, no dataset.json; the caller removes the folder.
 */
export async function importFolderToStore(input: ImportInput, options: ImportOptions, deps: StoreImportDeps, folder: ByteFolder, id: string, now = Date.now()): Promise<StoredDatasetMeta> {
  const { files } = input;
  if (!files.length) throw new DataImportError('no files');
  // Tables, IDX and NumPy are parsed whole anyway: importDataset + storeImported stores them.
  const format = detectFormat(files);
  if (format !== 'images') throw new DataImportError(`this is ${format === 'csv' ? 'a table' : `${format.toUpperCase()} data`}, not an image folder: import it with importDataset, then storeImported`);
  const decodeImage = deps.decodeImage;
  if (!decodeImage) throw new DataImportError('no image decoder in this environment');
  const decode: ImageDecoder = decodeImage;
  const name = input.name ?? (files.length === 1 ? baseName(files[0].path) : files[0].path.split('/')[0]);
  const cancelled = () => {
    if (deps.shouldCancel?.()) throw new ImportCancelled();
  };
  const max = Math.max(1, deps.chunk ?? CHUNK);
  await folder.remove(META_FILE);
  const skipped: Skipped[] = [];
  const entries = await layout(files, input.dirs ?? [], skipped);
  const total = entries.length * 2;
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;

  // Pass 1: headers (each chunk's files read at once, the usable ones copied to the temp file).
  // Each usable file's bytes are copied into a temp file as pass 1 reads them: pass 2 reads them
  // back from there (one positioned read a chunk) instead of from the picked files again — in a
  // browser every read of a picked file is a round trip to the browser process (~ms), a read of
  // our own OPFS file is not.
  const encoded = await folder.open(ENCODED_FILE, 'write');
  const checked: { entry: Entry; at: number; length: number }[] = [];
  const sizeCount = new Map<string, number>();
  let done = 0;
  let end = 0;
  try {
    for (const chunk of chunks(entries, max, (e) => e.file.size ?? 0)) {
      cancelled();
      const bytes = await Promise.all(chunk.map((e) => e.file.read()));
      const keep: Uint8Array[] = [];
      for (const [k, entry] of chunk.entries()) {
        cancelled();
        deps.onProgress?.({ done: done++, total, file: entry.file.path });
        const verdict = checkHeader(bytes[k], maxPixels);
        if (typeof verdict === 'string') {
          skipped.push({ file: entry.file.path, reason: verdict });
          continue;
        }
        checked.push({ entry, at: end + keep.reduce((a, b) => a + b.length, 0), length: bytes[k].length });
        keep.push(bytes[k]);
        const key = `${verdict.height}×${verdict.width}`;
        sizeCount.set(key, (sizeCount.get(key) ?? 0) + 1);
      }
      const joined = keep.length === 1 ? keep[0] : concatBytes(keep);
      await encoded.write(end, joined);
      end += joined.length;
    }
    return await decodeAll();
  } finally {
    await encoded.close();
    await folder.remove(ENCODED_FILE);
  }

  async function decodeAll(): Promise<StoredDatasetMeta> {
    const sizes = [...sizeCount].sort((a, b) => b[1] - a[1]).map(([k, count]) => {
      const [height, width] = k.split('×').map(Number);
      return { height, width, count };
    });
    if (!checked.length) throw new DataImportError(`${name}: no usable images`, skipped);
    const { height, width } = options.size ?? sizes[0];
    const px = height * width;
    const rgbSize = px * 3;
    const per = Math.max(1, Math.min(max, Math.floor(CHUNK_BYTES / rgbSize)));
    // Grey or RGB: known now when forced, else only after every image (then via the temp file).
    const forced = options.color === 'gray' ? 1 : options.color === 'rgb' ? 3 : 0;

    const out = await folder.open(EXAMPLES_FILE, 'write');
    let outOpen = true;
    let temp: ByteFile | null = null;
    let ok = false;
    try {
      if (!forced) temp = await folder.open(TEMP_FILE, 'write');
      const fin = finisher(out, px, checked.length);
      const kept: { label: string; split: 'train' | 'test' }[] = [];
      let anyColor = false;

      // Pass 2: decode and resize, a chunk of files at a time.
      done = entries.length;
      for (const chunk of chunks(checked, per, (c) => c.length)) {
        cancelled();
        const from = chunk[0].at;
        const span = new Uint8Array(chunk[chunk.length - 1].at + chunk[chunk.length - 1].length - from);
        await readFully(encoded, from, span);
        const bytes = chunk.map((c) => span.subarray(c.at - from, c.at - from + c.length));
        const rgb = new Uint8Array(chunk.length * rgbSize);
        let n = 0;
        for (const [k, { entry }] of chunk.entries()) {
          cancelled();
          deps.onProgress?.({ done: done++, total, file: entry.file.path });
          const r = await decodeInto(decode, bytes[k], entry.file.path, width, height, options, rgb, n * rgbSize);
          if (typeof r === 'string') {
            skipped.push({ file: entry.file.path, reason: r });
            continue;
          }
          anyColor ||= r;
          kept.push({ label: entry.label, split: entry.split });
          n++;
        }
        if (temp) await temp.write((kept.length - n) * rgbSize, rgb.subarray(0, n * rgbSize));
        else await fin.emit(rgb, n, forced as 1 | 3);
      }
      const channels: 1 | 3 = forced || (anyColor ? 3 : 1);

      // Pass 3 (auto colour only): the temp file → examples.bin, in order.
      if (temp) {
        const buf = new Uint8Array(per * rgbSize);
        for (let s = 0; s < kept.length; s += per) {
          cancelled();
          const n = Math.min(per, kept.length - s);
          await readFully(temp, s * rgbSize, buf.subarray(0, n * rgbSize));
          await fin.emit(buf, n, channels);
        }
      }
      await out.flush();

      // A class folder whose every image was skipped is an empty class: say so (as folder.ts does).
      const keptLabels = new Set(kept.map((e) => e.label));
      for (const l of new Set(entries.map((e) => e.label))) if (!keptLabels.has(l)) skipped.push({ file: `${l}/`, reason: 'class folder has no usable image' });
      if (!kept.length) throw new DataImportError(`${name}: no usable examples`, skipped);
      const classes = [...keptLabels].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
      if (classes.length < 2) throw new DataImportError(`${name}: only one class (${classes[0]}) — a classifier needs at least two`, skipped);

      // Splits: the data's own test/, else assemble's stratified seeded split.
      const index = new Map(classes.map((c, i) => [c, i]));
      const labels = kept.map((e) => index.get(e.label)!);
      const given = kept.some((e) => e.split === 'test');
      let trainPos: number[];
      let testPos: number[];
      if (given) {
        trainPos = [...kept.keys()].filter((i) => kept[i].split === 'train');
        testPos = [...kept.keys()].filter((i) => kept[i].split === 'test');
      } else {
        const split = stratifiedSplit(labels, classes.length, options.testFraction ?? 0.2, options.seed ?? 1);
        trainPos = Array.from(split.train);
        testPos = Array.from(split.test);
      }
      const countsOf = (pos: number[]) => {
        const c = new Array<number>(classes.length).fill(0);
        for (const p of pos) c[labels[p]]++;
        return c;
      };
      const stats = statsOf(fin.sums, trainPos, channels, px);
      const norm = normalizationFrom(stats, options.normalization ?? 'unit');
      const counts = { train: countsOf(trainPos), test: countsOf(testPos) };
      const duplicates = countDuplicates(fin.keys.subarray(0, fin.count));
      const meta: StoredDatasetMeta = {
        version: STORE_VERSION, id, createdAt: now, options, dtype: 'uint8', shape: [height, width, channels], classNames: classes, stored: kept.length,
        summary: {
          name, format: 'images', classes, counts, shape: [height, width, channels], train: trainPos.length, test: testPos.length,
          testSource: given ? 'given' : 'split', dtype: 'uint8', mean: stats.mean, std: stats.std, sizes: sizes.slice(0, 5), duplicates, skipped,
          warnings: importWarnings(classes, counts.train, counts.test, duplicates, skipped.length),
        },
        train: { pos: trainPos, labels: trainPos.map((p) => labels[p]) },
        test: { pos: testPos, labels: testPos.map((p) => labels[p]) },
        ...(norm ?? {}),
      };
      outOpen = false;
      await out.close();
      await folder.writeText(META_FILE, JSON.stringify(meta));
      ok = true;
      return meta;
    } finally {
      await temp?.close();
      if (outOpen) await out.close();
      if (temp) await folder.remove(TEMP_FILE);
      // No description was written: the half-written examples go too.
      if (!ok) await folder.remove(EXAMPLES_FILE);
    }
  }
}
