import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it, vi } from 'vitest';
import {
  AUTOSAVE_LOCAL_KEY,
  createBrowserAutosave,
  browserAutosaveEnvironment,
  indexedDbBackend,
  localStorageBackend,
  memoryBackend,
  withFallback,
  type AutosaveBackend,
} from '../../renderer/src/host/browser-autosave';
import { createBrowserHost, safeDownloadName, toAcceptAttribute, toPickerTypes } from '../../renderer/src/host/browser';

function mapStorage(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return {
    map,
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
  };
}

/** An IDBFactory whose open() always fails, like Firefox's old private mode. */
const brokenIdb = {
  open() {
    const request: { error?: Error; onerror?: () => void } = {};
    setTimeout(() => {
      request.error = new Error('InvalidStateError: IndexedDB is disabled');
      request.onerror?.();
    });
    return request;
  },
} as unknown as IDBFactory;

const failing = (name: string): AutosaveBackend => ({
  name,
  load: async () => {
    throw new Error(`${name} load failed`);
  },
  store: async () => {
    throw new Error(`${name} store failed`);
  },
});

describe('browser autosave backends', () => {
  it('IndexedDB: empty, then the latest text, across connections', async () => {
    const factory = new IDBFactory();
    const a = indexedDbBackend(factory);
    expect(await a.load()).toBeNull();
    await a.store('one');
    await a.store('two');
    expect(await a.load()).toBe('two');
    expect(await indexedDbBackend(factory).load()).toBe('two'); // a new page load sees it
  });

  it('IndexedDB: stores large projects', async () => {
    const backend = indexedDbBackend(new IDBFactory());
    const big = 'x'.repeat(8 * 1024 * 1024);
    await backend.store(big);
    expect((await backend.load())?.length).toBe(big.length);
  });

  it('localStorage: stores under its key and explains a full quota', async () => {
    const storage = mapStorage();
    const backend = localStorageBackend(storage);
    await backend.store('p');
    expect(storage.map.get(AUTOSAVE_LOCAL_KEY)).toBe('p');
    const full = localStorageBackend({
      getItem: () => null,
      setItem: () => {
        throw Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
      },
    });
    await expect(full.store('p')).rejects.toThrow(/did not fit.*QuotaExceededError/);
  });

  it('falls back to the next backend and stays there', async () => {
    const second = memoryBackend();
    const onFallback = vi.fn();
    const store = withFallback([failing('first'), second], onFallback);
    await store.store('t');
    expect(await second.load()).toBe('t');
    expect(await store.load()).toBe('t');
    expect(store.name).toBe('memory');
    expect(onFallback).toHaveBeenCalledTimes(1);
  });

  it('loads what a fallback saved in an earlier session', async () => {
    const local = mapStorage({ [AUTOSAVE_LOCAL_KEY]: 'from last time' });
    const store = createBrowserAutosave({ indexedDB: new IDBFactory(), localStorage: local });
    expect(await store.load()).toBe('from last time');
    await store.store('now');
    expect(await store.load()).toBe('now'); // IndexedDB wins once it has a value
  });

  it('uses localStorage when IndexedDB cannot open, and reports when nothing works', async () => {
    const local = mapStorage();
    const store = createBrowserAutosave({ indexedDB: brokenIdb, localStorage: local }, () => undefined);
    await store.store('kept');
    expect(local.map.get(AUTOSAVE_LOCAL_KEY)).toBe('kept');
    expect(await store.load()).toBe('kept');
    await expect(withFallback([failing('a')], () => undefined).store('x')).rejects.toThrow('a store failed');
  });

  it('reads window storage defensively', () => {
    const win = {
      indexedDB: undefined,
      get localStorage(): Storage {
        throw new Error('SecurityError');
      },
    };
    expect(browserAutosaveEnvironment(win)).toEqual({});
  });
});

describe('picker helpers', () => {
  it('maps host filters to picker types and accept attributes', () => {
    const filters = [{ name: 'Project', extensions: ['json'] }, { name: 'All', extensions: ['*'] }];
    expect(toPickerTypes(filters)).toEqual([{ description: 'Project', accept: { 'application/octet-stream': ['.json'] } }]);
    expect(toPickerTypes(undefined)).toBeUndefined();
    expect(toAcceptAttribute([{ name: 'x', extensions: ['json', 'onnx'] }])).toBe('.json,.onnx');
    expect(safeDownloadName('a/b:c?.json')).toBe('a_b_c_.json');
    expect(safeDownloadName('  ')).toBe('download');
  });
});

/** A window with File System Access pickers over an in-memory "disk". */
function fsaWindow() {
  const disk = new Map<string, Uint8Array>();
  const handle = (path: string) => ({
    name: path.split('/').pop()!,
    getFile: async () => new File([(disk.get(path) ?? new Uint8Array()) as Uint8Array<ArrayBuffer>], path),
    createWritable: async () => {
      const chunks: Uint8Array[] = [];
      return {
        write: async (d: Uint8Array) => void chunks.push(d),
        close: async () => void disk.set(path, Uint8Array.from(chunks.flatMap((c) => [...c]))),
      };
    },
  });
  const dirHandle = (path: string): unknown => ({
    getDirectoryHandle: async (name: string) => dirHandle(`${path}/${name}`),
    getFileHandle: async (name: string) => handle(`${path}/${name}`),
  });
  const abort = () => Promise.reject(Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' }));
  const win = {
    document: { baseURI: 'https://example.org/netwright/index.html' },
    indexedDB: new IDBFactory(),
    showSaveFilePicker: vi.fn(async (o: { suggestedName: string }) => handle(`picked/${o.suggestedName}`)),
    showOpenFilePicker: vi.fn(async () => [handle('picked/net.netwright.json')]),
    showDirectoryPicker: vi.fn(async () => dirHandle('exports')),
    confirm: vi.fn(() => false),
    alert: vi.fn(),
  };
  return { win, disk, abort };
}

describe('browser host with the File System Access API', () => {
  it('saves through the picker, then saves in place without asking', async () => {
    const { win, disk } = fsaWindow();
    const host = createBrowserHost(win as unknown as Window);
    const saved = await host.saveFile({ suggestedName: 'net.netwright.json', data: 'v1', filters: [{ name: 'P', extensions: ['json'] }] });
    expect(saved?.name).toBe('net.netwright.json');
    expect(win.showSaveFilePicker).toHaveBeenCalledWith({
      suggestedName: 'net.netwright.json',
      types: [{ description: 'P', accept: { 'application/octet-stream': ['.json'] } }],
    });
    await host.saveFile({ suggestedName: 'net.netwright.json', data: 'v2', path: saved!.path });
    expect(win.showSaveFilePicker).toHaveBeenCalledTimes(1);
    expect(new TextDecoder().decode(disk.get('picked/net.netwright.json'))).toBe('v2');
  });

  it('opens a file with a handle that saving can reuse; cancel gives null', async () => {
    const { win, disk, abort } = fsaWindow();
    disk.set('picked/net.netwright.json', new TextEncoder().encode('{"a":1}'));
    const host = createBrowserHost(win as unknown as Window);
    const file = await host.openFile({});
    expect(new TextDecoder().decode(file!.data)).toBe('{"a":1}');
    await host.saveFile({ suggestedName: 'x.json', data: 'edited', path: file!.path });
    expect(win.showSaveFilePicker).not.toHaveBeenCalled();
    expect(new TextDecoder().decode(disk.get('picked/net.netwright.json'))).toBe('edited');
    win.showOpenFilePicker.mockImplementationOnce(abort);
    expect(await host.openFile({})).toBeNull();
    win.showSaveFilePicker.mockImplementationOnce(abort);
    expect(await host.saveFile({ suggestedName: 'y.json', data: '' })).toBeNull();
  });

  it('exports into a new folder under the chosen directory', async () => {
    const { win, disk } = fsaWindow();
    const host = createBrowserHost(win as unknown as Window);
    const ok = await host.exportFiles({ suggestedName: 'mnist-net', files: [{ name: 'model.json', data: '{}' }, { name: 'weights.bin', data: new Uint8Array([1, 2]) }] });
    expect(ok).toBe(true);
    expect([...disk.keys()].sort()).toEqual(['exports/mnist-net/model.json', 'exports/mnist-net/weights.bin']);
  });

  it('uses window dialogs, IndexedDB autosave and the page base URL', async () => {
    const { win } = fsaWindow();
    const host = createBrowserHost(win as unknown as Window);
    expect(await host.confirm('Discard?')).toBe(false);
    await host.showError('Oops', 'details');
    expect(win.alert).toHaveBeenCalledWith('Oops\n\ndetails');
    expect(await host.loadAutosave()).toBeNull();
    await host.storeAutosave('project');
    expect(await createBrowserHost(win as unknown as Window).loadAutosave()).toBe('project');
    expect(host.mnistBaseUrl()).toBe('https://example.org/netwright/data/mnist/');
  });
});
