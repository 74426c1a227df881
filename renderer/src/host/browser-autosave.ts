// Autosave for the browser host: IndexedDB (large projects fit), localStorage when IndexedDB
// is unavailable or fails (some private modes), memory as a last resort. No DOM globals are read
// here: the caller passes what it has, so tests can run in Node.
export interface AutosaveBackend {
  readonly name: string;
  load(): Promise<string | null>;
  store(text: string): Promise<void>;
}

export const AUTOSAVE_DB = 'netwright';
export const AUTOSAVE_STORE = 'autosave';
export const AUTOSAVE_KEY = 'project';
export const AUTOSAVE_LOCAL_KEY = 'netwright:autosave';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

export function indexedDbBackend(factory: IDBFactory, dbName = AUTOSAVE_DB): AutosaveBackend {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(dbName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(AUTOSAVE_STORE);
      request.onsuccess = () => {
        const opened = request.result;
        // Another tab upgrading the schema: step aside instead of blocking it.
        opened.onversionchange = () => {
          opened.close();
          db = null;
        };
        resolve(opened);
      };
      request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
      request.onblocked = () => reject(new Error('IndexedDB open blocked by another tab'));
    }).catch((err: unknown) => {
      db = null; // retry on the next call
      throw err;
    });
    return db;
  };
  return {
    name: 'indexeddb',
    async load() {
      const tx = (await open()).transaction(AUTOSAVE_STORE, 'readonly');
      const value = await promised(tx.objectStore(AUTOSAVE_STORE).get(AUTOSAVE_KEY));
      return typeof value === 'string' ? value : null;
    },
    async store(text) {
      const tx = (await open()).transaction(AUTOSAVE_STORE, 'readwrite');
      tx.objectStore(AUTOSAVE_STORE).put(text, AUTOSAVE_KEY);
      // Resolve on commit, not on the put's success: only then is it durable.
      await new Promise<void>((resolve, reject) => {
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error ?? new Error('IndexedDB write failed'));
        tx.onabort = () => reject(tx.error ?? new Error('IndexedDB write aborted'));
      });
    },
  };
}

export function localStorageBackend(storage: Pick<Storage, 'getItem' | 'setItem'>, key = AUTOSAVE_LOCAL_KEY): AutosaveBackend {
  return {
    name: 'localstorage',
    async load() {
      return storage.getItem(key);
    },
    async store(text) {
      try {
        storage.setItem(key, text);
      } catch (err) {
        throw new Error(`Autosave did not fit in the browser's local storage (${(err as Error).name})`, { cause: err });
      }
    },
  };
}

export function memoryBackend(): AutosaveBackend {
  let value: string | null = null;
  return {
    name: 'memory',
    load: async () => value,
    store: async (text) => {
      value = text;
    },
  };
}

/**
 * Tries `backends` in order. The first one that works is used from then on; one that throws is
 * skipped for the rest of the session. Load returns the first non-null value, so a project saved
 * by a fallback in an earlier session is still found.
 */
export function withFallback(backends: AutosaveBackend[], onFallback?: (from: string, err: unknown) => void): AutosaveBackend {
  let healthy = backends.slice();
  const drop = (backend: AutosaveBackend, err: unknown) => {
    healthy = healthy.filter((b) => b !== backend);
    onFallback?.(backend.name, err);
  };
  return {
    get name() {
      return healthy[0]?.name ?? 'none';
    },
    async load() {
      for (const backend of healthy.slice()) {
        try {
          const value = await backend.load();
          if (value !== null) return value;
        } catch (err) {
          drop(backend, err);
        }
      }
      return null;
    },
    async store(text) {
      let lastError: unknown = new Error('No autosave storage available');
      for (const backend of healthy.slice()) {
        try {
          await backend.store(text);
          return;
        } catch (err) {
          lastError = err;
          drop(backend, err);
        }
      }
      throw lastError;
    },
  };
}

export interface AutosaveEnvironment {
  indexedDB?: IDBFactory;
  localStorage?: Pick<Storage, 'getItem' | 'setItem'>;
}

/** Reading window.localStorage can itself throw (storage disabled), so it is read carefully. */
export function browserAutosaveEnvironment(win: { indexedDB?: IDBFactory; localStorage?: Storage }): AutosaveEnvironment {
  const env: AutosaveEnvironment = {};
  try {
    if (win.indexedDB) env.indexedDB = win.indexedDB;
  } catch {
    // unavailable
  }
  try {
    if (win.localStorage) env.localStorage = win.localStorage;
  } catch {
    // unavailable
  }
  return env;
}

export function createBrowserAutosave(env: AutosaveEnvironment, onFallback?: (from: string, err: unknown) => void): AutosaveBackend {
  const backends: AutosaveBackend[] = [];
  if (env.indexedDB) backends.push(indexedDbBackend(env.indexedDB));
  if (env.localStorage) backends.push(localStorageBackend(env.localStorage));
  backends.push(memoryBackend());
  return withFallback(backends, onFallback);
}
