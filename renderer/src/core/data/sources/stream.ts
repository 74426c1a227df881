// An image folder read on demand: the listing and the labels now, each batch's images decoded
// from their files when training asks (ExampleSource-style `read`), so a folder larger than memory
// trains without being loaded whole. Same decoding as the import (folder.ts): straight RGBA →
// premultiplied RGB → resize (stretch/crop/pad) → bytes → grey or RGB. Pure: the files and the
// decoder are injected (Node: fs + pngjs/jpeg-js in the CLI).
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

/**
 * Streams a class-per-folder image tree (optionally train/ + test/). Files are not checked up
 * front (that would read them all): a file that fails to decode during training is an error that
 * names it. Class names sort like the import's.
 */
export async function streamFolder(files: SourceFile[], dirs: string[], decode: ImageDecoder, o: FolderStreamOptions): Promise<StreamedFolder> {
  const skipped: Skipped[] = [];
  const entries = await layout(files, dirs, skipped);
  const classNames = [...new Set(entries.map((e) => e.label))].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (classNames.length < 2) throw new DataImportError(`an image folder needs at least two classes, found ${classNames.length}`, skipped);
  const classOf = new Map(classNames.map((n, i) => [n, i]));
  const size = o.height * o.width * o.channels;
  const split = (which: 'train' | 'test'): StreamedDataset | undefined => {
    const mine = entries.filter((e) => e.split === which);
    if (!mine.length) return undefined;
    const labels = labelArray(mine.length, classNames.length);
    mine.forEach((e, i) => (labels[i] = classOf.get(e.label)!));
    return {
      count: mine.length, height: o.height, width: o.width, channels: o.channels, classes: classNames.length, classNames, labels, dtype: 'uint8',
      async read(indices) {
        const out = new Uint8Array(indices.length * size);
        // Reads in parallel (the disk and the OS cache work meanwhile); decodes in order.
        const bytes = await Promise.all(Array.from(indices, (i) => mine[i].file.read()));
        for (let k = 0; k < bytes.length; k++) {
          const file = mine[indices[k]].file.path;
          const img = await decode(bytes[k], file).catch((e: Error) => {
            throw new DataImportError(`${file} could not be decoded: ${e.message}`);
          });
          const rgb = resizeRgb(rgbOf(img).rgb, img.width, img.height, o.width, o.height, o.resize ?? 'stretch');
          const px = o.height * o.width;
          const base = k * size;
          if (o.channels === 3) for (let p = 0; p < px * 3; p++) out[base + p] = Math.min(255, Math.max(0, Math.round(rgb[p])));
          else {
            for (let p = 0; p < px; p++) {
              const r = Math.min(255, Math.max(0, Math.round(rgb[p * 3])));
              const g = Math.min(255, Math.max(0, Math.round(rgb[p * 3 + 1])));
              const b = Math.min(255, Math.max(0, Math.round(rgb[p * 3 + 2])));
              out[base + p] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
            }
          }
        }
        return out;
      },
    };
  };
  return { train: split('train')!, test: split('test'), classNames, skipped };
}
