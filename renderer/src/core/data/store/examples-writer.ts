// The bookkeeping of the disk-backed folder import (folder-import.ts): chunking, the final write
// into examples.bin with the few numbers kept per example (channel sums, a content key), and the
// statistics and duplicate count computed from those numbers instead of from the pixels.
import type { ByteFile } from './types';

/** A chunk also stops at about this many bytes of files or of resized images. */
export const CHUNK_BYTES = 64 << 20;

/** Consecutive slices of `items`: at most `max` each, and at most CHUNK_BYTES of `bytes` where known. */
export function chunks<T>(items: T[], max: number, bytes: (t: T) => number): T[][] {
  const out: T[][] = [];
  let cur: T[] = [];
  let size = 0;
  for (const t of items) {
    if (cur.length && (cur.length >= max || size + bytes(t) > CHUNK_BYTES)) {
      out.push(cur);
      cur = [];
      size = 0;
    }
    cur.push(t);
    size += bytes(t);
  }
  if (cur.length) out.push(cur);
  return out;
}

let crcTable: Uint32Array | null = null;
function crc32Table(): Uint32Array {
  if (crcTable) return crcTable;
  crcTable = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    crcTable[n] = c >>> 0;
  }
  return crcTable;
}

/**
 * Content key of one example: FNV-1a and CRC-32, two unrelated 32-bit hashes as one 64-bit key. The
 * in-memory import compares colliding examples byte by byte; here that would mean reading them back,
 * so two distinct examples count as duplicates only if both hashes collide: about N²/2⁶⁵ expected
 * false pairs, 3·10⁻¹⁰ for 100k examples.
 */
function contentKey(ex: Uint8Array): bigint {
  const table = crc32Table();
  let h1 = 0x811c9dc5;
  let h2 = 0xffffffff;
  for (let p = 0; p < ex.length; p++) {
    h1 = Math.imul(h1 ^ ex[p], 0x01000193);
    h2 = table[(h2 ^ ex[p]) & 0xff] ^ (h2 >>> 8);
  }
  return (BigInt(h1 >>> 0) << 32n) | BigInt((h2 ^ 0xffffffff) >>> 0);
}

/** Writes RGB chunks to examples.bin as `channels` bytes per pixel, keeping per-example channel sums and content keys. */
export function finisher(out: ByteFile, px: number, max: number) {
  const sums = new Float64Array(max * 6);
  const keys = new BigUint64Array(max);
  let count = 0;
  return {
    get count() {
      return count;
    },
    sums,
    keys,
    async emit(rgb: Uint8Array, n: number, channels: 1 | 3): Promise<void> {
      const size = px * channels;
      const dst = channels === 3 ? rgb.subarray(0, n * size) : new Uint8Array(n * size);
      for (let k = 0; k < n; k++) {
        const b = k * px * 3;
        const acc = (count + k) * channels * 2;
        if (channels === 1) {
          // Exactly folder.ts's grey: weights on the rounded RGB bytes.
          for (let p = 0; p < px; p++) dst[k * px + p] = Math.round(0.299 * rgb[b + p * 3] + 0.587 * rgb[b + p * 3 + 1] + 0.114 * rgb[b + p * 3 + 2]);
        }
        const ex = dst.subarray(k * size, (k + 1) * size);
        for (let p = 0; p < size; p++) {
          const v = ex[p];
          const c = channels === 3 ? p % 3 : 0;
          sums[acc + c * 2] += v;
          sums[acc + c * 2 + 1] += v * v;
        }
        keys[count + k] = contentKey(ex);
      }
      await out.write(count * size, dst);
      count += n;
    },
  };
}

/** Per-channel mean/std of the model-range values (bytes/255) over stored examples `pos`, from the sums. */
export function statsOf(sums: Float64Array, pos: ArrayLike<number>, channels: number, px: number): { mean: number[]; std: number[] } {
  const mean: number[] = [];
  const std: number[] = [];
  const n = pos.length * px;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    let q = 0;
    for (let i = 0; i < pos.length; i++) {
      s += sums[(pos[i] * channels + c) * 2];
      q += sums[(pos[i] * channels + c) * 2 + 1];
    }
    const m = n ? s / n / 255 : 0;
    mean.push(m);
    std.push(Math.sqrt(Math.max(0, (n ? q / n / 65025 : 0) - m * m)));
  }
  return { mean, std };
}

export function countDuplicates(keys: BigUint64Array): number {
  const sorted = keys.slice().sort();
  let dup = 0;
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) dup++;
  return dup;
}
