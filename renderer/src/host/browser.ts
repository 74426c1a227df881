// The browser host: File System Access API where the browser has it (Chromium), else
// <input type=file> and download links; autosave in IndexedDB (browser-autosave.ts).
// DOM use stays inside the functions below; the pure parts are exported for tests.
import { readDroppedFile, type ExportRequest, type FileFilter, type Host, type OpenedFile, type SaveRequest, type SavedFile } from './host';
import { createBrowserAutosave, browserAutosaveEnvironment, type AutosaveBackend } from './browser-autosave';
import { createBrowserRecent, indexedDbRecentStore } from './browser-recent';
import { isAbortError, toBytes } from './util';

// The File System Access API is not in TypeScript's DOM lib yet: just what is used here.
interface FsaAcceptType {
  description?: string;
  accept: Record<string, string[]>;
}
interface FsaWritable {
  write(data: Blob | BufferSource | string): Promise<void>;
  close(): Promise<void>;
  abort?(): Promise<void>;
}
interface FsaFileHandle {
  readonly name: string;
  getFile(): Promise<File>;
  createWritable(): Promise<FsaWritable>;
}
interface FsaDirectoryHandle {
  getDirectoryHandle(name: string, options?: { create?: boolean }): Promise<FsaDirectoryHandle>;
  getFileHandle(name: string, options?: { create?: boolean }): Promise<FsaFileHandle>;
}
interface FsaWindow {
  showOpenFilePicker?(options?: { multiple?: boolean; types?: FsaAcceptType[]; excludeAcceptAllOption?: boolean }): Promise<FsaFileHandle[]>;
  showSaveFilePicker?(options?: { suggestedName?: string; types?: FsaAcceptType[] }): Promise<FsaFileHandle>;
  showDirectoryPicker?(options?: { mode?: 'read' | 'readwrite' }): Promise<FsaDirectoryHandle>;
}

/** Host filters -> picker types. Extensions need a leading dot; '*' means "any file" (no type). */
export function toPickerTypes(filters: readonly FileFilter[] | undefined): FsaAcceptType[] | undefined {
  const types = (filters ?? [])
    .map((f) => ({
      description: f.name,
      accept: { 'application/octet-stream': f.extensions.filter((e) => e !== '*').map((e) => `.${e.replace(/^\./, '')}`) },
    }))
    .filter((t) => t.accept['application/octet-stream'].length > 0);
  return types.length ? types : undefined;
}

/** Host filters -> the `accept` attribute of <input type=file>. */
export function toAcceptAttribute(filters: readonly FileFilter[] | undefined): string {
  const exts = (filters ?? []).flatMap((f) => f.extensions).filter((e) => e !== '*');
  return exts.map((e) => `.${e.replace(/^\./, '')}`).join(',');
}

/** Download names may not contain path separators or characters browsers reject. */
export function safeDownloadName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = name.replace(/[/\\:*?"<>|\u0000-\u001f]/g, '_').trim();
  return cleaned || 'download';
}

/**
 * Handles the user picked with the File System Access API, under opaque ids, so that a later
 * "Save" (request.path) writes back without asking, as in Electron.
 */
export class HandleRegistry<H> {
  private next = 1;
  private readonly byId = new Map<string, H>();
  add(handle: H): string {
    const id = `fsa-handle:${this.next++}`;
    this.byId.set(id, handle);
    return id;
  }
  get(id: string | undefined): H | undefined {
    return id ? this.byId.get(id) : undefined;
  }
}

function fsa(win: Window): FsaWindow {
  return win as unknown as FsaWindow;
}

async function readFile(file: File): Promise<Uint8Array> {
  return new Uint8Array(await file.arrayBuffer());
}

/** <input type=file>; resolves null when the dialog is cancelled ('cancel' event, Chrome 113+). */
function pickWithInput(doc: Document, accept: string, multiple: boolean): Promise<File[] | null> {
  return new Promise((resolve) => {
    const input = doc.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.style.display = 'none';
    const done = (files: File[] | null) => {
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(input.files && input.files.length ? Array.from(input.files) : null));
    input.addEventListener('cancel', () => done(null));
    doc.body.appendChild(input);
    input.click();
  });
}

function download(doc: Document, name: string, data: Uint8Array | string): void {
  const blob = new Blob([toBytes(data) as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' });
  const url = URL.createObjectURL(blob);
  const a = doc.createElement('a');
  a.href = url;
  a.download = safeDownloadName(name);
  a.rel = 'noopener';
  doc.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the download must start first
}

/** createWritable writes to a swap file that replaces the target on close(): atomic. */
async function writeHandle(handle: FsaFileHandle, data: Uint8Array | string): Promise<void> {
  const writable = await handle.createWritable();
  try {
    await writable.write(toBytes(data) as Uint8Array<ArrayBuffer>);
    await writable.close();
  } catch (err) {
    await writable.abort?.().catch(() => undefined);
    throw err;
  }
}

/** Runs a picker; the user cancelling (AbortError) becomes null. */
async function picked<T>(fn: () => Promise<T>): Promise<T | null> {
  try {
    return await fn();
  } catch (err) {
    if (isAbortError(err)) return null;
    throw err;
  }
}

export interface BrowserHostOptions {
  autosave?: AutosaveBackend;
  /** Where recent projects are kept (default: the window's IndexedDB; none: no recent list). */
  recentDb?: IDBFactory | null;
}

export function createBrowserHost(win: Window = window, options: BrowserHostOptions = {}): Host {
  const handles = new HandleRegistry<FsaFileHandle>();
  let autosave = options.autosave;
  const getAutosave = () =>
    (autosave ??= createBrowserAutosave(browserAutosaveEnvironment(win), (from, err) =>
      console.warn(`Autosave: ${from} failed, falling back`, err),
    ));

  const openFiles = async (filters: FileFilter[] | undefined, multiple: boolean): Promise<OpenedFile[] | null> => {
    const picker = fsa(win).showOpenFilePicker;
    if (picker) {
      const chosen = await picked(() => picker.call(win, { multiple, types: toPickerTypes(filters) }));
      if (!chosen || chosen.length === 0) return null;
      return Promise.all(
        chosen.map(async (h) => ({ name: h.name, data: await readFile(await h.getFile()), path: handles.add(h) })),
      );
    }
    const files = await pickWithInput(win.document, toAcceptAttribute(filters), multiple);
    if (!files) return null;
    return Promise.all(files.map(async (f) => ({ name: f.name, data: await readFile(f) })));
  };

  const recentDb = options.recentDb === undefined ? (win as Window & { indexedDB?: IDBFactory }).indexedDB ?? null : options.recentDb;

  return {
    kind: 'browser',

    async openFile({ filters }) {
      const files = await openFiles(filters, false);
      return files?.[0] ?? null;
    },

    openFiles: ({ filters }) => openFiles(filters, true),

    // Handles are kept in IndexedDB where the File System Access API exists; names only elsewhere.
    ...(recentDb ? { recent: createBrowserRecent(indexedDbRecentStore(recentDb), handles) } : {}),

    async saveFile(request: SaveRequest): Promise<SavedFile | null> {
      const known = handles.get(request.path);
      if (known) {
        await writeHandle(known, request.data);
        return { name: known.name, path: request.path };
      }
      const picker = fsa(win).showSaveFilePicker;
      if (picker) {
        const handle = await picked(() =>
          picker.call(win, { suggestedName: request.suggestedName, types: toPickerTypes(request.filters) }),
        );
        if (!handle) return null;
        await writeHandle(handle, request.data);
        return { name: handle.name, path: handles.add(handle) };
      }
      download(win.document, request.suggestedName, request.data);
      return { name: safeDownloadName(request.suggestedName) };
    },

    async exportFiles(request: ExportRequest): Promise<boolean> {
      const picker = fsa(win).showDirectoryPicker;
      if (picker) {
        const parent = await picked(() => picker.call(win, { mode: 'readwrite' }));
        if (!parent) return false;
        const dir = await parent.getDirectoryHandle(safeDownloadName(request.suggestedName), { create: true });
        for (const f of request.files) {
          await writeHandle(await dir.getFileHandle(safeDownloadName(f.name), { create: true }), f.data);
        }
        return true;
      }
      // Downloads keep the files' own names: model.json refers to its weights by name.
      for (const f of request.files) download(win.document, f.name, f.data);
      return true;
    },

    pickDataset: () => openFiles(undefined, true),

    async confirm(message) {
      return win.confirm(message);
    },

    async showError(title, message) {
      win.alert(`${title}\n\n${message}`);
    },

    loadAutosave: () => getAutosave().load(),
    storeAutosave: (text) => getAutosave().store(text),

    mnistBaseUrl: () => new URL('data/mnist/', win.document.baseURI).href,

    // No native menus and no files from the OS in a browser tab.
    onCommand: () => () => undefined,
    onFilesGiven: () => () => undefined,
    openDroppedFile: (file) => readDroppedFile(file),
    // No close prompt in a tab: the autosave (IndexedDB) keeps unsaved work across a reload or a
    // closed tab, and an interrupted run resumes from its checkpoint. A beforeunload prompt would
    // also hold up every reload.
    onCloseRequest: () => () => undefined,
    // The browser edits text fields itself (its own Edit shortcuts); there is no menu to route.
    editText: async () => undefined,
    async showAbout(info) {
      win.alert(['Netwright (web app)', '', ...info.details].join('\n'));
    },
  };
}
