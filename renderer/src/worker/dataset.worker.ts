// The dataset import worker: reads the picked files, decodes images (createImageBitmap +
// OffscreenCanvas) and parses tables, IDX and NumPy with core/data/sources, off the UI thread.
// The parsed arrays are handed back (transferred), with progress on the way and Cancel honoured
// between files.
import type { RgbaImage } from '../core/data/image-input';
import { DataImportError, ImportCancelled, importDataset, type ImportOptions } from '../core/data/sources';
import type { ImportReply, ImportRequest } from '../stores/dataset';

const scope = self as unknown as {
  postMessage(m: ImportReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ImportRequest>) => void) | null;
};

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

async function run(id: string, msg: Extract<ImportRequest, { type: 'import' }>): Promise<void> {
  let last = 0;
  const options: ImportOptions = msg.options;
  try {
    const result = await importDataset(
      { files: msg.files.map((f) => ({ path: f.path, size: f.blob.size, read: async () => new Uint8Array(await f.blob.arrayBuffer()) })), dirs: msg.dirs, name: msg.name },
      options,
      {
        decodeImage: decode,
        shouldCancel: () => cancelled.has(id),
        onProgress: (p) => {
          const now = performance.now();
          if (now - last < 100 && p.done + 1 < p.total) return; // a few updates a second are enough
          last = now;
          scope.postMessage({ type: 'progress', id, done: p.done, total: p.total, file: p.file });
        },
      },
    );
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
