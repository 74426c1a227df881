// Small helpers shared by the hosts. No DOM access at import time.
import type { FileFilter } from './host';

const encoder = new TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? encoder.encode(data) : data;
}

/**
 * A copy that owns exactly its bytes. Structured clone (IPC, postMessage) copies a view's whole
 * underlying buffer, so a small subarray of a big buffer would otherwise drag all of it along.
 */
export function compactBytes(data: Uint8Array): Uint8Array {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength ? data : data.slice();
}

/** Plain copies of filters: reactive (Proxy) objects from Vue state cannot cross IPC. */
export function plainFilters(filters: readonly FileFilter[] | undefined): FileFilter[] | undefined {
  return filters?.map((f) => ({ name: String(f.name), extensions: f.extensions.map(String) }));
}

export function isAbortError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'AbortError';
}
