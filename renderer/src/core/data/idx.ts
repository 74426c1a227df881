// IDX file parsing (the MNIST container format, also used by EMNIST, Fashion-MNIST, ...).
// Layout: 2 zero bytes, a dtype byte, a rank byte, `rank` big-endian uint32 dims, then the data
// in row-major order, multi-byte values big-endian.

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
export type IdxArray = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxTensor {
  dtype: IdxDtype;
  shape: number[];
  data: IdxArray;
}

export class IdxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdxError';
  }
}

const DTYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

/** True when the bytes start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses an uncompressed IDX file. `name` only appears in error messages. */
export function parseIdx(bytes: Uint8Array, name = 'IDX file'): IdxTensor {
  if (isGzip(bytes)) {
    throw new IdxError(`${name} is gzip-compressed; decode it with decodeIdx() (or gunzip it first)`);
  }
  if (bytes.length < 4) throw new IdxError(`${name} is truncated: ${bytes.length} bytes, no IDX header`);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw new IdxError(
      `${name} is not an IDX file: magic starts with 0x${hex(bytes[0])}${hex(bytes[1])}, expected 0x0000`,
    );
  }
  const type = DTYPES[bytes[2]];
  if (!type) throw new IdxError(`${name} has unknown IDX data type 0x${hex(bytes[2])}`);
  const rank = bytes[3];
  if (rank === 0) throw new IdxError(`${name} has rank 0 (no dimensions)`);
  const headerSize = 4 + 4 * rank;
  if (bytes.length < headerSize) {
    throw new IdxError(`${name} is truncated: header needs ${headerSize} bytes, file has ${bytes.length}`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d;
  }
  const expected = headerSize + count * type.size;
  if (bytes.length < expected) {
    throw new IdxError(
      `${name} is truncated: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, file has ${bytes.length}`,
    );
  }
  if (bytes.length > expected) {
    throw new IdxError(
      `${name} has ${bytes.length - expected} unexpected trailing bytes after shape [${shape.join(', ')}] of ${type.dtype}`,
    );
  }
  return { dtype: type.dtype, shape, data: readData(view, headerSize, count, type.dtype, bytes) };
}

function readData(view: DataView, off: number, n: number, dtype: IdxDtype, bytes: Uint8Array): IdxArray {
  switch (dtype) {
    case 'uint8':
      // A copy, so the (possibly large) file buffer can be freed.
      return bytes.slice(off, off + n);
    case 'int8':
      return new Int8Array(bytes.slice(off, off + n).buffer);
    case 'int16': {
      const a = new Int16Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getInt16(off + 2 * i, false);
      return a;
    }
    case 'int32': {
      const a = new Int32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getInt32(off + 4 * i, false);
      return a;
    }
    case 'float32': {
      const a = new Float32Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getFloat32(off + 4 * i, false);
      return a;
    }
    case 'float64': {
      const a = new Float64Array(n);
      for (let i = 0; i < n; i++) a[i] = view.getFloat64(off + 8 * i, false);
      return a;
    }
  }
}

/** Decompresses gzip bytes. Injectable so environments without DecompressionStream can supply one. */
export type Gunzip = (bytes: Uint8Array) => Promise<Uint8Array>;

/** Gunzip through the standard DecompressionStream (browsers, workers, Node ≥ 18). */
export const streamGunzip: Gunzip = async (bytes) => {
  if (typeof DecompressionStream === 'undefined') {
    throw new IdxError('this environment cannot decompress gzip (no DecompressionStream)');
  }
  const stream = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};

/** Parses IDX bytes that may be gzip-compressed (`.gz` files as distributed by most mirrors). */
export async function decodeIdx(bytes: Uint8Array, name = 'IDX file', gunzip: Gunzip = streamGunzip): Promise<IdxTensor> {
  if (!isGzip(bytes)) return parseIdx(bytes, name);
  let raw: Uint8Array;
  try {
    raw = await gunzip(bytes);
  } catch (e) {
    throw new IdxError(`${name} looks gzip-compressed but could not be decompressed: ${(e as Error).message}`);
  }
  return parseIdx(raw, name);
}

/** Encodes an IDX file (big-endian). Used for test fixtures and, later, dataset export. */
export function encodeIdx(t: IdxTensor): Uint8Array {
  const code = Number(Object.keys(DTYPES).find((k) => DTYPES[Number(k)].dtype === t.dtype));
  const size = DTYPES[code].size;
  const n = t.shape.reduce((a, b) => a * b, 1);
  if (t.data.length !== n) throw new IdxError(`encodeIdx: data has ${t.data.length} values, shape needs ${n}`);
  const head = 4 + 4 * t.shape.length;
  const out = new Uint8Array(head + n * size);
  const view = new DataView(out.buffer);
  out[2] = code;
  out[3] = t.shape.length;
  t.shape.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < n; i++) {
    const v = t.data[i];
    const o = head + i * size;
    if (t.dtype === 'uint8') view.setUint8(o, v);
    else if (t.dtype === 'int8') view.setInt8(o, v);
    else if (t.dtype === 'int16') view.setInt16(o, v, false);
    else if (t.dtype === 'int32') view.setInt32(o, v, false);
    else if (t.dtype === 'float32') view.setFloat32(o, v, false);
    else view.setFloat64(o, v, false);
  }
  return out;
}

function hex(b: number | undefined): string {
  return (b ?? 0).toString(16).padStart(2, '0');
}
