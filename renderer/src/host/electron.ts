// The Electron host: a thin wrapper over the preload bridge (window.netwright). It never
// imports electron; the bridge type is types-only. Arguments are made plain and compact before
// they cross IPC, and IPC's error prefix is stripped so messages read well in the UI.
import type { NetwrightBridge } from './bridge';
import type { Host, OpenedFile } from './host';
import { compactBytes, plainFilters } from './util';

/** "Error invoking remote method 'netwright:save-file': IpcValidationError: Invalid ..." -> "Invalid ..." */
export function cleanIpcError(err: unknown): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const match = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?([\s\S]*)$/.exec(err.message);
  if (!match) return err;
  const clean = new Error(match[1]);
  clean.name = err.name;
  return clean;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw cleanIpcError(err);
  }
}

function plainData(data: Uint8Array | string): Uint8Array | string {
  return typeof data === 'string' ? data : compactBytes(data);
}

/** IPC turns Buffers into Uint8Arrays already; this only guards against a missing `path`. */
function opened(file: OpenedFile): OpenedFile {
  return file.path ? file : { name: file.name, data: file.data };
}

export function createElectronHost(bridge: NetwrightBridge, baseUri: string): Host {
  if (bridge.apiVersion !== 1) {
    throw new Error(`This renderer expects preload API version 1, got ${String(bridge.apiVersion)}`);
  }
  return {
    kind: 'electron',
    openFile: (options) =>
      call(async () => {
        const file = await bridge.openFile({ title: options.title, filters: plainFilters(options.filters) });
        return file ? opened(file) : null;
      }),
    saveFile: (request) =>
      call(() =>
        bridge.saveFile({
          suggestedName: request.suggestedName,
          data: plainData(request.data),
          filters: plainFilters(request.filters),
          ...(request.path ? { path: request.path } : {}),
        }),
      ),
    exportFiles: (request) =>
      call(() =>
        bridge.exportFiles({
          suggestedName: request.suggestedName,
          files: request.files.map((f) => ({ name: f.name, data: plainData(f.data) })),
        }),
      ),
    pickDataset: () =>
      call(async () => {
        const files = await bridge.pickDataset();
        return files ? files.map(opened) : null;
      }),
    confirm: (message) => call(() => bridge.confirm(String(message))),
    showError: (title, message) => call(() => bridge.showError(String(title), String(message))),
    loadAutosave: () => call(() => bridge.loadAutosave()),
    storeAutosave: (text) => call(() => bridge.storeAutosave(text)),
    mnistBaseUrl: () => new URL('data/mnist/', baseUri).href,
  };
}
