// A DatasetShelf in memory: the unit tests' shelf, and the fallback where the host has no disk
// storage (the dataset then lives as long as the page, like an in-memory import). Files are
// growable byte buffers; a folder is a map of names to files, so text and example files share one
// namespace as they do on disk.
import type { ByteFile, ByteFolder, DatasetShelf } from './types';

/** A growable buffer: capacity doubles, `length` is the file's size. */
class Bytes {
  data = new Uint8Array(0);
  length = 0;

  ensure(size: number): void {
    if (size <= this.data.length) return;
    const next = new Uint8Array(Math.max(size, this.data.length * 2, 4096));
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }
}

function fileOf(bytes: Bytes): ByteFile {
  let open = true;
  const live = () => {
    if (!open) throw new Error('the file is closed');
  };
  return {
    async read(at, out) {
      live();
      const n = Math.max(0, Math.min(out.length, bytes.length - at));
      out.set(bytes.data.subarray(at, at + n));
      return n;
    },
    async write(at, data) {
      live();
      bytes.ensure(at + data.length);
      // A write past the end leaves zeros in the gap, like a sparse file.
      if (at > bytes.length) bytes.data.fill(0, bytes.length, at);
      bytes.data.set(data, at);
      bytes.length = Math.max(bytes.length, at + data.length);
    },
    async size() {
      live();
      return bytes.length;
    },
    async truncate(size) {
      live();
      bytes.ensure(size);
      if (size > bytes.length) bytes.data.fill(0, bytes.length, size);
      bytes.length = size;
    },
    async flush() {
      live();
    },
    async close() {
      open = false;
    },
  };
}

function folderOf(files: Map<string, Bytes>): ByteFolder {
  return {
    async open(name, mode) {
      let bytes = files.get(name);
      if (mode === 'read') {
        if (!bytes) throw new Error(`${name}: no such file`);
      } else {
        bytes = new Bytes();
        files.set(name, bytes);
      }
      return fileOf(bytes);
    },
    async readText(name) {
      const bytes = files.get(name);
      return bytes ? new TextDecoder().decode(bytes.data.subarray(0, bytes.length)) : null;
    },
    async writeText(name, text) {
      // A new buffer replaces the old one whole: readers never see half a description.
      const bytes = new Bytes();
      const encoded = new TextEncoder().encode(text);
      bytes.data = encoded;
      bytes.length = encoded.length;
      files.set(name, bytes);
    },
    async remove(name) {
      files.delete(name);
    },
  };
}

/** A fresh, empty shelf in memory. */
export function memoryShelf(): DatasetShelf {
  const folders = new Map<string, Map<string, Bytes>>();
  return {
    async folder(id, create) {
      let files = folders.get(id);
      if (!files) {
        if (!create) return null;
        files = new Map();
        folders.set(id, files);
      }
      return folderOf(files);
    },
    async list() {
      return [...folders.keys()];
    },
    async remove(id) {
      folders.delete(id);
    },
  };
}
