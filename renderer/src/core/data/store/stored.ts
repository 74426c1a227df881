// Stored datasets: writing an in-memory import to a folder (examples.bin, then dataset.json as the
// commit), opening one as streamed train/test splits with positioned reads, preview samples per
// class, and keeping the shelf small. Host-free: the bytes go through ByteFolder/ByteFile.
import { isStreamed, labelArray, type AnyDataset, type ImageDataset, type SourceData, type StreamedDataset } from '../arrays';
import type { ImportedDataset, ImportOptions } from '../sources/types';
import { displayBytes } from '../thumbnails';
import { EXAMPLES_FILE, META_FILE, STORE_VERSION, type ByteFile, type ByteFolder, type DatasetShelf, type StoredDatasetMeta, type StoredSplit } from './types';

/** Bytes written per call: big enough to be fast, small enough never to copy a whole dataset. */
const WRITE_BYTES = 4 << 20;
/** The file format is little-endian; every engine we run on is too, but say so rather than assume. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

const damaged = (what: string) => new Error(`the stored dataset is damaged (${what}): import it again`);

/** Bytes of one stored example. */
export function exampleBytes(meta: Pick<StoredDatasetMeta, 'shape' | 'dtype'>): number {
  return meta.shape[0] * meta.shape[1] * meta.shape[2] * (meta.dtype === 'float32' ? 4 : 1);
}

/** The little-endian bytes of `values` (a view where the platform is little-endian, else a swapped copy). */
function leBytes(values: Uint8Array | Float32Array): Uint8Array {
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  if (values instanceof Uint8Array || LITTLE_ENDIAN) return view;
  const out = new Uint8Array(view.length);
  for (let i = 0; i < view.length; i += 4) for (let k = 0; k < 4; k++) out[i + k] = view[i + 3 - k];
  return out;
}

/** Reads exactly `out.length` bytes at `at`; a short read means the file lost its tail. */
export async function readFully(file: ByteFile, at: number, out: Uint8Array): Promise<void> {
  let done = 0;
  while (done < out.length) {
    const n = await file.read(at + done, out.subarray(done));
    if (n <= 0) throw damaged('examples.bin is shorter than its description');
    done += n;
  }
}

/** Writes `values` at byte `at` in slices; returns the byte after them. */
export async function writeValues(file: ByteFile, at: number, values: Uint8Array | Float32Array): Promise<number> {
  const per = values instanceof Float32Array ? WRITE_BYTES / 4 : WRITE_BYTES;
  for (let s = 0; s < values.length; s += per) {
    const bytes = leBytes(values.subarray(s, s + per));
    await file.write(at, bytes);
    at += bytes.length;
  }
  return at;
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/**
 * Writes an in-memory import (any format) to `folder`: train examples then test examples in
 * examples.bin, flushed, then dataset.json — so a folder with a description always has its bytes.
 */
export async function storeImported(folder: ByteFolder, id: string, imported: ImportedDataset, options: ImportOptions, now = Date.now()): Promise<StoredDatasetMeta> {
  const { train, test } = imported.data;
  const dtype = train.images instanceof Uint8Array ? 'uint8' : 'float32';
  if ((test.images instanceof Uint8Array ? 'uint8' : 'float32') !== dtype) throw new Error('train and test examples must have one dtype');
  // A description left from an earlier import in this folder must not describe the new bytes.
  await folder.remove(META_FILE);
  const file = await folder.open(EXAMPLES_FILE, 'write');
  try {
    const at = await writeValues(file, 0, train.images);
    await writeValues(file, at, test.images);
    await file.flush();
  } finally {
    await file.close();
  }
  const meta: StoredDatasetMeta = {
    version: STORE_VERSION, id, createdAt: now, summary: imported.summary, options, dtype,
    shape: [train.height, train.width, train.channels], classNames: train.classNames ?? imported.summary.classes,
    stored: train.count + test.count,
    train: { pos: range(0, train.count), labels: Array.from(train.labels) },
    test: { pos: range(train.count, test.count), labels: Array.from(test.labels) },
    ...(train.scale !== undefined ? { scale: train.scale } : {}),
    ...(train.mean ? { mean: train.mean, std: train.std } : {}),
  };
  await folder.writeText(META_FILE, JSON.stringify(meta));
  return meta;
}

const isInt = (v: unknown, lo: number, hi: number): v is number => Number.isInteger(v) && (v as number) >= lo && (v as number) < hi;

/** dataset.json, checked: a missing, old or garbled description is an Error that says what to do. */
export async function readStoredMeta(folder: ByteFolder): Promise<StoredDatasetMeta> {
  const text = await folder.readText(META_FILE);
  if (text === null) throw new Error('this stored dataset has no description (dataset.json): its import did not finish — import it again');
  let m: StoredDatasetMeta;
  try {
    m = JSON.parse(text) as StoredDatasetMeta;
  } catch {
    throw damaged('dataset.json is not valid JSON');
  }
  if (!m || typeof m !== 'object') throw damaged('dataset.json is not an object');
  if (m.version !== STORE_VERSION) {
    throw new Error(`this dataset was stored in format ${String(m.version)}, this version of Netwright reads format ${STORE_VERSION}: import it again`);
  }
  const shapeOk = Array.isArray(m.shape) && m.shape.length === 3 && m.shape.every((d) => isInt(d, 1, 2 ** 31));
  if (!shapeOk || (m.dtype !== 'uint8' && m.dtype !== 'float32')) throw damaged('bad shape or dtype in dataset.json');
  if (!isInt(m.stored, 0, 2 ** 53) || !m.summary || !Array.isArray(m.classNames) || !m.classNames.length) throw damaged('dataset.json lacks its counts or classes');
  for (const s of [m.train, m.test]) {
    const ok = s && Array.isArray(s.pos) && Array.isArray(s.labels) && s.pos.length === s.labels.length
      && s.pos.every((p) => isInt(p, 0, m.stored)) && s.labels.every((l) => isInt(l, 0, m.classNames.length));
    if (!ok) throw damaged('a split in dataset.json does not match its examples');
  }
  return m;
}

/** One split as a StreamedDataset over the open examples file. */
function splitOf(file: ByteFile, meta: StoredDatasetMeta, split: StoredSplit): StreamedDataset {
  const [height, width, channels] = meta.shape;
  const bytes = exampleBytes(meta);
  const { pos } = split;
  const n = pos.length;
  const labels = labelArray(n, meta.classNames.length);
  split.labels.forEach((l, i) => (labels[i] = l));
  return {
    count: n, height, width, channels, classes: meta.classNames.length, classNames: meta.classNames, labels, dtype: meta.dtype,
    ...(meta.scale !== undefined ? { scale: meta.scale } : {}),
    ...(meta.mean ? { mean: meta.mean, std: meta.std } : {}),
    async read(indices) {
      for (let k = 0; k < indices.length; k++) {
        const i = indices[k];
        if (!isInt(i, 0, n)) throw new RangeError(`example ${i} is outside the dataset (0..${n - 1})`);
      }
      const out = new Uint8Array(indices.length * bytes);
      // One positioned read per run of neighbouring examples (evaluation reads in order), all in flight at once.
      const reads: Promise<void>[] = [];
      for (let k = 0; k < indices.length; ) {
        const start = pos[indices[k]];
        let run = 1;
        while (k + run < indices.length && pos[indices[k + run]] === start + run) run++;
        reads.push(readFully(file, start * bytes, out.subarray(k * bytes, (k + run) * bytes)));
        k += run;
      }
      await Promise.all(reads);
      if (meta.dtype === 'uint8') return out;
      if (!LITTLE_ENDIAN) for (let i = 0; i < out.length; i += 4) out.subarray(i, i + 4).reverse();
      return new Float32Array(out.buffer, 0, out.length / 4);
    },
  };
}

/** Both splits streamed (a SourceData whose splits are known to be StreamedDatasets). */
export type StoredData = SourceData & { train: StreamedDataset; test: StreamedDataset };

/**
 * Opens a stored dataset: the description checked, the examples file's size checked against it,
 * both splits streamed from the one file. `close` releases the file (reads fail after it).
 */
export async function openStored(folder: ByteFolder): Promise<{ meta: StoredDatasetMeta; data: StoredData; close(): Promise<void> }> {
  const meta = await readStoredMeta(folder);
  let file: ByteFile;
  try {
    file = await folder.open(EXAMPLES_FILE, 'read');
  } catch (e) {
    throw damaged(`examples.bin cannot be opened: ${(e as Error).message}`);
  }
  const want = meta.stored * exampleBytes(meta);
  const size = await file.size().catch(async (e: Error) => {
    await file.close().catch(() => undefined);
    throw damaged(`examples.bin cannot be measured: ${e.message}`);
  });
  if (size !== want) {
    await file.close();
    throw damaged(`examples.bin has ${size} bytes, its description says ${want}`);
  }
  return { meta, data: { train: splitOf(file, meta, meta.train), test: splitOf(file, meta, meta.test) }, close: () => file.close() };
}

/**
 * The first `perClass` examples of each class (class order, then index), as display bytes 0..255
 * for the preview grid; a streamed split is read with one call.
 */
export async function classSamples(ds: AnyDataset, perClass: number): Promise<{ label: number; index: number; pixels: Uint8Array }[]> {
  const taken = new Array<number>(ds.classes).fill(0);
  const picked: { label: number; index: number }[] = [];
  let full = 0;
  for (let i = 0; i < ds.count && full < ds.classes && perClass > 0; i++) {
    const label = ds.labels[i];
    if (taken[label] >= perClass) continue;
    picked.push({ label, index: i });
    if (++taken[label] === perClass) full++;
  }
  picked.sort((a, b) => a.label - b.label || a.index - b.index);
  const size = ds.height * ds.width * ds.channels;
  const values = isStreamed(ds) ? await ds.read(picked.map((p) => p.index)) : gather(ds, picked.map((p) => p.index));
  // slice(): each sample owns its bytes, so posting one never transfers the whole batch.
  return picked.map((p, k) => ({ ...p, pixels: displayBytes(values.subarray(k * size, (k + 1) * size), ds.scale ?? 1).slice() }));
}

function gather(ds: ImageDataset, indices: number[]): Uint8Array | Float32Array {
  const size = ds.height * ds.width * ds.channels;
  const out = ds.images instanceof Uint8Array ? new Uint8Array(indices.length * size) : new Float32Array(indices.length * size);
  indices.forEach((idx, k) => out.set(ds.images.subarray(idx * size, (idx + 1) * size), k * size));
  return out;
}

/**
 * Keeps the shelf small: removes folders without a readable description (unfinished or damaged
 * imports — so protect an import in progress) and all but the `keep` newest complete datasets by
 * createdAt. Ids in `protect` are never touched and do not count towards `keep`; a folder that cannot be
 * removed now (a file open elsewhere) is left for the next prune. Returns the removed ids.
 */
export async function pruneShelf(shelf: DatasetShelf, keep: number, protect: string[] = []): Promise<string[]> {
  const safe = new Set(protect);
  const complete: { id: string; createdAt: number }[] = [];
  const removed: string[] = [];
  // One folder that cannot go now (a file still open elsewhere) must not stop the rest.
  const remove = async (id: string) => {
    try {
      await shelf.remove(id);
      removed.push(id);
    } catch {
      // Tried again at the next prune.
    }
  };
  for (const id of await shelf.list()) {
    if (safe.has(id)) continue;
    const folder = await shelf.folder(id, false).catch(() => null);
    const meta = folder ? await readStoredMeta(folder).catch(() => null) : null;
    if (meta) complete.push({ id, createdAt: meta.createdAt });
    else await remove(id);
  }
  complete.sort((a, b) => b.createdAt - a.createdAt);
  for (const { id } of complete.slice(Math.max(0, keep))) await remove(id);
  return removed;
}
