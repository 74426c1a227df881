// The safetensors format (no maintained npm writer): an 8-byte little-endian header length, a JSON
// header {name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?: {string: string}} padded
// with spaces to a multiple of 8, then the raw little-endian tensor bytes.
import { float32Bytes } from './common';

export type SafeTensor = { dtype: 'F32'; shape: number[]; values: Float32Array } | { dtype: 'I64'; shape: number[]; values: BigInt64Array };

export function writeSafetensors(tensors: Record<string, SafeTensor>, metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (t.values.length !== count) throw new Error(`safetensors: ${name} has ${t.values.length} values for shape [${t.shape.join(', ')}]`);
    let bytes: Uint8Array;
    if (t.dtype === 'F32') {
      bytes = float32Bytes(t.values);
    } else {
      bytes = new Uint8Array(count * 8);
      const view = new DataView(bytes.buffer);
      t.values.forEach((v, i) => view.setBigInt64(i * 8, v, true));
    }
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    chunks.push(bytes);
    offset += bytes.length;
  }
  let json = JSON.stringify(header);
  const encoder = new TextEncoder();
  while (encoder.encode(json).length % 8 !== 0) json += ' ';
  const head = encoder.encode(json);
  const out = new Uint8Array(8 + head.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let o = 8 + head.length;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/** Reads a safetensors file (F32 and I64 only): for tests and imports. */
export function readSafetensors(bytes: Uint8Array): { tensors: Record<string, SafeTensor>; metadata: Record<string, string> } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (8 + n > bytes.length) throw new Error('safetensors: the header is longer than the file');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<string, { dtype: string; shape: number[]; data_offsets: [number, number] }>;
  const base = 8 + n;
  const tensors: Record<string, SafeTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, h] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = h as unknown as Record<string, string>;
      continue;
    }
    const [begin, end] = h.data_offsets;
    const raw = bytes.slice(base + begin, base + end);
    if (h.dtype === 'F32') tensors[name] = { dtype: 'F32', shape: h.shape, values: new Float32Array(raw.buffer) };
    else if (h.dtype === 'I64') tensors[name] = { dtype: 'I64', shape: h.shape, values: new BigInt64Array(raw.buffer) };
    else throw new Error(`safetensors: ${name} has dtype ${h.dtype}, which this reader does not read`);
  }
  return { tensors, metadata };
}
