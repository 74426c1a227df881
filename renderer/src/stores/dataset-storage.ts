// Where the dataset store finds imported datasets again: on the shelf of stored datasets (OPFS,
// written by the import worker; the UI thread only reads descriptions and a few preview images
// from it) or, where this browser has no OPFS, the latest in-memory import kept in IndexedDB.
// Both are injectable for tests (a memory shelf, fake-indexeddb).
import type { SourceData } from '../core/data/arrays';
import type { ImportedDataset, ImportOptions } from '../core/data/sources';
import { classSamples, openStored } from '../core/data/store/stored';
import { META_FILE, type DatasetShelf, type StoredDatasetMeta } from '../core/data/store/types';
import { hasOpfs, keepStorage, opfsShelf } from '../host/opfs-shelf';

/** Preview images per class (the dialog's grid). */
export const SAMPLES_PER_CLASS = 8;

export interface ImportedEntry {
  id: string;
  name: string;
  /** In memory (arrays), or streamed from the shelf (the UI thread reads only what it shows). */
  data: SourceData;
  summary: ImportedDataset['summary'];
  /** The preprocessing options it was imported with (absent in entries cached before they were kept). */
  options?: ImportOptions;
  /** The first examples of each class as display bytes (the preview grid). */
  samples: { label: number; index: number; pixels: Uint8Array }[];
  /** Present when the dataset is stored on disk (training streams it from there). */
  storage?: { bytes: number };
}

let shelfOverride: DatasetShelf | null | undefined;
let defaultShelf: DatasetShelf | null | undefined;

/** Tests swap the shelf (a memory shelf shared with a fake worker; null: nothing stored). */
export function setDatasetShelf(shelf: DatasetShelf | null | undefined): void {
  shelfOverride = shelf;
}

export function datasetShelf(): DatasetShelf | null {
  if (shelfOverride !== undefined) return shelfOverride;
  if (defaultShelf === undefined) {
    defaultShelf = hasOpfs() ? opfsShelf({ sync: false }) : null;
    if (defaultShelf) keepStorage();
  }
  return defaultShelf;
}

/** A stored dataset as the store shows it (description, preview images, the streamed splits). */
export async function openStoredEntry(id: string): Promise<ImportedEntry> {
  const shelf = datasetShelf();
  const folder = shelf ? await shelf.folder(id, false) : null;
  if (!folder) throw new Error(`the stored dataset ${id} is gone: import it again`);
  const { meta, data } = await openStored(folder);
  const [h, w, c] = meta.shape;
  return {
    id, name: meta.summary.name, data, summary: meta.summary, options: meta.options,
    samples: await classSamples(data.train, SAMPLES_PER_CLASS),
    storage: { bytes: meta.stored * h * w * c * (meta.dtype === 'uint8' ? 1 : 4) },
  };
}

/** A dataset the shelf keeps, as the Dataset select lists it. */
export interface KeptDataset {
  id: string;
  name: string;
  classes: number;
  shape: [number, number, number];
  createdAt: number;
}

/** The complete stored datasets, newest first (a garbled one is left out: the next prune removes it). */
export async function keptDatasets(): Promise<KeptDataset[]> {
  const shelf = datasetShelf();
  if (!shelf) return [];
  const out: KeptDataset[] = [];
  for (const id of await shelf.list()) {
    const text = await (await shelf.folder(id, false))?.readText(META_FILE).catch(() => null);
    if (!text) continue;
    try {
      const meta = JSON.parse(text) as StoredDatasetMeta;
      out.push({ id, name: meta.summary.name, classes: meta.classNames.length, shape: meta.shape, createdAt: meta.createdAt });
    } catch {
      // left out
    }
  }
  return out.sort((a, b) => b.createdAt - a.createdAt);
}

/** The id of the newest complete stored dataset, if any. */
export async function newestStoredId(): Promise<string | null> {
  return (await keptDatasets())[0]?.id ?? null;
}

// ------------------------------------------------ IndexedDB: the in-memory fallback

let cacheFactory: IDBFactory | null = typeof indexedDB === 'undefined' ? null : indexedDB;

/** Tests swap the IndexedDB the in-memory dataset is cached in (null: no cache). */
export function setDatasetCache(factory: IDBFactory | null): void {
  cacheFactory = factory;
}

const CACHE_DB = 'netwright-datasets';
const STORE = 'datasets';

function openCache(): Promise<IDBDatabase> | null {
  const f = cacheFactory;
  if (!f) return null;
  return new Promise((resolve, reject) => {
    const req = f.open(CACHE_DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('cannot open the dataset cache'));
  });
}

/** Keeps an in-memory import (only the latest: datasets are large), so a reload reopens it without decoding. */
export async function cacheSave(entry: ImportedEntry): Promise<void> {
  const db = await openCache();
  if (!db) return;
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction(STORE, 'readwrite');
    tx.objectStore(STORE).clear();
    tx.objectStore(STORE).put(entry, 'latest');
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('cannot write the dataset cache'));
  });
  db.close();
}

export async function cacheLoad(): Promise<ImportedEntry | null> {
  const db = await openCache();
  if (!db) return null;
  const got = await new Promise<ImportedEntry | null>((resolve, reject) => {
    const req = db.transaction(STORE, 'readonly').objectStore(STORE).get('latest');
    req.onsuccess = () => resolve((req.result as ImportedEntry | undefined) ?? null);
    req.onerror = () => reject(req.error ?? new Error('cannot read the dataset cache'));
  });
  db.close();
  // Entries cached before previews were kept have none: make them now.
  if (got && !got.samples) got.samples = await classSamples(got.data.train, SAMPLES_PER_CLASS);
  return got;
}
