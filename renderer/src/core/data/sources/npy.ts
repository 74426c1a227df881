// NumPy .npy arrays and .npz archives (a zip of .npy files, stored or deflated), the way Python
// users hand data around. Only what datasets need: numeric dtypes, C order; anything else is
// refused with its reason.
import { concatBytes } from '../arrays';
import { streamInflate, type Inflate } from './types';

export type NpyValues = Uint8Array | Float32Array | Int32Array | Float64Array;

export interface NpyArray {
  /** NumPy's descr, e.g. '|u1', '<f4'. */
  descr: string;
  shape: number[];
  /** uint8 stays uint8, float16/32/64 become Float32Array or Float64Array, integers Int32Array. */
  data: NpyValues;
}

export class NpyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NpyError';
  }
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

export function isNpy(bytes: Uint8Array): boolean {
  return MAGIC.every((b, i) => bytes[i] === b);
}

export function isZip(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
}

/** Parses one .npy file. `name` appears in error messages. */
export function parseNpy(bytes: Uint8Array, name = 'array.npy'): NpyArray {
  if (!isNpy(bytes)) throw new NpyError(`${name} is not a .npy file (no \\x93NUMPY magic)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6];
  const headerLen = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = major === 1 ? 10 : 12;
  if (bytes.length < start + headerLen) throw new NpyError(`${name} is truncated inside its header`);
  const header = new TextDecoder('latin1').decode(bytes.subarray(start, start + headerLen));
  const descr = /'descr'\s*:\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || !fortran || shapeText === undefined) throw new NpyError(`${name} has an unreadable header: ${header.trim()}`);
  if (fortran === 'True') throw new NpyError(`${name} is in Fortran order; save it with np.ascontiguousarray first`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new NpyError(`${name} has a bad shape (${shapeText})`);
  const n = shape.reduce((a, b) => a * b, 1);
  const kind = descr.slice(1);
  const little = descr[0] !== '>';
  const size = Number(kind.slice(1));
  const off = start + headerLen;
  const supported = /^(u1|i1|b1|[iu][248]|f[248])$/.test(kind);
  if (!supported) throw new NpyError(`${name} has unsupported dtype ${descr} (use uint8, integers or floats)`);
  if (bytes.length - off !== n * size) {
    throw new NpyError(`${name}: shape (${shape.join(', ')}) of ${descr} needs ${n * size} bytes of data, the file has ${bytes.length - off}`);
  }
  return { descr, shape, data: readValues(view, off, n, kind, little, bytes) };
}

function readValues(view: DataView, off: number, n: number, kind: string, le: boolean, bytes: Uint8Array): NpyValues {
  if (kind === 'u1' || kind === 'b1') return bytes.slice(off, off + n);
  if (kind === 'f4' || kind === 'f2' || kind === 'f8') {
    const out = kind === 'f8' ? new Float64Array(n) : new Float32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = kind === 'f4' ? view.getFloat32(off + 4 * i, le) : kind === 'f8' ? view.getFloat64(off + 8 * i, le) : half(view.getUint16(off + 2 * i, le));
    }
    return out;
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = off + i * Number(kind[1]);
    switch (kind) {
      case 'i1': out[i] = view.getInt8(p); break;
      case 'i2': out[i] = view.getInt16(p, le); break;
      case 'u2': out[i] = view.getUint16(p, le); break;
      case 'i4': out[i] = view.getInt32(p, le); break;
      case 'u4': out[i] = view.getUint32(p, le); break;
      // 64-bit labels: exact up to 2^53, which any class index is.
      default: out[i] = Number(kind === 'i8' ? view.getBigInt64(p, le) : view.getBigUint64(p, le));
    }
  }
  return out;
}

function half(h: number): number {
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  const s = h & 0x8000 ? -1 : 1;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** The entries of a zip archive (stored or deflated), by name. No zip64, no encryption. */
export async function readZip(bytes: Uint8Array, name = 'archive.zip', inflateRaw: Inflate = streamInflate('deflate-raw')): Promise<Map<string, Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new NpyError(`${name} is not a complete zip archive (no end-of-directory record; truncated?)`);
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  const out = new Map<string, Uint8Array>();
  for (let e = 0; e < entries; e++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw new NpyError(`${name} has a damaged zip directory`);
    const method = view.getUint16(p + 10, true);
    const csize = view.getUint32(p + 20, true);
    const nameLen = view.getUint16(p + 28, true);
    const skip = nameLen + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    const local = view.getUint32(p + 42, true);
    const entry = new TextDecoder().decode(bytes.subarray(p + 46, p + 46 + nameLen));
    p += 46 + skip;
    if (csize === 0xffffffff || local === 0xffffffff) throw new NpyError(`${name}: ${entry} needs zip64, which is not supported`);
    const dataAt = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataAt, dataAt + csize);
    if (raw.length !== csize) throw new NpyError(`${name}: ${entry} is truncated`);
    if (method === 0) out.set(entry, raw.slice());
    else if (method === 8) out.set(entry, await inflateRaw(raw));
    else throw new NpyError(`${name}: ${entry} uses zip compression method ${method}; only stored and deflate are supported`);
  }
  return out;
}

/** The arrays of an .npz file by name, without the .npy suffix. */
export async function parseNpz(bytes: Uint8Array, name = 'data.npz', inflateRaw?: Inflate): Promise<Map<string, NpyArray>> {
  const files = await readZip(bytes, name, inflateRaw);
  const out = new Map<string, NpyArray>();
  for (const [entry, data] of files) {
    if (entry.endsWith('/')) continue;
    out.set(entry.replace(/\.npy$/, ''), parseNpy(data, `${name}:${entry}`));
  }
  return out;
}

/** Writes a .npy file (v1, C order, little-endian). For test fixtures and export. */
export function encodeNpy(descr: '|u1' | '<f4' | '<i4' | '<i8' | '<c8' | '<f8', shape: number[], values: ArrayLike<number>): Uint8Array {
  const size = Number(descr.slice(2));
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${dims}), }`;
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const out = new Uint8Array(10 + header.length + values.length * size);
  out.set(MAGIC);
  out[6] = 1;
  const view = new DataView(out.buffer);
  view.setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  const off = 10 + header.length;
  for (let i = 0; i < values.length; i++) {
    const p = off + i * size;
    if (descr === '|u1') out[p] = values[i];
    else if (descr === '<f4') view.setFloat32(p, values[i], true);
    else if (descr === '<f8') view.setFloat64(p, values[i], true);
    else if (descr === '<i4') view.setInt32(p, values[i], true);
    else if (descr === '<i8') view.setBigInt64(p, BigInt(values[i]), true);
    else view.setFloat32(p + 4 * (i % 2), values[i], true); // complex64: real parts only; fixtures only
  }
  return out;
}

/** Writes a stored (uncompressed) zip. For test fixtures. */
export function encodeZip(files: { name: string; data: Uint8Array }[]): Uint8Array {
  const enc = new TextEncoder();
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const f of files) {
    const name = enc.encode(f.name);
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint32(18, f.data.length, true);
    lv.setUint32(22, f.data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const dir = new Uint8Array(46 + name.length);
    const dv = new DataView(dir.buffer);
    dv.setUint32(0, 0x02014b50, true);
    dv.setUint32(20, f.data.length, true);
    dv.setUint32(24, f.data.length, true);
    dv.setUint16(28, name.length, true);
    dv.setUint32(42, offset, true);
    dir.set(name, 46);
    parts.push(local, f.data);
    central.push(dir);
    offset += local.length + f.data.length;
  }
  const dirSize = central.reduce((a, b) => a + b.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, files.length, true);
  ev.setUint16(10, files.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  return concatBytes([...parts, ...central, end]);
}
