// The Electron host: a thin wrapper over the preload bridge (window.netwright). It never
// imports electron; the bridge type is types-only. Arguments are made plain and compact before
// they cross IPC, and IPC's error prefix is stripped so messages read well in the UI.
import type { NetwrightBridge } from './bridge';
import { readDroppedFile, type FileFilter, type Host, type OpenedFile, type PickedDatasetFolder, type RecentProjects } from './host';
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

const noop = (): void => undefined;

/** The folder dialog in main; the listing comes back, each file's bytes on request (one IPC call each). */
async function pickFolder(bridge: NetwrightBridge): Promise<PickedDatasetFolder | null> {
  const folder = await call(() => bridge.pickDatasetFolder!());
  if (!folder) return null;
  const { token, ...listing } = folder;
  return { ...listing, read: (path) => call(() => bridge.readDatasetFile!(token, String(path))) };
}

/**
 * Recent projects from main's list, the one File › Open Recent shows: ids are main's (opaque), and
 * main reads a project again only by such an id. `note` does nothing here: main already noted the
 * file when it opened or saved it (its dialogs, the OS, a drop, this list), and a page must not add
 * paths of its own to the list main will read from.
 */
function recentFromMain(bridge: NetwrightBridge): RecentProjects | undefined {
  const { listRecent, openRecent, clearRecent } = bridge;
  if (!listRecent || !openRecent || !clearRecent) return undefined;
  return {
    list: () =>
      call(async () => (await listRecent()).map((r) => ({ id: r.id, name: r.name, at: r.at, reopenable: r.reopenable }))),
    note: async () => undefined,
    open: (id) =>
      call(async () => {
        const file = await openRecent(String(id));
        return file ? opened(file) : null;
      }),
    clear: () => call(() => clearRecent()),
  };
}

export function createElectronHost(bridge: NetwrightBridge, baseUri: string): Host {
  if (bridge.apiVersion !== 1) {
    throw new Error(`This renderer expects preload API version 1, got ${String(bridge.apiVersion)}`);
  }
  const recent = recentFromMain(bridge);
  return {
    kind: 'electron',
    openFile: (options) =>
      call(async () => {
        const file = await bridge.openFile({ title: options.title, filters: plainFilters(options.filters) });
        return file ? opened(file) : null;
      }),
    ...(bridge.openFiles
      ? {
          openFiles: (options: { title?: string; filters?: FileFilter[] }) =>
            call(async () => {
              const files = await bridge.openFiles!({ title: options.title, filters: plainFilters(options.filters) });
              return files ? files.map(opened) : null;
            }),
        }
      : {}),
    ...(recent ? { recent } : {}),
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
    ...(bridge.pickDatasetFolder && bridge.readDatasetFile ? { pickDatasetFolder: () => pickFolder(bridge) } : {}),
    confirm: (message) => call(() => bridge.confirm(String(message))),
    showError: (title, message) => call(() => bridge.showError(String(title), String(message))),
    loadAutosave: () => call(() => bridge.loadAutosave()),
    storeAutosave: (text) => call(() => bridge.storeAutosave(text)),
    mnistBaseUrl: () => new URL('data/mnist/', baseUri).href,

    onCommand: (listener) => bridge.onMenuCommand?.(listener) ?? noop,
    onFilesGiven(listener) {
      const { onFilesWaiting, takeGivenFiles } = bridge;
      if (!onFilesWaiting || !takeGivenFiles) return noop;
      let stopped = false;
      const take = () => {
        call(() => takeGivenFiles())
          .then((files) => {
            if (!stopped && files.length) listener(files.map(opened));
          })
          .catch((err: unknown) => console.error('Opening files from the OS failed:', err));
      };
      const off = onFilesWaiting(take);
      take(); // files named on the command line arrived before this subscription
      return () => {
        stopped = true;
        off();
      };
    },
    async openDroppedFile(file) {
      const fromMain = bridge.openDroppedFile ? await call(() => bridge.openDroppedFile!(file)) : null;
      return fromMain ? opened(fromMain) : readDroppedFile(file);
    },
    onCloseRequest(handlers) {
      const offQuery = bridge.onCloseQuery?.(() => {
        const s = handlers.state();
        return { dirty: Boolean(s.dirty), training: Boolean(s.training), name: String(s.name) };
      });
      const offSave = bridge.onSaveBeforeClose?.(() => handlers.save());
      return () => {
        offQuery?.();
        offSave?.();
      };
    },
    editText: async (action) => {
      if (bridge.editText) await call(() => bridge.editText!(action));
    },
    showAbout: async (info) => {
      const plain = { details: info.details.map(String) };
      if (bridge.showAbout) await call(() => bridge.showAbout!(plain));
    },
  };
}
