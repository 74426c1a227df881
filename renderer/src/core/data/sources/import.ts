// One entry point for every format: `importDataset(files, options, deps)` looks at the files
// (NumPy, IDX, a table, or an image folder), parses them with the right source and returns the
// in-memory datasets with their summary. Pure: files, decoding and decompression are injected.
import { decodeIdx, IdxError, type IdxTensor } from '../idx';
import { assemble, type RawDataset, type RawSplit } from './assemble';
import { csvToRaw, featureShape } from './csv';
import { folderToRaw } from './folder';
import { NpyError, parseNpy, parseNpz, type NpyArray } from './npy';
import { sniff } from './sniff';
import { baseName, DataImportError, streamInflate, type ImportDeps, type ImportedDataset, type ImportOptions, type Skipped, type SourceFile } from './types';

export interface ImportInput {
  files: SourceFile[];
  /** Folders the picker saw (relative paths), so empty class folders can be reported. */
  dirs?: string[];
  /** Shown in the summary (the picked folder's or file's name). */
  name?: string;
}

const NUMPY = /\.(npy|npz)$/i;
const TABLE = /\.(csv|tsv|txt)$/i;
const IDX = /(idx\d|ubyte)(\.gz)?$/i;

type Format = 'npy' | 'idx' | 'csv' | 'images';

export function detectFormat(files: SourceFile[]): Format {
  if (files.some((f) => NUMPY.test(f.path))) return 'npy';
  if (files.some((f) => IDX.test(f.path))) return 'idx';
  const images = files.some((f) => /\.(png|jpe?g|gif|bmp|webp)$/i.test(f.path));
  if (!images && files.some((f) => TABLE.test(f.path))) return 'csv';
  return 'images';
}

export async function importDataset(input: ImportInput, options: ImportOptions = {}, deps: ImportDeps = {}): Promise<ImportedDataset> {
  const { files } = input;
  if (!files.length) throw new DataImportError('no files');
  const name = input.name ?? (files.length === 1 ? baseName(files[0].path) : files[0].path.split('/')[0]);
  const format = detectFormat(files);
  let raw: RawDataset;
  if (format === 'npy') raw = await numpyToRaw(files, name, options, deps);
  else if (format === 'idx') raw = await idxToRaw(files, name, deps);
  else if (format === 'csv') {
    const tables = files.filter((f) => TABLE.test(f.path));
    if (tables.length > 1) throw new DataImportError(`pick one table, not ${tables.length} (${tables.map((f) => f.path).join(', ')})`);
    raw = csvToRaw(new TextDecoder().decode(await tables[0].read()), tables[0].path, options);
  } else raw = await folderToRaw(files, input.dirs ?? [], name, options, deps);
  return assemble(raw, options);
}

// ------------------------------------------------------------------ IDX

const splitOfName = (p: string): 'train' | 'test' => (/t10k|test/i.test(baseName(p)) ? 'test' : 'train');

async function idxToRaw(files: SourceFile[], name: string, deps: ImportDeps): Promise<RawDataset> {
  const skipped: Skipped[] = [];
  const found: Record<'train' | 'test', { images?: IdxTensor; labels?: IdxTensor }> = { train: {}, test: {} };
  for (const f of files) {
    if (!IDX.test(f.path)) {
      skipped.push({ file: f.path, reason: 'not an IDX file' });
      continue;
    }
    let t: IdxTensor;
    try {
      t = await decodeIdx(await f.read(), f.path, deps.gunzip ?? streamInflate('gzip'));
    } catch (e) {
      if (!(e instanceof IdxError)) throw e;
      skipped.push({ file: f.path, reason: e.message });
      continue;
    }
    const slot = found[splitOfName(f.path)];
    if (t.shape.length === 1) slot.labels = t;
    else if (t.shape.length >= 3) slot.images = t;
    else skipped.push({ file: f.path, reason: `shape [${t.shape.join(', ')}] is neither images [N,H,W(,C)] nor labels [N]` });
  }
  const split = (which: 'train' | 'test'): { raw?: RawSplit; shape?: [number, number, number] } => {
    const { images, labels } = found[which];
    if (!images || !labels) return {};
    const [n, h, w, c = 1] = images.shape;
    if (labels.shape[0] !== n) {
      skipped.push({ file: `${which} pair`, reason: `${n} images but ${labels.shape[0]} labels` });
      return {};
    }
    return { raw: { pixels: toPixels(images.data), labels: Array.from(labels.data) }, shape: [h, w, c] };
  };
  const train = split('train');
  const test = split('test');
  if (!train.raw || !train.shape) throw new DataImportError(`${name}: needs a training images file and labels file that agree`, skipped);
  if (test.shape && test.shape.join() !== train.shape.join()) {
    skipped.push({ file: 'test pair', reason: `test images are ${test.shape.join('×')}, training images ${train.shape.join('×')}` });
    test.raw = undefined;
  }
  return { name, format: 'idx', shape: train.shape, train: train.raw, test: test.raw, skipped };
}

function toPixels(data: ArrayLike<number>): Uint8Array | Float32Array {
  if (data instanceof Uint8Array) return data;
  let bytes = true;
  for (let i = 0; i < data.length && bytes; i++) bytes = Number.isInteger(data[i]) && data[i] >= 0 && data[i] <= 255;
  return bytes ? Uint8Array.from(data) : Float32Array.from(data);
}

// ------------------------------------------------------------------ NumPy

async function numpyToRaw(files: SourceFile[], name: string, options: ImportOptions, deps: ImportDeps): Promise<RawDataset> {
  const skipped: Skipped[] = [];
  const arrays = new Map<string, NpyArray>();
  for (const f of files) {
    try {
      const bytes = await f.read();
      if (/\.npz$/i.test(f.path)) {
        if (sniff(bytes) !== 'zip') throw new NpyError(`${f.path} is not a zip archive`);
        for (const [k, a] of await parseNpz(bytes, f.path, deps.inflateRaw)) arrays.set(k, a);
      } else if (/\.npy$/i.test(f.path)) arrays.set(baseName(f.path).replace(/\.npy$/i, ''), parseNpy(bytes, f.path));
      else skipped.push({ file: f.path, reason: 'not a .npy or .npz file' });
    } catch (e) {
      if (!(e instanceof NpyError)) throw e;
      skipped.push({ file: f.path, reason: e.message });
    }
  }
  const pick = (...keys: string[]) => keys.map((k) => arrays.get(k)).find(Boolean);
  const x = pick('x_train', 'x', 'X', 'images', 'arr_0');
  const y = pick('y_train', 'y', 'Y', 'labels', 'arr_1');
  if (!x || !y) {
    throw new DataImportError(`${name}: needs arrays x and y (or x_train/y_train, arr_0/arr_1); found ${[...arrays.keys()].join(', ') || 'none usable'}`, skipped);
  }
  const train = npSplit(x, y, 'x', 'y', options);
  const xt = pick('x_test');
  const yt = pick('y_test');
  let test: ReturnType<typeof npSplit> | undefined;
  if (xt && yt) {
    try {
      test = npSplit(xt, yt, 'x_test', 'y_test', options);
      if (test.shape.join() !== train.shape.join()) throw new DataImportError(`x_test examples are ${test.shape.join('×')}, x ${train.shape.join('×')}`);
    } catch (e) {
      if (!(e instanceof DataImportError)) throw e;
      skipped.push({ file: 'x_test/y_test', reason: e.message });
      test = undefined;
    }
  }
  return { name, format: 'npy', shape: train.shape, train: train.raw, test: test?.raw, skipped };
}

function npSplit(x: NpyArray, y: NpyArray, xn: string, yn: string, options: ImportOptions): { raw: RawSplit; shape: [number, number, number] } {
  const n = x.shape[0];
  if (y.shape[0] !== n) throw new DataImportError(`${xn} has ${n} examples but ${yn} has ${y.shape[0]} labels`);
  if (y.shape.length > 2 || (y.shape.length === 2 && y.shape[1] !== 1)) throw new DataImportError(`${yn} must hold one label per example, its shape is (${y.shape.join(', ')})`);
  let shape: [number, number, number];
  if (x.shape.length === 3) shape = [x.shape[1], x.shape[2], 1];
  else if (x.shape.length === 4) shape = [x.shape[1], x.shape[2], x.shape[3]];
  else if (x.shape.length === 2) shape = featureShape(x.shape[1], options.shape);
  else throw new DataImportError(`${xn} must be (N, H, W), (N, H, W, C) or (N, features); its shape is (${x.shape.join(', ')})`);
  const labels = Array.from(y.data as ArrayLike<number>);
  const bad = labels.findIndex((v) => !Number.isInteger(v));
  if (bad >= 0) throw new DataImportError(`${yn}[${bad}] = ${labels[bad]} is not a class number`);
  return { raw: { pixels: x.descr.endsWith('u1') ? (x.data as Uint8Array) : Float32Array.from(x.data as ArrayLike<number>), labels }, shape };
}
