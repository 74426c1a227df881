// What the dataset import worker does with its messages, minus the worker globals, so tests drive
// the real thing with a memory shelf and Node's decoder. Where a shelf exists the decoded dataset
// goes to disk (an image folder chunk by chunk, never whole in memory, each picked file read once; other
// formats after parsing)
// and the reply names it; training then streams it from there. Without a shelf (or when OPFS
// refuses, as in private windows) the parsed arrays are handed back. Progress a few times a second;
// Cancel honoured between files and before anything is committed; a cancelled, failed or discarded
// import leaves nothing on the shelf; the shelf keeps the newest few (others' imports in progress
// are left alone: Web Locks).
import { DataImportError, ImportCancelled, importDataset, type ImageDecoder, type ImportDeps, type ImportOptions } from '../core/data/sources';
import { detectFormat, type ImportInput } from '../core/data/sources/import';
import { importFolderToStore } from '../core/data/store/folder-import';
import { pruneShelf, storeImported } from '../core/data/store/stored';
import type { DatasetShelf } from '../core/data/store/types';
import type { ImportReply, ImportRequest } from '../stores/dataset';

/** Stored datasets kept besides the newest (older runs can still resume or be evaluated on them). */
export const KEEP_DATASETS = 3;
/** Lock name of an import in progress: other tabs' prunes leave its unfinished folder alone. */
const LOCK = 'netwright-import-';

export interface ImportLocks {
  request<T>(name: string, fn: () => Promise<T>): Promise<T>;
  query(): Promise<{ held?: { name?: string }[] }>;
}

export interface ImportEnv {
  shelf: DatasetShelf | null;
  decode: ImageDecoder;
  post: (m: ImportReply, transfer?: Transferable[]) => void;
  locks?: ImportLocks;
  now?: () => number;
}

export function importService(env: ImportEnv): (msg: ImportRequest) => Promise<void> {
  const cancelled = new Set<string>();
  /** Imports under way: a Cancel for one that already ended is dropped (not kept for ever). */
  const running = new Set<string>();
  const now = env.now ?? (() => performance.now());

  /** Ids whose import runs now in some tab (Web Locks), besides `id`. */
  async function busy(id: string): Promise<string[]> {
    const held = (await env.locks?.query().catch(() => null))?.held ?? [];
    return [id, ...held.map((l) => l.name ?? '').filter((n) => n.startsWith(LOCK)).map((n) => n.slice(LOCK.length))];
  }

  /** Decodes to disk; true once the description is written (the commit), false when the shelf refuses. */
  async function store(shelf: DatasetShelf, id: string, input: ImportInput, options: ImportOptions, deps: ImportDeps): Promise<boolean> {
    const folder = await shelf.folder(id, true).catch(() => null);
    if (!folder) return false;
    const work = async () => {
      try {
        if (detectFormat(input.files) === 'images') await importFolderToStore(input, options, deps, folder, id);
        else {
          const imported = await importDataset(input, options, deps);
          // Tables, IDX and NumPy parse in one go: Cancel is honoured before anything is written.
          if (cancelled.has(id)) throw new ImportCancelled();
          await storeImported(folder, id, imported, options);
        }
        if (cancelled.has(id)) throw new ImportCancelled();
      } catch (e) {
        await shelf.remove(id).catch(() => undefined);
        throw e;
      }
    };
    await (env.locks ? env.locks.request(LOCK + id, work) : work());
    await pruneShelf(shelf, KEEP_DATASETS, await busy(id)).catch((e: unknown) => console.warn('could not remove old datasets', e));
    return true;
  }

  async function run(msg: Extract<ImportRequest, { type: 'import' }>): Promise<void> {
    const { id } = msg;
    running.add(id);
    let last = -Infinity;
    const input: ImportInput = {
      files: msg.files.map((f) => ({
        path: f.path, size: f.blob.size,
        read: async () => new Uint8Array(await f.blob.arrayBuffer()),
      })),
      dirs: msg.dirs, name: msg.name,
    };
    const deps: ImportDeps = {
      decodeImage: env.decode,
      shouldCancel: () => cancelled.has(id),
      onProgress: (p) => {
        const t = now();
        if (t - last < 100 && p.done + 1 < p.total) return; // a few updates a second are enough
        last = t;
        env.post({ type: 'progress', id, done: p.done, total: p.total, file: p.file });
      },
    };
    try {
      if (env.shelf && msg.store && (await store(env.shelf, id, input, msg.options, deps))) {
        env.post({ type: 'stored', id });
        return;
      }
      const result = await importDataset(input, msg.options, deps);
      const { train, test } = result.data;
      env.post({ type: 'done', id, result }, [train.images.buffer as ArrayBuffer, train.labels.buffer as ArrayBuffer, test.images.buffer as ArrayBuffer, test.labels.buffer as ArrayBuffer].filter((b, i, all) => all.indexOf(b) === i));
    } catch (e) {
      if (e instanceof ImportCancelled) env.post({ type: 'cancelled', id });
      else env.post({ type: 'error', id, message: e instanceof Error ? e.message : String(e), skipped: e instanceof DataImportError ? e.skipped : [] });
    } finally {
      cancelled.delete(id);
      running.delete(id);
    }
  }

  return async (msg) => {
    if (msg.type === 'cancel') {
      if (running.has(msg.id)) cancelled.add(msg.id);
    }
    else if (msg.type === 'discard') await env.shelf?.remove(msg.id).catch(() => undefined);
    else await run(msg);
  };
}
