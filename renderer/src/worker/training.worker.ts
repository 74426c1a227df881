// The dedicated module worker that trains models off the UI thread. Deliberately thin: it wires
// the worker globals (postMessage, onmessage, its own URL) to core/train's TrainingSession.
import { compile, CompileError } from '../core/compile/compiler';
import { browserLoaders } from '../core/train/backends';
import type { FromWorker, ToWorker } from '../core/train/protocol';
import { TrainingSession } from '../core/train/session';

const scope = self as unknown as {
  postMessage(m: FromWorker, transfer?: Transferable[]): void;
  onmessage: ((e: MessageEvent<ToWorker>) => void) | null;
  location: { href: string };
};

const session = new TrainingSession({
  post: (m) => {
    // Filter kernels are fresh copies: hand their buffer over instead of cloning it.
    if (m.type === 'filters') scope.postMessage(m, [m.data.buffer]);
    else scope.postMessage(m);
  },
  compile,
  isCompileError: (e) => e instanceof CompileError,
  // In a built app the worker script sits in assets/, next to the wasm/ folder's parent.
  loaders: (wasmBaseUrl, options) => browserLoaders(wasmBaseUrl ?? new URL('../wasm/', scope.location.href).href, options),
});

scope.onmessage = (e) => {
  void session.handle(e.data);
};
