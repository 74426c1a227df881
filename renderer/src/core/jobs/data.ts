// Where a job's data comes from: MNIST fetched once per URL, a dataset the renderer imported and
// sent as arrays (kept by id), or a stored dataset opened from disk by id and streamed in batches
// (core/data/store: OPFS in the app, the file system in Node). Only the newest two imported
// datasets of each kind are kept; a stored one that drops out is closed once no run or job that
// is using it (`use`) still reads it.
import { inMemory, loadMnist, type FetchFn, type ImageDataset, type SourceData } from '../data/dataset';
import type { DatasetRef } from '../train/protocol';

/** A stored dataset opened for reading (core/data/store's openStored). */
export interface OpenedStore {
  data: SourceData;
  close(): Promise<void>;
}

export interface DataDeps {
  fetchFn?: FetchFn;
  /** Opens a stored dataset by id; absent where nothing is stored (a stored ref is then an error). */
  openStored?: (id: string) => Promise<OpenedStore>;
}

interface Entry {
  data: Promise<SourceData>;
  close?: () => Promise<void>;
  /** Runs and jobs inside `use` right now. */
  users: number;
  /** Dropped from the map: close when the last user leaves. */
  evicted: boolean;
  /** Splits read whole for jobs that index images (viz, lab), each once. */
  whole: Partial<Record<'train' | 'test', Promise<ImageDataset>>>;
}

const KEEP = 2;

const keyOf = (ref: DatasetRef) => (ref.kind === 'mnist' ? `mnist:${ref.baseUrl}` : `${ref.kind}:${ref.id}`);

export class DataKeeper {
  private entries = new Map<string, Entry>();

  constructor(private readonly deps: DataDeps) {}

  /** The data a ref points at, for a moment's use (a check); `onProgress` hears MNIST's download. */
  load(ref: DatasetRef, onProgress?: (m: string) => void): Promise<SourceData> {
    return this.entry(ref, onProgress).data;
  }

  /**
   * Runs `fn` with the data, which stays open until `fn` settles (training, a job). `split` gives
   * one split in memory (a streamed split is read whole, once) from the same held dataset: for
   * jobs that index images.
   */
  async use<T>(ref: DatasetRef, fn: (data: SourceData, split: (which: 'train' | 'test') => Promise<ImageDataset>) => Promise<T>): Promise<T> {
    const e = this.entry(ref);
    e.users++;
    try {
      return await fn(await e.data, (which) => this.wholeSplit(e, which));
    } finally {
      e.users--;
      if (e.evicted && e.users === 0) this.closeEntry(e);
    }
  }

  private wholeSplit(e: Entry, which: 'train' | 'test'): Promise<ImageDataset> {
    let p = e.whole[which];
    if (!p) {
      p = e.data.then((d) => inMemory(d[which]));
      p.catch(() => delete e.whole[which]);
      e.whole[which] = p;
    }
    return p;
  }

  private entry(ref: DatasetRef, onProgress?: (m: string) => void): Entry {
    const key = keyOf(ref);
    if (ref.kind === 'memory' && ref.data) this.drop(key); // the message brings the arrays again
    const held = this.entries.get(key);
    if (held) return held;
    switch (ref.kind) {
      case 'mnist': {
        const e = this.add(key, loadMnist(ref.baseUrl, this.deps.fetchFn, (pr) => onProgress?.(`Loaded ${pr.file} (${pr.loaded}/${pr.files})`)));
        // A failed download should be retried by the next run, not cached.
        e.data.catch(() => this.drop(key));
        return e;
      }
      case 'memory': {
        if (!ref.data) return { data: Promise.reject(new Error(`The dataset "${ref.name}" is no longer loaded; import it again.`)), users: 0, evicted: true, whole: {} };
        this.keepRoom('memory:');
        return this.add(key, Promise.resolve(ref.data));
      }
      case 'stored': {
        const open = this.deps.openStored;
        if (!open) return { data: Promise.reject(new Error(`The dataset "${ref.name}" is stored on disk, and this environment cannot read stored datasets.`)), users: 0, evicted: true, whole: {} };
        this.keepRoom('stored:');
        const e: Entry = { data: Promise.resolve() as unknown as Promise<SourceData>, users: 0, evicted: false, whole: {} };
        e.data = open(ref.id).then(
          (o) => {
            e.close = o.close;
            // Dropped while it was opening, and nobody waits for it: close at once.
            if (e.evicted && e.users === 0) this.closeEntry(e);
            return o.data;
          },
          (err: unknown) => {
            throw new Error(`The dataset "${ref.name}" could not be opened (${err instanceof Error ? err.message : String(err)}); import it again.`);
          },
        );
        e.data.catch(() => this.drop(key));
        this.entries.set(key, e);
        return e;
      }
      default: {
        const never: never = ref;
        throw new Error(`unknown dataset ${JSON.stringify(never)}`);
      }
    }
  }

  private add(key: string, data: Promise<SourceData>): Entry {
    const e: Entry = { data, users: 0, evicted: false, whole: {} };
    this.entries.set(key, e);
    return e;
  }

  /** Makes room for one more dataset of a kind: the oldest beyond KEEP − 1 are dropped. */
  private keepRoom(prefix: string): void {
    const kept = [...this.entries.keys()].filter((k) => k.startsWith(prefix));
    for (const k of kept.slice(0, Math.max(0, kept.length - (KEEP - 1)))) this.drop(k);
  }

  private drop(key: string): void {
    const e = this.entries.get(key);
    if (!e) return;
    this.entries.delete(key);
    e.evicted = true;
    e.whole = {};
    if (e.users === 0) this.closeEntry(e);
  }

  private closeEntry(e: Entry): void {
    const close = e.close;
    e.close = undefined;
    if (close) void close().catch(() => undefined);
  }
}
