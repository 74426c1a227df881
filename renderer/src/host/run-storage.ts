// Where run records and their latest checkpoints are kept between sessions: IndexedDB (the web app
// and Electron's renderer alike; ArrayBuffers are stored as they are, not as JSON numbers), or
// memory for tests and when IndexedDB is unavailable. No DOM globals are read here: callers pass
// the IDBFactory they have.
import type { RunRecord } from '../core/runs/record';
import type { Checkpoint } from '../core/train/protocol';

export interface RunStorage {
  readonly name: string;
  list(): Promise<RunRecord[]>;
  put(record: RunRecord): Promise<void>;
  remove(id: string): Promise<void>;
  putCheckpoint(runId: string, checkpoint: Checkpoint): Promise<void>;
  getCheckpoint(runId: string): Promise<Checkpoint | null>;
  removeCheckpoint(runId: string): Promise<void>;
}

export const RUNS_DB = 'netwright-runs';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export function indexedDbRunStorage(factory: IDBFactory, dbName = RUNS_DB): RunStorage {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(dbName, 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore('runs', { keyPath: 'id' });
        request.result.createObjectStore('checkpoints');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    }).catch((err: unknown) => {
      db = null; // retry on the next call
      throw err;
    });
    return db;
  };
  const tx = async <T>(store: 'runs' | 'checkpoints', mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const d = await open();
    const t = d.transaction(store, mode);
    const result = promised(fn(t.objectStore(store)));
    // Resolve only once the write is durable (the transaction completed), not when it was queued.
    await new Promise<void>((resolve, reject) => {
      t.oncomplete = () => resolve();
      t.onerror = () => reject(t.error ?? new Error('IndexedDB transaction failed'));
      t.onabort = () => reject(t.error ?? new Error('IndexedDB transaction aborted'));
    });
    return result;
  };
  return {
    name: 'IndexedDB',
    list: () => tx('runs', 'readonly', (s) => s.getAll() as IDBRequest<RunRecord[]>),
    put: async (record) => void (await tx('runs', 'readwrite', (s) => s.put(record))),
    remove: async (id) => {
      await tx('runs', 'readwrite', (s) => s.delete(id));
      await tx('checkpoints', 'readwrite', (s) => s.delete(id));
    },
    putCheckpoint: async (runId, c) => void (await tx('checkpoints', 'readwrite', (s) => s.put(c, runId))),
    getCheckpoint: async (runId) => ((await tx('checkpoints', 'readonly', (s) => s.get(runId) as IDBRequest<Checkpoint | undefined>)) ?? null),
    removeCheckpoint: async (runId) => void (await tx('checkpoints', 'readwrite', (s) => s.delete(runId))),
  };
}

export function memoryRunStorage(): RunStorage {
  const runs = new Map<string, RunRecord>();
  const checkpoints = new Map<string, Checkpoint>();
  return {
    name: 'memory',
    list: async () => [...runs.values()].map((r) => structuredClone(r)),
    put: async (r) => void runs.set(r.id, structuredClone(r)),
    remove: async (id) => {
      runs.delete(id);
      checkpoints.delete(id);
    },
    putCheckpoint: async (id, c) => void checkpoints.set(id, structuredClone(c)),
    getCheckpoint: async (id) => (checkpoints.has(id) ? structuredClone(checkpoints.get(id) as Checkpoint) : null),
    removeCheckpoint: async (id) => void checkpoints.delete(id),
  };
}

let current: RunStorage | null = null;

/** Set once at startup (main.ts) or per test; memory until then. */
export function setRunStorage(storage: RunStorage): void {
  current = storage;
}

export function useRunStorage(): RunStorage {
  current ??= memoryRunStorage();
  return current;
}
