// The dedicated module worker that trains and serves models off the UI thread. Deliberately thin:
// it wires the worker globals (postMessage, onmessage, its own URL) to core/jobs' JobServer.
import { compile, CompileError } from '../core/compile/compiler';
import { JobServer } from '../core/jobs/server';
import { openStored } from '../core/data/store/stored';
import { hasOpfs, opfsShelf } from '../host/opfs-shelf';
import { browserLoaders } from '../core/train/backends';
import { transferables, type FromWorker, type ToWorker } from '../core/train/protocol';

const scope = self as unknown as {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  location: { href: string };
};

// Imported datasets are stored on disk by the import worker; training streams them from there.
const shelf = hasOpfs() ? opfsShelf({ sync: true }) : null;

const server = new JobServer({
  // Fresh buffers (filters, predictions, samples, weights) are handed over instead of copied.
  post: (m) => scope.postMessage(m, transferables(m)),
  compile,
  isCompileError: (e) => e instanceof CompileError,
  // In a built app the worker script sits in assets/, next to the wasm/ folder's parent.
  ...(shelf
    ? {
        openStored: async (id: string) => {
          const folder = await shelf.folder(id, false);
          if (!folder) throw new Error('it is no longer stored');
          return openStored(folder);
        },
      }
    : {}),
  loaders: (wasmBaseUrl, options) => browserLoaders(wasmBaseUrl ?? new URL('../wasm/', scope.location.href).href, options),
});

scope.onmessage = (e) => {
  void server.handle(e.data);
};
