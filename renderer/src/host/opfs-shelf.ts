// Stored datasets in the origin private file system (OPFS): `datasets/<id>/examples.bin` +
// `dataset.json` (core/data/store). OPFS is the browser's own disk storage for this origin; in the
// desktop app it lives inside the app's data folder (Electron keeps its session storage there).
// Two ways in: workers use synchronous access handles (positioned reads and writes without a
// round trip, fast enough for a batch of single-example reads); the UI thread, where those do not
// exist, reads through File slices (a few preview images) and never writes examples.
import type { ByteFile, ByteFolder, DatasetShelf } from '../core/data/store/types';

/** The parts of a sync access handle we use (lib.dom lacks the `mode` option on older typings). */
interface SyncHandle {
  read(buffer: Uint8Array, options?: { at?: number }): number;
  write(buffer: Uint8Array, options?: { at?: number }): number;
  getSize(): number;
  truncate(size: number): void;
  flush(): void;
  close(): void;
}
type SyncCapable = FileSystemFileHandle & { createSyncAccessHandle?(options?: { mode?: 'readwrite' | 'read-only' | 'readwrite-unsafe' }): Promise<SyncHandle> };
type Dir = FileSystemDirectoryHandle & { keys?(): AsyncIterableIterator<string> };

const isNotFound = (e: unknown) => e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'TypeMismatchError');

function syncFile(h: SyncHandle): ByteFile {
  let open = true;
  return {
    read: async (at, out) => h.read(out, { at }),
    write: async (at, data) => {
      let done = 0;
      while (done < data.length) {
        const n = h.write(data.subarray(done), { at: at + done });
        if (n <= 0) throw new Error('the disk refused the write (is it full?)');
        done += n;
      }
    },
    size: async () => h.getSize(),
    truncate: async (size) => h.truncate(size),
    flush: async () => h.flush(),
    close: async () => {
      if (open) h.close();
      open = false;
    },
  };
}

/** Read-only access through a File snapshot: for the UI thread (no sync handles there). */
function snapshotFile(file: File): ByteFile {
  const refuse = () => Promise.reject(new Error('this stored dataset is open read-only'));
  return {
    async read(at, out) {
      const got = new Uint8Array(await file.slice(at, at + out.length).arrayBuffer());
      out.set(got);
      return got.length;
    },
    write: refuse,
    truncate: refuse,
    flush: async () => undefined,
    size: async () => file.size,
    close: async () => undefined,
  };
}

function folderOf(dir: FileSystemDirectoryHandle, sync: boolean): ByteFolder {
  return {
    async open(name, mode) {
      const fh = (await dir.getFileHandle(name, { create: mode === 'write' })) as SyncCapable;
      if (mode === 'write') {
        if (!sync || !fh.createSyncAccessHandle) throw new Error('stored datasets are written in a worker');
        const h = await fh.createSyncAccessHandle();
        h.truncate(0);
        return syncFile(h);
      }
      if (sync && fh.createSyncAccessHandle) {
        // Several readers (training worker, a later run) may hold a file at once in read-only
        // mode; older engines lack the mode and take an exclusive handle instead.
        try {
          return syncFile(await fh.createSyncAccessHandle({ mode: 'read-only' }));
        } catch {
          try {
            return syncFile(await fh.createSyncAccessHandle());
          } catch {
            // Held by someone else: fall through to a snapshot.
          }
        }
      }
      return snapshotFile(await fh.getFile());
    },
    async readText(name) {
      try {
        return await (await (await dir.getFileHandle(name)).getFile()).text();
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    async writeText(name, text) {
      // A writable stream writes to a swap file and replaces the file on close: atomic.
      const fh = await dir.getFileHandle(name, { create: true });
      if ('createWritable' in fh) {
        const w = await fh.createWritable();
        await w.write(text);
        await w.close();
        return;
      }
      const h = await (fh as SyncCapable).createSyncAccessHandle!();
      try {
        const bytes = new TextEncoder().encode(text);
        h.truncate(0);
        h.write(bytes, { at: 0 });
        h.flush();
      } finally {
        h.close();
      }
    },
    async remove(name) {
      try {
        await dir.removeEntry(name);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}

/** True where this context can reach OPFS at all (secure contexts of current engines). */
export function hasOpfs(nav: { storage?: { getDirectory?: unknown } } | undefined = globalThis.navigator): boolean {
  return typeof nav?.storage?.getDirectory === 'function';
}

/**
 * Asks the browser not to evict this origin's storage under disk pressure (decoded datasets are
 * expensive to make again). Chromium answers without a prompt; Electron never evicts. Window only.
 */
export function keepStorage(nav: { storage?: { persist?: () => Promise<boolean> } } | undefined = globalThis.navigator): void {
  void nav?.storage?.persist?.().catch(() => false);
}

/**
 * The datasets shelf in OPFS. `sync`: use synchronous access handles (dedicated workers only);
 * without it the shelf can list, read descriptions and read examples, not write examples.
 */
export function opfsShelf(options: { sync: boolean }): DatasetShelf {
  let root: Promise<Dir> | null = null;
  const datasets = () => (root ??= navigator.storage.getDirectory().then((r) => r.getDirectoryHandle('datasets', { create: true }) as Promise<Dir>));
  return {
    async folder(id, create) {
      try {
        return folderOf(await (await datasets()).getDirectoryHandle(id, { create }), options.sync);
      } catch (e) {
        if (isNotFound(e)) return null;
        throw e;
      }
    },
    async list() {
      const dir = await datasets();
      const out: string[] = [];
      if (!dir.keys) return out;
      for await (const name of dir.keys()) out.push(name);
      return out;
    },
    async remove(id) {
      try {
        await (await datasets()).removeEntry(id, { recursive: true });
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    },
  };
}
