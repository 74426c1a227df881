// An image folder read on demand: the listing and the labels now, each batch's images decoded
// from their files when training asks (ExampleSource-style `read`), so a folder larger than memory
// trains without being loaded whole. Same decoding as the import (folder.ts): straight RGBA →
// premultiplied RGB → resize (stretch/crop/pad) → bytes → grey or RGB. Pure: the files and the
// decoder are injected. Decoding per batch is slow (it runs on the training thread): the app and the
// CLI decode once into a stored dataset instead (../store/folder-import.ts) and stream from that;
// this stays as the bench's point of comparison (bench/data.ts --per-batch).
import { labelArray, type StreamedDataset } from '../arrays';
import { layout, resizeRgb, rgbOf } from './folder';
import { DataImportError, type ImageDecoder, type ResizePolicy, type Skipped, type SourceFile } from './types';

export interface FolderStreamOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  resize?: ResizePolicy;
}

export interface StreamedFolder {
  train: StreamedDataset;
  test?: StreamedDataset;
  classNames: string[];
  skipped: Skipped[];
}

export interface FolderEntry {
  file: SourceFile;
  /** Class index into `classNames`. */
  label: number;
  split: 'train' | 'test';
}

/** The folder's examples (class per sub-folder, optional train/ + test/), classes sorted like the import's. */
export async function folderEntries(files: SourceFile[], dirs: string[]): Promise<{ entries: FolderEntry[]; classNames: string[]; skipped: Skipped[] }> {
  const skipped: Skipped[] = [];
  const raw = await layout(files, dirs, skipped);
  const classNames = [...new Set(raw.map((e) => e.label))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (classNames.length < 2) throw new DataImportError(`an image folder needs at least two classes, found ${classNames.length}`, skipped);
  const classOf = new Map(classNames.map((n, i) => [n, i]));
  return { entries: raw.map((e) => ({ file: e.file, label: classOf.get(e.label)!, split: e.split })), classNames, skipped };
}

/** Pure: RGB bytes of a decoded-and-resized image → the stored bytes (RGB as is, or grey as the import makes it). */
export function storeBytes(rgb: ArrayLike<number>, px: number, channels: 1 | 3, out: Uint8Array, base: number): void {
  if (channels === 3) for (let p = 0; p < px * 3; p++) out[base + p] = Math.min(255, Math.max(0, Math.round(rgb[p])));
  else {
    for (let p = 0; p < px; p++) {
      const r = Math.min(255, Math.max(0, Math.round(rgb[p * 3])));
      const g = Math.min(255, Math.max(0, Math.round(rgb[p * 3 + 1])));
      const b = Math.min(255, Math.max(0, Math.round(rgb[p * 3 + 2])));
      out[base + p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    }
  }
}

/**
 * One file → its H×W×C bytes written into `out` at `base`; `color` says whether the image had any
 * colour (the import's grey/RGB choice). A file that cannot be decoded is a DataImportError naming it.
 */
export async function decodeExample(bytes: Uint8Array, path: string, decode: ImageDecoder, o: FolderStreamOptions, out: Uint8Array, base: number): Promise<{ color: boolean }> {
  const img = await decode(bytes, path).catch((e: Error) => {
    throw new DataImportError(`${path} could not be decoded: ${e.message}`);
  });
  if (!img.width || img.rgba.length !== img.width * img.height * 4) throw new DataImportError(`${path} could not be decoded: the decoder returned no pixels`);
  const { rgb, color } = rgbOf(img);
  storeBytes(resizeRgb(rgb, img.width, img.height, o.width, o.height, o.resize ?? 'stretch'), o.height * o.width, o.channels, out, base);
  return { color };
}

/**
 * Streams a class-per-folder image tree (optionally train/ + test/). Files are not checked up
 * front (that would read them all): a file that fails to decode during training is an error that
 * names it. Class names sort like the import's.
 */
export async function streamFolder(files: SourceFile[], dirs: string[], decode: ImageDecoder, o: FolderStreamOptions): Promise<StreamedFolder> {
  const { entries, classNames, skipped } = await folderEntries(files, dirs);
  const size = o.height * o.width * o.channels;
  const split = (which: 'train' | 'test'): StreamedDataset | undefined => {
    const mine = entries.filter((e) => e.split === which);
    if (!mine.length) return undefined;
    const labels = labelArray(mine.length, classNames.length);
    mine.forEach((e, i) => (labels[i] = e.label));
    return {
      count: mine.length, height: o.height, width: o.width, channels: o.channels, classes: classNames.length, classNames, labels, dtype: 'uint8',
      async read(indices) {
        const out = new Uint8Array(indices.length * size);
        // Reads in parallel (the disk and the OS cache work meanwhile); decodes in order.
        const bytes = await Promise.all(Array.from(indices, (i) => mine[i].file.read()));
        for (let k = 0; k < bytes.length; k++) await decodeExample(bytes[k], mine[indices[k]].file.path, decode, o, out, k * size);
        return out;
      },
    };
  };
  return { train: split('train')!, test: split('test'), classNames, skipped };
}
