// Image folders: one sub-folder per class (optionally under train/ and test/), or images plus an
// index CSV (file, label). Every image is checked by its header before decoding (kind, size limit),
// decoded by the injected decoder, resized to one size (stretch, crop or pad) and kept as bytes,
// grey or RGB. Anything unusable is listed with its reason; the rest imports.
import { resampleArea, type RgbaImage } from '../image-input';
import type { RawDataset, RawSplit } from './assemble';
import { parseRows } from './csv';
import { imageSize, isImageKind, sniff } from './sniff';
import { DataImportError, ImportCancelled, type ImageDecoder, type ImportDeps, type ImportOptions, type ResizePolicy, type Skipped, type SourceFile } from './types';

const IMAGE_EXT = /\.(png|jpe?g|gif|bmp|webp)$/i;
const TRAIN = /^(train|training)$/i;
const TEST = /^(test|testing)$/i;
const DEFAULT_MAX_PIXELS = 50e6;

interface Entry {
  file: SourceFile;
  label: string;
  split: 'train' | 'test';
}

/** Which files are examples of which class and split; the rest are listed as skipped. */
export async function layout(files: SourceFile[], dirs: string[], skipped: Skipped[]): Promise<Entry[]> {
  // Paths are relative to the picked folder (hosts strip the folder's own name).
  const relFiles = files.map((f) => f.path.replace(/^\/+/, ''));
  const relDirs = dirs;
  const index = files.findIndex((f, i) => /\.(csv|tsv)$/i.test(f.path) && !relFiles[i].includes('/'));
  if (index >= 0) return byIndex(files, relFiles, index, skipped);
  const top = new Set(relFiles.map((p) => p.split('/')[0]));
  const splits = [...top].some((t) => TRAIN.test(t)) && [...top].some((t) => TEST.test(t));
  const entries: Entry[] = [];
  const perClass = new Map<string, number>();
  files.forEach((file, i) => {
    const parts = relFiles[i].split('/');
    const [split, rest] = splits && (TRAIN.test(parts[0]) || TEST.test(parts[0])) ? [TEST.test(parts[0]) ? 'test' : 'train', parts.slice(1)] as const : ['train', parts] as const;
    if (rest.length < 2) return skipped.push({ file: file.path, reason: 'not inside a class folder' });
    if (!IMAGE_EXT.test(file.path)) return skipped.push({ file: file.path, reason: 'not an image file (.png, .jpg, .gif, .bmp, .webp)' });
    const label = rest[rest.length - 2];
    perClass.set(label, (perClass.get(label) ?? 0) + 1);
    entries.push({ file, label, split });
  });
  // Class folders with no image at all (only visible where the picker lists folders).
  for (const d of relDirs) {
    const parts = d.split('/').filter(Boolean);
    const name = parts[parts.length - 1];
    const isClassDir = parts.length === (splits ? 2 : 1) && !(splits && parts.length === 1);
    if (name && isClassDir && !perClass.has(name)) skipped.push({ file: `${d}/`, reason: 'empty class folder' });
  }
  return entries;
}

async function byIndex(files: SourceFile[], rel: string[], index: number, skipped: Skipped[]): Promise<Entry[]> {
  const text = new TextDecoder().decode(await files[index].read());
  const { rows } = parseRows(text);
  const byPath = new Map(rel.map((p, i) => [p, files[i]]));
  // A header names its columns (file, label); a data row names a file that exists or has an extension.
  const first = rows[0]?.[0]?.trim() ?? '';
  const body = !byPath.has(first) && !/\.\w+$/.test(first) ? rows.slice(1) : rows;
  const used = new Set<SourceFile>([files[index]]);
  const entries: Entry[] = [];
  body.forEach((row, r) => {
    const [name, label, split] = row.map((c) => c.trim());
    const file = byPath.get(name);
    if (!name || !label) return skipped.push({ file: `${files[index].path}: row ${r + 1}`, reason: 'needs a file and a label' });
    if (!file) return skipped.push({ file: name, reason: `listed in ${files[index].path} but not found` });
    used.add(file);
    entries.push({ file, label, split: split && TEST.test(split) ? 'test' : 'train' });
  });
  for (const f of files) if (!used.has(f)) skipped.push({ file: f.path, reason: 'not listed in the index' });
  return entries;
}

/** Resizes an RGB float image to h×w: stretch, crop (cover then centre-crop) or pad (fit then centre, black border). */
export function resizeRgb(src: Float32Array, sw: number, sh: number, w: number, h: number, policy: ResizePolicy): Float32Array {
  if (sw === w && sh === h) return src;
  if (policy === 'stretch') return resampleArea(src, sw, sh, 3, w, h);
  const s = policy === 'crop' ? Math.max(w / sw, h / sh) : Math.min(w / sw, h / sh);
  const nw = Math.max(1, Math.round(sw * s));
  const nh = Math.max(1, Math.round(sh * s));
  const scaled = resampleArea(src, sw, sh, 3, nw, nh);
  const out = new Float32Array(w * h * 3);
  const ox = (nw - w) >> 1;
  const oy = (nh - h) >> 1;
  for (let y = 0; y < h; y++) {
    const sy = y + oy;
    if (sy < 0 || sy >= nh) continue;
    for (let x = 0; x < w; x++) {
      const sx = x + ox;
      if (sx < 0 || sx >= nw) continue;
      for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = scaled[(sy * nw + sx) * 3 + c];
    }
  }
  return out;
}

export function rgbOf(img: RgbaImage): { rgb: Float32Array; color: boolean } {
  const n = img.width * img.height;
  const rgb = new Float32Array(n * 3);
  let color = false;
  for (let i = 0; i < n; i++) {
    const a = img.rgba[i * 4 + 3] / 255;
    const r = img.rgba[i * 4] * a;
    const g = img.rgba[i * 4 + 1] * a;
    const b = img.rgba[i * 4 + 2] * a;
    if (!color && (Math.abs(r - g) > 2 || Math.abs(g - b) > 2)) color = true;
    rgb[i * 3] = r;
    rgb[i * 3 + 1] = g;
    rgb[i * 3 + 2] = b;
  }
  return { rgb, color };
}

/** Pass 1's verdict on one file from its bytes alone: a skip reason, or its size. */
export function checkHeader(bytes: Uint8Array, maxPixels: number): string | { width: number; height: number } {
  const kind = sniff(bytes);
  if (!isImageKind(kind)) return `not an image: its content is ${kind === 'text' ? 'text' : 'not PNG, JPEG, GIF, BMP or WebP'}`;
  const size = imageSize(bytes, kind);
  if (!size || !size.width || !size.height) return `truncated or damaged ${kind.toUpperCase()} header`;
  if (size.width * size.height > maxPixels) {
    return `header claims ${size.width}×${size.height} (${((size.width * size.height) / 1e6).toFixed(0)} MP), over the ${maxPixels / 1e6} MP limit`;
  }
  return size;
}

/** Decode + resize one file to RGB bytes at `out[base..]`; returns a skip reason or whether it had colour. */
export async function decodeInto(decode: ImageDecoder, bytes: Uint8Array, path: string, width: number, height: number, o: ImportOptions, out: Uint8Array, base: number): Promise<string | boolean> {
  let img;
  try {
    img = await decode(bytes, path);
    if (img.rgba.length !== img.width * img.height * 4 || !img.width) throw new Error('the decoder returned no pixels');
  } catch (e) {
    return `could not be decoded (truncated or damaged?): ${(e as Error).message}`;
  }
  const { rgb, color } = rgbOf(img);
  const resized = resizeRgb(rgb, img.width, img.height, width, height, o.resize ?? 'stretch');
  for (let p = 0; p < resized.length; p++) out[base + p] = Math.min(255, Math.max(0, Math.round(resized[p])));
  return color;
}

/** Decodes and resizes the folder's images into raw examples. */
export async function folderToRaw(files: SourceFile[], dirs: string[], name: string, options: ImportOptions, deps: ImportDeps): Promise<RawDataset> {
  const { decodeImage } = deps;
  if (!decodeImage) throw new DataImportError('no image decoder in this environment');
  const skipped: Skipped[] = [];
  const entries = await layout(files, dirs, skipped);
  const maxPixels = options.maxPixels ?? DEFAULT_MAX_PIXELS;
  // Pass 1: headers only (kind, size): cheap, and sets the target size.
  const checked: { entry: Entry; bytes: Uint8Array; width: number; height: number }[] = [];
  const sizes = new Map<string, number>();
  for (const [i, entry] of entries.entries()) {
    if (deps.shouldCancel?.()) throw new ImportCancelled();
    deps.onProgress?.({ done: i, total: entries.length * 2, file: entry.file.path });
    const bytes = await entry.file.read();
    const size = checkHeader(bytes, maxPixels);
    if (typeof size === 'string') {
      skipped.push({ file: entry.file.path, reason: size });
      continue;
    }
    checked.push({ entry, bytes, ...size });
    const key = `${size.height}×${size.width}`;
    sizes.set(key, (sizes.get(key) ?? 0) + 1);
  }
  const bySize = [...sizes].sort((a, b) => b[1] - a[1]).map(([k, count]) => {
    const [height, width] = k.split('×').map(Number);
    return { height, width, count };
  });
  if (!checked.length) throw new DataImportError(`${name}: no usable images`, skipped);
  const { height, width } = options.size ?? bySize[0];
  // Pass 2: decode, resize, keep RGB bytes; the grey/RGB decision needs every image.
  const examples: { rgb: Uint8Array; label: string; split: 'train' | 'test' }[] = [];
  let anyColor = false;
  for (const [i, c] of checked.entries()) {
    if (deps.shouldCancel?.()) throw new ImportCancelled();
    deps.onProgress?.({ done: entries.length + i, total: entries.length * 2, file: c.entry.file.path });
    const rgb = new Uint8Array(width * height * 3);
    const color = await decodeInto(decodeImage, c.bytes, c.entry.file.path, width, height, options, rgb, 0);
    if (typeof color === 'string') {
      skipped.push({ file: c.entry.file.path, reason: color });
      continue;
    }
    anyColor ||= color;
    examples.push({ rgb, label: c.entry.label, split: c.entry.split });
  }
  const channels = options.color === 'gray' ? 1 : options.color === 'rgb' ? 3 : anyColor ? 3 : 1;
  const splitOf = (which: 'train' | 'test'): RawSplit => {
    const mine = examples.filter((e) => e.split === which);
    const px = height * width;
    const pixels = new Uint8Array(mine.length * px * channels);
    mine.forEach((e, k) => {
      if (channels === 3) pixels.set(e.rgb, k * px * 3);
      else for (let i = 0; i < px; i++) pixels[k * px + i] = Math.round(0.299 * e.rgb[i * 3] + 0.587 * e.rgb[i * 3 + 1] + 0.114 * e.rgb[i * 3 + 2]);
    });
    return { pixels, labels: mine.map((e) => e.label) };
  };
  // A class folder whose every image was skipped is an empty class: say so.
  const kept = new Set(examples.map((e) => e.label));
  for (const l of new Set(entries.map((e) => e.label))) if (!kept.has(l)) skipped.push({ file: `${l}/`, reason: 'class folder has no usable image' });
  const test = splitOf('test');
  return { name, format: 'images', shape: [height, width, channels], train: splitOf('train'), test: test.labels.length ? test : undefined, skipped, sizes: bySize.slice(0, 5) };
}
