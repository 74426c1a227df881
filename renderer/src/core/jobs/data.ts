// Where a job's data comes from: MNIST fetched once per URL, a dataset the renderer imported and
// sent as arrays (kept by id), or a stored dataset opened from disk by id and streamed in batches
// (core/data/store: OPFS in the app, the file system in Node). Only the newest two imported
// datasets of each kind are kept open; older stored ones are closed.
import { inMemory, loadMnist, type FetchFn, type SourceData, type TrainTestData } from '../data/dataset';
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

const KEEP = 2;

export class DataKeeper {
  private data = new Map<string, Promise<SourceData>>();
  private closers = new Map<string, () => Promise<void>>();
  /** Whole splits read for jobs that index images (viz, lab), per dataset key. */
  private whole = new Map<string, Promise<TrainTestData>>();

  constructor(private readonly deps: DataDeps) {}

  /** The data a ref points at; `onProgress` hears MNIST's download. */
  load(ref: DatasetRef, onProgress?: (m: string) => void): Promise<SourceData> {
    switch (ref.kind) {
      case 'mnist': {
        const key = `mnist:${ref.baseUrl}`;
        let p = this.data.get(key);
        if (!p) {
          p = loadMnist(ref.baseUrl, this.deps.fetchFn, (pr) => onProgress?.(`Loaded ${pr.file} (${pr.loaded}/${pr.files})`));
          // A failed download should be retried by the next run, not cached.
          p.catch(() => this.forget(key));
          this.data.set(key, p);
        }
        return p;
      }
      case 'memory': {
        const key = `memory:${ref.id}`;
        if (ref.data) {
          this.forget(key);
          this.keepRoom('memory:');
          this.data.set(key, Promise.resolve(ref.data));
        }
        return this.data.get(key) ?? Promise.reject(new Error(`The dataset "${ref.name}" is no longer loaded; import it again.`));
      }
      case 'stored': {
        const key = `stored:${ref.id}`;
        let p = this.data.get(key);
        if (!p) {
          const open = this.deps.openStored;
          if (!open) return Promise.reject(new Error(`The dataset "${ref.name}" is stored on disk, and this environment cannot read stored datasets.`));
          this.keepRoom('stored:');
          p = open(ref.id).then(
            (o) => {
              this.closers.set(key, o.close);
              return o.data;
            },
            (e: unknown) => {
              throw new Error(`The dataset "${ref.name}" could not be opened (${e instanceof Error ? e.message : String(e)}); import it again.`);
            },
          );
          p.catch(() => this.forget(key));
          this.data.set(key, p);
        }
        return p;
      }
      default: {
        const never: never = ref;
        throw new Error(`unknown dataset ${JSON.stringify(never)}`);
      }
    }
  }

  /** Both splits in memory (a streamed split is read whole once): for jobs that index images. */
  loadWhole(ref: DatasetRef): Promise<TrainTestData> {
    const key = ref.kind === 'mnist' ? `mnist:${ref.baseUrl}` : `${ref.kind}:${ref.id}`;
    if (ref.kind === 'memory' && ref.data) this.whole.delete(key);
    let p = this.whole.get(key);
    if (!p) {
      p = this.load(ref).then(async (d) => ({ train: await inMemory(d.train), test: await inMemory(d.test) }));
      p.catch(() => this.whole.delete(key));
      this.whole.set(key, p);
    }
    return p;
  }

  /** Makes room for one more dataset of a kind: the oldest beyond KEEP − 1 are dropped (and closed). */
  private keepRoom(prefix: string): void {
    const kept = [...this.data.keys()].filter((k) => k.startsWith(prefix));
    for (const k of kept.slice(0, Math.max(0, kept.length - (KEEP - 1)))) this.forget(k);
  }

  private forget(key: string): void {
    this.data.delete(key);
    this.whole.delete(key);
    const close = this.closers.get(key);
    this.closers.delete(key);
    if (close) void close().catch(() => undefined);
  }
}
