// The user's imported dataset: picking (folder or files, a drop, Electron's dialog), importing in
// the dataset worker with progress and Cancel, the result (summary, preview images, the data),
// the preprocessing choices (a change re-imports), and what training needs: the DatasetRef for
// the worker and the descriptor for run records. The import worker stores the decoded dataset on
// disk (OPFS; dataset-storage.ts) and training streams it from there, so a reload reopens it at
// once and a dataset larger than memory trains; without OPFS the arrays stay in memory (and the
// latest in IndexedDB). Worker, shelf and cache are injectable for tests.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { isStreamed } from '../core/data/arrays';
import { classSamples } from '../core/data/store/stored';
import { checkDataFit, type FitIssue, type ImportedDataset, type ImportOptions, type Skipped } from '../core/data/sources';
import { preprocessingOf } from '../core/data/normalize';
import type { Graph } from '../core/graph/types';
import type { DatasetDescriptor } from '../core/runs/record';
import type { DatasetRef } from '../core/train/protocol';
import type { PickedDatasetFolder } from '../host/host';
import { cacheLoad, cacheSave, datasetShelf, keptDatasets, newestStoredId, openStoredEntry, SAMPLES_PER_CLASS, type ImportedEntry, type KeptDataset } from './dataset-storage';
// Used inside actions only (the training store imports this one): no cycle at load time.
import { useTrainingStore } from './training';

export interface PickedFile {
  /** Relative to the picked folder, without the folder's own name ('cats/1.png'), or the file name. */
  path: string;
  blob: Blob;
}

export type ImportRequest =
  /** `store`: decode to the dataset shelf on disk (OPFS) when the worker has it; else the arrays come back. */
  | { type: 'import'; id: string; files: PickedFile[]; dirs: string[]; name: string; options: ImportOptions; store: boolean }
  | { type: 'cancel'; id: string }
  /** An import that finished on the shelf after it was cancelled or replaced: remove it. */
  | { type: 'discard'; id: string };

export type ImportReply =
  | { type: 'progress'; id: string; done: number; total: number; file: string }
  | { type: 'done'; id: string; result: ImportedDataset }
  /** The import was stored on the dataset shelf (OPFS) under `id`: open it from there. */
  | { type: 'stored'; id: string }
  | { type: 'error'; id: string; message: string; skipped: Skipped[] }
  | { type: 'cancelled'; id: string };

/** What the store needs of a worker (a real Worker, or a fake in tests). */
export interface ImportWorker {
  postMessage(m: ImportRequest): void;
  onmessage: ((e: MessageEvent<ImportReply>) => void) | null;
}

export { setDatasetCache, setDatasetShelf, type ImportedEntry } from './dataset-storage';

let counter = 0;
let dropsInstalled = false;
let makeWorker: () => ImportWorker = () => new Worker(new URL('../worker/dataset.worker.ts', import.meta.url), { type: 'module' }) as unknown as ImportWorker;

/** Tests swap the worker factory. */
export function setImportWorkerFactory(f: () => ImportWorker): void {
  makeWorker = f;
}

/** Files from an <input webkitdirectory>: paths lose the picked folder's own name. */
export function pickedFromInput(list: ArrayLike<File>): { files: PickedFile[]; name: string } {
  const files = Array.from(list);
  const rel = files.map((f) => (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name);
  const root = rel[0]?.includes('/') && rel.every((p) => p.split('/')[0] === rel[0].split('/')[0]) ? rel[0].split('/')[0] : '';
  return {
    files: files.map((f, i) => ({ path: root ? rel[i].slice(root.length + 1) : rel[i], blob: f })),
    name: root || (files.length === 1 ? files[0].name : `${files.length} files`),
  };
}

export const useDatasetStore = defineStore('dataset', () => {
  const status = ref<'idle' | 'importing' | 'ready' | 'error'>('idle');
  const progress = ref({ done: 0, total: 0, file: '' });
  const error = ref<{ message: string; skipped: Skipped[] } | null>(null);
  const current = shallowRef<ImportedEntry | null>(null);
  const options = ref<ImportOptions>({ resize: 'stretch', color: 'auto', normalization: 'unit', testFraction: 0.2, seed: 1 });
  /** The datasets the shelf keeps (newest first): the Dataset select offers each. */
  const kept = ref<KeptDataset[]>([]);
  /** Reads the shelf's list again (after an import, a reload). */
  async function refreshKept(): Promise<void> {
    kept.value = await keptDatasets().catch(() => []);
  }
  /** The picked files are still at hand (not after a reload), so new preprocessing options can re-import. */
  const canReimport = ref(false);
  /** The preview dialog is open. */
  const showPreview = ref(false);
  let worker: ImportWorker | null = null;
  /** Counts reopen() calls and imports, so only the newest one's dataset becomes current. */
  let opening = 0;
  let pendingId: string | null = null;
  let last: { files: PickedFile[]; dirs: string[]; name: string } | null = null;
  /** The options the pending import runs with (recorded with its runs). */
  let pendingOptions: ImportOptions | null = null;
  /** A picked folder being read file by file before its import (importFolder). */
  let readingId: string | null = null;
  /** Files a folder pick left out before the import saw them (links, too deep, unreadable), with reasons. */
  const folderSkipped = ref<Skipped[]>([]);

  const isImporting = computed(() => status.value === 'importing');
  const shape = computed(() => current.value?.summary.shape ?? null);

  function onReply(m: ImportReply): void {
    if (m.id !== pendingId) {
      // An import that was replaced or cancelled; if it reached the shelf anyway, it goes.
      if (m.type === 'stored') worker?.postMessage({ type: 'discard', id: m.id });
      return;
    }
    if (m.type === 'progress') {
      progress.value = { done: m.done, total: m.total, file: m.file };
      return;
    }
    if (m.type === 'done' || m.type === 'stored') {
      // Opening (a stored one) or previewing takes a moment; a newer import or Cancel still wins.
      const options = pendingOptions ? { ...pendingOptions } : undefined;
      const opened: Promise<ImportedEntry> =
        m.type === 'stored'
          ? openStoredEntry(m.id).then((e) => ({ ...e, ...(options ? { options } : {}) }))
          : classSamples(m.result.data.train, SAMPLES_PER_CLASS).then((samples) => ({
              id: m.id, name: m.result.summary.name, data: m.result.data, summary: m.result.summary, samples, ...(options ? { options } : {}),
            }));
      void opened.then(
        (entry) => {
          if (m.id !== pendingId) {
            if (entry.storage) worker?.postMessage({ type: 'discard', id: m.id });
            return;
          }
          pendingId = null;
          current.value = entry;
          if (!entry.storage) cacheSave(entry).catch((e: unknown) => console.warn('could not cache the dataset', e));
          else void refreshKept();
          status.value = 'ready';
          showPreview.value = true;
          // The new import becomes the training dataset, unless a run is going on.
          const training = useTrainingStore();
          if (!training.isRunning) training.dataset = m.id;
        },
        (e: unknown) => {
          if (m.id !== pendingId) return;
          pendingId = null;
          status.value = 'error';
          error.value = { message: `the imported dataset could not be opened: ${e instanceof Error ? e.message : String(e)}`, skipped: [] };
        },
      );
      return;
    }
    pendingId = null;
    if (m.type === 'error') {
      status.value = 'error';
      error.value = { message: m.message, skipped: m.skipped };
    } else {
      status.value = current.value ? 'ready' : 'idle';
    }
  }

  function ensureWorker(): ImportWorker {
    if (!worker) {
      worker = makeWorker();
      worker.onmessage = (e) => onReply(e.data);
    }
    return worker;
  }

  /** Imports picked files (a folder's contents or single files) in the worker; replaces any import under way. */
  function importFiles(files: PickedFile[], name: string, dirs: string[] = []): string {
    readingId = null; // a folder still being read is replaced
    folderSkipped.value = [];
    if (pendingId) cancel();
    last = { files, dirs, name };
    canReimport.value = true;
    opening++; // a reopen still under way must not replace this import when it lands
    const id = `data_${Date.now().toString(36)}_${++counter}`;
    pendingId = id;
    status.value = 'importing';
    error.value = null;
    progress.value = { done: 0, total: files.length, file: '' };
    pendingOptions = { ...options.value };
    ensureWorker().postMessage({ type: 'import', id, files, dirs, name, options: { ...pendingOptions }, store: datasetShelf() !== null });
    return id;
  }

  /**
   * A folder the host lists and reads one file at a time (the desktop app's folder dialog): the
   * files are read with progress (Cancel stops it), then imported like picked files. Files that
   * cannot be read are left out and listed in `folderSkipped`, with what the walk left out.
   */
  async function importFolder(folder: PickedDatasetFolder, concurrency = 4): Promise<string | null> {
    if (pendingId) cancel();
    opening++;
    const id = `read_${Date.now().toString(36)}_${++counter}`;
    readingId = id;
    status.value = 'importing';
    error.value = null;
    folderSkipped.value = [...folder.skipped];
    const total = folder.files.length;
    const read: (PickedFile | null)[] = new Array<PickedFile | null>(total).fill(null);
    const unreadable: Skipped[] = [];
    let next = 0;
    let done = 0;
    progress.value = { done: 0, total, file: '' };
    const reader = async (): Promise<void> => {
      while (readingId === id && next < total) {
        const i = next++;
        const f = folder.files[i];
        try {
          read[i] = { path: f.path, blob: new Blob([(await folder.read(f.path)) as BlobPart]) };
        } catch (e) {
          unreadable.push({ file: f.path, reason: e instanceof Error ? e.message : String(e) });
        }
        if (readingId === id) progress.value = { done: ++done, total, file: `reading ${f.path}` };
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, total) }, reader));
    if (readingId !== id) return null; // cancelled, or replaced by another import
    readingId = null;
    const importId = importFiles(read.filter((f): f is PickedFile => f !== null), folder.name, folder.dirs);
    folderSkipped.value = [...folder.skipped, ...unreadable];
    return importId;
  }

  /** Runs the last import again with the current preprocessing options. */
  function reimport(): string | null {
    const skips = folderSkipped.value;
    const id = last ? importFiles(last.files, last.name, last.dirs) : null;
    folderSkipped.value = skips;
    return id;
  }

  function cancel(): void {
    if (readingId) {
      readingId = null; // a folder being read: its readers stop at the next file
      status.value = current.value ? 'ready' : 'idle';
      return;
    }
    if (!pendingId) return;
    worker?.postMessage({ type: 'cancel', id: pendingId });
    pendingId = null;
    status.value = current.value ? 'ready' : 'idle';
  }

  function setOptions(patch: Partial<ImportOptions>): void {
    options.value = { ...options.value, ...patch };
  }

  /**
   * The worker's view of an imported dataset: a stored one by id (the worker streams it from the
   * shelf; also an older import the shelf still keeps), or the arrays of an in-memory one.
   */
  function refFor(id: string, name?: string, loadedOnly = false): DatasetRef {
    const c = current.value;
    if (c && c.id === id) return isStreamed(c.data.train) ? { kind: 'stored', id, name: c.name } : { kind: 'memory', id: c.id, name: c.name, data: c.data };
    // A new run records the loaded dataset's description: it must train on that one (loadedOnly).
    if (datasetShelf() && !loadedOnly) return { kind: 'stored', id, name: name ?? id };
    throw new Error(`The dataset${name ? ` "${name}"` : ''} is no longer loaded: import it again.`);
  }

  function descriptor(): DatasetDescriptor | null {
    const c = current.value;
    if (!c) return null;
    const s = c.summary;
    const preprocessing = preprocessingOf(c.data.train, s.format, c.options ?? {});
    return { kind: 'imported', id: c.id, name: s.name, format: s.format, shape: s.shape, classes: s.classes, train: s.train, test: s.test, preprocessing };
  }

  /** Where the network and the imported data disagree (empty without a dataset). */
  function fitIssues(graph: Graph): FitIssue[] {
    const s = current.value?.summary;
    return s ? checkDataFit(graph, { height: s.shape[0], width: s.shape[1], channels: s.shape[2], classes: s.classes.length }) : [];
  }

  /**
   * Makes a dataset the shelf still keeps current again (a project or run that names it): true when
   * it is current, false when it is not kept, null when an import or a later reopen took over.
   */
  async function reopen(id: string): Promise<boolean | null> {
    // Counted even when it is current already: an older reopen still opening must not win over it.
    const mine = ++opening;
    if (current.value?.id === id) return true;
    if (pendingId || readingId) return null;
    if (!datasetShelf()) return false;
    try {
      const entry = await openStoredEntry(id);
      // A later reopen or an import started meanwhile: theirs wins.
      if (mine !== opening || pendingId || readingId) return null;
      // The picked files (if any) belong to another dataset: Apply must not re-import those.
      last = null;
      canReimport.value = false;
      current.value = entry;
      status.value = 'ready';
      error.value = null;
      return true;
    } catch {
      return mine === opening ? false : null;
    }
  }

  let restoring: Promise<void> | null = null;
  /** Reopens the last imported dataset: the newest on the shelf, else the cached in-memory one (once per page; an import under way wins). */
  function restore(): Promise<void> {
    restoring ??= (async () => {
      // A shelf that refuses (OPFS in a private window) or a damaged newest dataset: the in-memory cache.
      const id = await newestStoredId().catch(() => null);
      const entry = (id ? await openStoredEntry(id).catch(() => null) : null) ?? (await cacheLoad());
      if (entry && !current.value && !pendingId) {
        current.value = entry;
        status.value = 'ready';
      }
      await refreshKept();
    })().catch((e: unknown) => console.warn('could not reopen the last dataset', e));
    return restoring;
  }

  /** A file drag is over the window (for the drop hint). */
  const dragging = ref(false);

  /** Imports folders and files dropped anywhere on the window; installed once, stays for the page's life. */
  function listenForDrops(target: Window): void {
    if (dropsInstalled) return;
    dropsInstalled = true;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    target.addEventListener('dragover', (e) => {
      if (!hasFiles(e)) return; // palette drags onto the canvas are not ours
      e.preventDefault();
      dragging.value = true;
    });
    target.addEventListener('dragleave', (e) => {
      if (e.relatedTarget === null) dragging.value = false;
    });
    target.addEventListener('drop', (e) => {
      dragging.value = false;
      if (!hasFiles(e) || !e.dataTransfer) return;
      e.preventDefault();
      // Like the import buttons: the dataset does not change under a run.
      if (useTrainingStore().isRunning) {
        error.value = { message: 'A run is training: stop it before importing another dataset.', skipped: [] };
        return;
      }
      void pickedFromDrop(e.dataTransfer).then((picked) => {
        if (picked?.files.length) importFiles(picked.files, picked.name, picked.dirs);
      });
    });
  }

  return {
    status, progress, error, current, options, showPreview, isImporting, shape, dragging, folderSkipped, canReimport, kept,
    importFiles, importFolder, reimport, cancel, setOptions, refFor, descriptor, fitIssues, listenForDrops, restore, reopen, refreshKept,
  };
});

/** A dropped folder or files, walked through the entries API (folders keep their structure). */
export async function pickedFromDrop(dt: DataTransfer): Promise<{ files: PickedFile[]; dirs: string[]; name: string } | null> {
  const entries = Array.from(dt.items)
    .map((i) => i.webkitGetAsEntry())
    .filter((e): e is FileSystemEntry => e !== null);
  if (!entries.length) return dt.files.length ? { ...pickedFromInput(dt.files), dirs: [] } : null;
  const files: PickedFile[] = [];
  const dirs: string[] = [];
  const root = entries.length === 1 && entries[0].isDirectory ? entries[0].fullPath : '';
  const rel = (p: string) => (root ? p.slice(root.length + 1) : p.replace(/^\//, ''));
  async function walk(e: FileSystemEntry): Promise<void> {
    if (e.isFile) {
      const f = await new Promise<File>((ok, err) => (e as FileSystemFileEntry).file(ok, err));
      files.push({ path: rel(e.fullPath), blob: f });
      return;
    }
    if (e.fullPath !== root) dirs.push(rel(e.fullPath));
    const reader = (e as FileSystemDirectoryEntry).createReader();
    // readEntries returns batches (100 in Chromium) until an empty one.
    for (;;) {
      const batch = await new Promise<FileSystemEntry[]>((ok, err) => reader.readEntries(ok, err));
      if (!batch.length) break;
      for (const child of batch) await walk(child);
    }
  }
  for (const e of entries) await walk(e);
  return { files, dirs, name: root ? entries[0].name : files.length === 1 ? files[0].path : `${files.length} files` };
}
