// Generated dataset fixtures for the data-source and CLI tests: PNG/JPEG images of coloured
// shapes, IDX pairs, .npy/.npz archives and tables, written to memory or to a temp folder.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { seededRandom } from '../../../renderer/src/core/data/dataset';
import type { SourceFile } from '../../../renderer/src/core/data/sources';

export function png(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const img = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      const p = (y * width + x) * 4;
      img.data[p] = r;
      img.data[p + 1] = g;
      img.data[p + 2] = b;
      img.data[p + 3] = 255;
    }
  }
  return new Uint8Array(PNG.sync.write(img));
}

export function jpg(width: number, height: number, pixel: (x: number, y: number) => [number, number, number]): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      data.set([r, g, b, 255], (y * width + x) * 4);
    }
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 95).data);
}

/** A learnable colour task: class k is a bar in colour k at a random position on a dark noisy field. */
export const SHAPE_CLASSES = ['red', 'green', 'blue'] as const;
const COLOURS: [number, number, number][] = [[220, 40, 40], [40, 200, 40], [50, 60, 230]];

export function shapeImage(k: number, size: number, rnd: () => number): (x: number, y: number) => [number, number, number] {
  const horizontal = k === 1;
  const at = Math.floor(rnd() * (size - 4)) + 2;
  return (x, y) => {
    const on = horizontal ? Math.abs(y - at) <= 1 : k === 0 ? Math.abs(x - at) <= 1 : Math.abs(x - y) <= 1;
    const n = Math.floor(rnd() * 30);
    return on ? COLOURS[k] : [n, n, n];
  };
}

/** An image folder: `perClass` images of each class, sizes mixed (most 16×16, some 20×18). */
export function shapeFolder(perClass: number, seed = 1, prefix = ''): Map<string, Uint8Array> {
  const rnd = seededRandom(seed);
  const files = new Map<string, Uint8Array>();
  SHAPE_CLASSES.forEach((name, k) => {
    for (let i = 0; i < perClass; i++) {
      const odd = i % 5 === 4;
      const [w, h] = odd ? [20, 18] : [16, 16];
      const f = shapeImage(k, Math.min(w, h), rnd);
      files.set(`${prefix}${name}/${i}.${i % 7 === 3 ? 'jpg' : 'png'}`, i % 7 === 3 ? jpg(w, h, f) : png(w, h, f));
    }
  });
  return files;
}

/** A PNG whose IHDR claims width × height (with nothing behind it). */
export function pngHeader(width: number, height: number): Uint8Array {
  const b = new Uint8Array(33);
  b.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const v = new DataView(b.buffer);
  v.setUint32(16, width);
  v.setUint32(20, height);
  b.set([8, 6, 0, 0, 0], 24);
  return b;
}

export function sourceFiles(files: Map<string, Uint8Array>): SourceFile[] {
  return [...files].map(([path, data]) => ({ path, size: data.length, read: async () => data }));
}

export function writeTree(root: string, files: Map<string, Uint8Array | string>): void {
  for (const [path, data] of files) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), data);
  }
}

/** A zip whose entries are deflated (as np.savez_compressed writes them). */
export function deflatedZip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const parts: Buffer[] = [];
  const dir: Buffer[] = [];
  let offset = 0;
  for (const f of files) {
    const comp = deflateRawSync(f.data);
    const name = Buffer.from(f.name);
    const local = Buffer.alloc(30 + name.length);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(comp.length, 18);
    local.writeUInt32LE(f.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    name.copy(local, 30);
    const c = Buffer.alloc(46 + name.length);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(8, 10);
    c.writeUInt32LE(comp.length, 20);
    c.writeUInt32LE(f.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(offset, 42);
    name.copy(c, 46);
    parts.push(local, comp);
    dir.push(c);
    offset += local.length + comp.length;
  }
  const size = dir.reduce((a, b) => a + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(size, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, ...dir, end]));
}

/** Shifted bars as flat rows: class k has a bright bar at row/column band k of an s×s image. */
export function barRows(n: number, classes: number, s: number, seed = 2): { x: Uint8Array; y: number[] } {
  const rnd = seededRandom(seed);
  const x = new Uint8Array(n * s * s);
  const y: number[] = [];
  for (let i = 0; i < n; i++) {
    const k = i % classes;
    y.push(k);
    const vertical = k % 2 === 0;
    const band = Math.floor(k / 2) * 2 + Math.floor(rnd() * 2);
    for (let r = 0; r < s; r++) {
      for (let c = 0; c < s; c++) {
        const on = vertical ? c === band || c === band + 1 : r === band || r === band + 1;
        x[i * s * s + r * s + c] = on ? 200 + Math.floor(rnd() * 55) : Math.floor(rnd() * 40);
      }
    }
  }
  return { x, y };
}
