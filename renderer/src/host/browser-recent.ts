// Recent projects for the browser host, kept in IndexedDB. With the File System Access API the
// entry holds the file handle itself (IndexedDB stores handles), so a click reopens the file and a
// later Save writes back to it; without it only names are kept (the list still reminds the user
// what they worked on, and opening one shows the picker). No DOM globals are read here.
import { MAX_RECENT_PROJECTS, type OpenedFile, type RecentProject, type RecentProjects } from './host';

/** What is used of a FileSystemFileHandle (permissions are Chromium's, not yet in TypeScript's DOM lib). */
export interface RecentHandle {
  readonly name: string;
  getFile(): Promise<File>;
  isSameEntry?(other: RecentHandle): Promise<boolean>;
  queryPermission?(d: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
  requestPermission?(d: { mode: 'read' | 'readwrite' }): Promise<PermissionState>;
}

/** The handle ids the browser host hands out as `path` (its HandleRegistry). */
export interface HandleIds<H> {
  get(id: string | undefined): H | undefined;
  add(handle: H): string;
}

export interface Entry {
  id: string;
  name: string;
  at: number;
  handle?: RecentHandle;
}

export const RECENT_DB = 'netwright-recent';
const STORE = 'recent';

function promised<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

async function sameFile(a: Entry, name: string, handle: RecentHandle | undefined): Promise<boolean> {
  if (handle && a.handle?.isSameEntry) return a.handle.isSameEntry(handle).catch(() => false);
  return !handle && !a.handle && a.name === name;
}

/** Permission to read and write the file again (a click on the list is the user gesture it needs). */
async function permitted(handle: RecentHandle): Promise<boolean> {
  const mode = { mode: 'readwrite' as const };
  if (!handle.queryPermission) return true;
  if ((await handle.queryPermission(mode)) === 'granted') return true;
  return (await handle.requestPermission?.(mode)) === 'granted';
}

/** Where entries live: IndexedDB in the app (handles are structured-cloneable there), memory in tests. */
export interface RecentStore {
  all(): Promise<Entry[]>;
  write(put: Entry[], remove: string[]): Promise<void>;
}

export function indexedDbRecentStore(factory: IDBFactory, dbName = RECENT_DB): RecentStore {
  let db: Promise<IDBDatabase> | null = null;
  const open = (): Promise<IDBDatabase> => {
    db ??= new Promise<IDBDatabase>((resolve, reject) => {
      const request = factory.open(dbName, 1);
      request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: 'id' });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    }).catch((err: unknown) => {
      db = null;
      throw err;
    });
    return db;
  };
  return {
    async all() {
      const t = (await open()).transaction(STORE, 'readonly');
      return (await promised(t.objectStore(STORE).getAll())) as Entry[];
    },
    async write(put, remove) {
      const t = (await open()).transaction(STORE, 'readwrite');
      const s = t.objectStore(STORE);
      for (const id of remove) s.delete(id);
      for (const e of put) s.put(e);
      await new Promise<void>((resolve, reject) => {
        t.oncomplete = () => resolve();
        t.onerror = () => reject(t.error ?? new Error('IndexedDB write failed'));
        t.onabort = () => reject(t.error ?? new Error('IndexedDB write aborted'));
      });
    },
  };
}

export function memoryRecentStore(): RecentStore {
  const entries = new Map<string, Entry>();
  return {
    all: async () => [...entries.values()],
    write: async (put, remove) => {
      for (const id of remove) entries.delete(id);
      for (const e of put) entries.set(e.id, e);
    },
  };
}

export function createBrowserRecent<H extends RecentHandle>(store: RecentStore, handles: HandleIds<H>, now: () => number = Date.now): RecentProjects {
  let counter = 0;
  const all = async (): Promise<Entry[]> => (await store.all()).sort((a, b) => b.at - a.at);

  return {
    async list(): Promise<RecentProject[]> {
      return (await all()).map((e) => ({ id: e.id, name: e.name, at: e.at, reopenable: !!e.handle }));
    },
    async note(file) {
      const handle = handles.get(file.path);
      const list = await all();
      const same: string[] = [];
      for (const e of list) if (await sameFile(e, file.name, handle)) same.push(e.id);
      // Strictly newer than the newest, so the order holds within one millisecond too.
      const at = Math.max(now(), (list[0]?.at ?? 0) + 1);
      const entry: Entry = { id: `recent_${at.toString(36)}_${++counter}`, name: file.name, at, ...(handle ? { handle } : {}) };
      const kept = list.filter((e) => !same.includes(e.id)).slice(0, MAX_RECENT_PROJECTS - 1);
      await store.write([entry], list.filter((e) => !kept.includes(e)).map((e) => e.id));
    },
    async open(id): Promise<OpenedFile | null> {
      const entry = (await all()).find((e) => e.id === id);
      if (!entry?.handle || !(await permitted(entry.handle))) return null;
      try {
        const file = await entry.handle.getFile();
        return { name: entry.handle.name, data: new Uint8Array(await file.arrayBuffer()), path: handles.add(entry.handle as H) };
      } catch {
        return null; // moved or deleted since
      }
    },
    async clear() {
      await store.write([], (await all()).map((e) => e.id));
    },
  };
}
