// What a file is, from its first bytes (extensions lie: a text file named .png is not a PNG), and
// an image's size from its header alone, so a header claiming 100000×100000 is refused before any
// decoder allocates for it.

export type ImageKind = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp';
export type FileKind = ImageKind | 'idx' | 'gzip' | 'npy' | 'zip' | 'text' | 'unknown';

const starts = (b: Uint8Array, sig: number[], at = 0) => sig.every((v, i) => b[at + i] === v);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

export function sniff(bytes: Uint8Array): FileKind {
  if (starts(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (starts(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (starts(bytes, ascii('GIF8'))) return 'gif';
  if (starts(bytes, ascii('BM')) && bytes.length > 26) return 'bmp';
  if (starts(bytes, ascii('RIFF')) && starts(bytes, ascii('WEBP'), 8)) return 'webp';
  if (starts(bytes, [0x1f, 0x8b])) return 'gzip';
  if (starts(bytes, [0x93, ...ascii('NUMPY')])) return 'npy';
  if (starts(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'zip';
  if (bytes.length >= 4 && bytes[0] === 0 && bytes[1] === 0 && bytes[2] >= 0x08 && bytes[2] <= 0x0e && bytes[3] >= 1 && bytes[3] <= 4) return 'idx';
  const head = bytes.subarray(0, 512);
  if (head.length && head.every((b) => b === 9 || b === 10 || b === 13 || (b >= 32 && b !== 127) || b >= 128)) return 'text';
  return 'unknown';
}

export const isImageKind = (k: FileKind): k is ImageKind => ['png', 'jpeg', 'gif', 'bmp', 'webp'].includes(k);

/** Width and height from the header, or null when the header is cut short or unreadable. */
export function imageSize(bytes: Uint8Array, kind: ImageKind): { width: number; height: number } | null {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ok = (n: number) => bytes.length >= n;
  switch (kind) {
    case 'png':
      return ok(24) ? { width: v.getUint32(16), height: v.getUint32(20) } : null;
    case 'gif':
      return ok(10) ? { width: v.getUint16(6, true), height: v.getUint16(8, true) } : null;
    case 'bmp':
      return ok(26) ? { width: Math.abs(v.getInt32(18, true)), height: Math.abs(v.getInt32(22, true)) } : null;
    case 'webp': {
      if (!ok(30)) return null;
      const chunk = String.fromCharCode(...bytes.subarray(12, 16));
      if (chunk === 'VP8X') return { width: 1 + (v.getUint32(24, true) & 0xffffff), height: 1 + (v.getUint32(27, true) & 0xffffff) };
      if (chunk === 'VP8L') {
        const b = v.getUint32(21, true);
        return { width: 1 + (b & 0x3fff), height: 1 + ((b >> 14) & 0x3fff) };
      }
      if (chunk === 'VP8 ') return { width: v.getUint16(26, true) & 0x3fff, height: v.getUint16(28, true) & 0x3fff };
      return null;
    }
    case 'jpeg': {
      let p = 2;
      while (p + 9 < bytes.length) {
        if (bytes[p] !== 0xff) return null;
        const m = bytes[p + 1];
        if (m === 0xff) {
          p++;
          continue;
        }
        // SOF0..SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) do not.
        if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return { height: v.getUint16(p + 5), width: v.getUint16(p + 7) };
        p += 2 + v.getUint16(p + 2);
      }
      return null;
    }
  }
}
