// The dataset import worker: decodes images with createImageBitmap + OffscreenCanvas and hands
// every message to the import service (import-service.ts), with the OPFS shelf (synchronous access
// handles exist only in workers) and Web Locks. Deliberately thin: the logic is tested in Node.
import type { RgbaImage } from '../core/data/image-input';
import { hasOpfs, opfsShelf } from '../host/opfs-shelf';
import type { ImportReply, ImportRequest } from '../stores/dataset';
import { importService, type ImportLocks } from './import-service';

const scope = self as unknown as {
  postMessage(m: ImportReply, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ImportRequest>) => void) | null;
};

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

const handle = importService({
  shelf: hasOpfs() ? opfsShelf({ sync: true }) : null,
  decode,
  post: (m, transfer) => scope.postMessage(m, transfer ?? []),
  locks: (navigator as Navigator & { locks?: ImportLocks }).locks,
});

scope.onmessage = (e) => {
  void handle(e.data);
};
