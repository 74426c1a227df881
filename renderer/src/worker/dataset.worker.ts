// The dataset import worker: reads the picked files, decodes images (createImageBitmap +
// OffscreenCanvas) and parses tables, IDX and NumPy with core/data/sources, off the UI thread.
// Where OPFS exists the decoded dataset goes to the dataset shelf on disk (an image folder chunk by
// chunk, never whole in memory; other formats after parsing) and the reply names it; training then
// streams it from there. Without OPFS the parsed arrays are handed back (transferred). Progress on
// the way; Cancel honoured between files (and a cancelled or failed import leaves nothing stored).
import type { RgbaImage } from '../core/data/image-input';
import { DataImportError, ImportCancelled, importDataset, type ImportDeps, type ImportOptions } from '../core/data/sources';
import { detectFormat, type ImportInput } from '../core/data/sources/import';
import { importFolderToStore } from '../core/data/store/folder-import';
import { pruneShelf, storeImported } from '../core/data/store/stored';
import { hasOpfs, opfsShelf } from '../host/opfs-shelf';
import type { ImportReply, ImportRequest } from '../stores/dataset';

const scope = self as unknown as {
  postMessage(m: ImportReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ImportRequest>) => void) | null;
};

/** Stored datasets kept besides the newest (older runs can still resume or be evaluated on them). */
const KEEP = 3;
const shelf = hasOpfs() ? opfsShelf({ sync: true }) : null;
const cancelled = new Set<string>();

async function decode(bytes: Uint8Array): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(new Blob([bytes as BlobPart]));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in this worker');
    ctx.drawImage(bitmap, 0, 0);
    const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { rgba: img.data, width: img.width, height: img.height };
  } finally {
    bitmap.close();
  }
}

/** Decodes to disk; resolves once the description is written (the commit). */
async function store(id: string, input: ImportInput, options: ImportOptions, deps: ImportDeps): Promise<void> {
  const s = shelf!;
  const folder = await s.folder(id, true);
  if (!folder) throw new Error('the dataset storage could not be opened');
  try {
    if (detectFormat(input.files) === 'images') await importFolderToStore(input, options, deps, folder, id);
    else await storeImported(folder, id, await importDataset(input, options, deps), options);
  } catch (e) {
    await s.remove(id).catch(() => undefined);
    throw e;
  }
  await pruneShelf(s, KEEP, [id]).catch((e: unknown) => console.warn('could not remove old datasets', e));
}

async function run(id: string, msg: Extract<ImportRequest, { type: 'import' }>): Promise<void> {
  let last = 0;
  const input: ImportInput = { files: msg.files.map((f) => ({ path: f.path, size: f.blob.size, read: async () => new Uint8Array(await f.blob.arrayBuffer()) })), dirs: msg.dirs, name: msg.name };
  const deps: ImportDeps = {
    decodeImage: decode,
    shouldCancel: () => cancelled.has(id),
    onProgress: (p) => {
      const now = performance.now();
      if (now - last < 100 && p.done + 1 < p.total) return; // a few updates a second are enough
      last = now;
      scope.postMessage({ type: 'progress', id, done: p.done, total: p.total, file: p.file });
    },
  };
  try {
    if (shelf && msg.store) {
      await store(id, input, msg.options, deps);
      scope.postMessage({ type: 'stored', id });
      return;
    }
    const result = await importDataset(input, msg.options, deps);
    const { train, test } = result.data;
    scope.postMessage({ type: 'done', id, result }, [train.images.buffer as ArrayBuffer, train.labels.buffer as ArrayBuffer, test.images.buffer as ArrayBuffer, test.labels.buffer as ArrayBuffer].filter((b, i, all) => all.indexOf(b) === i));
  } catch (e) {
    if (e instanceof ImportCancelled) scope.postMessage({ type: 'cancelled', id });
    else scope.postMessage({ type: 'error', id, message: e instanceof Error ? e.message : String(e), skipped: e instanceof DataImportError ? e.skipped : [] });
  } finally {
    cancelled.delete(id);
  }
}

scope.onmessage = (e) => {
  const msg = e.data;
  if (msg.type === 'cancel') cancelled.add(msg.id);
  else void run(msg.id, msg);
};
