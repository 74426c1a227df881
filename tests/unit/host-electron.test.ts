import { describe, expect, it, vi } from 'vitest';
import type { NetwrightBridge } from '../../renderer/src/host/bridge';
import { cleanIpcError, createElectronHost } from '../../renderer/src/host/electron';
import { createHost } from '../../renderer/src/host/index';
import { CHANNELS } from '../../electron/shared/channels';
import { createPinia, setActivePinia } from 'pinia';
import { serializeProject } from '../../renderer/src/core/graph/project';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { memoryRunStorage, setRunStorage } from '../../renderer/src/host/run-storage';
import { setHost } from '../../renderer/src/composables/useHost';
import { useProjectStore } from '../../renderer/src/stores/project';
import { setDatasetCache, setImportWorkerFactory, useDatasetStore, type ImportRequest, type ImportWorker } from '../../renderer/src/stores/dataset';

const PROJECT = serializeProject({ graph: TEMPLATES[1].graph, trainConfig: { ...DEFAULT_TRAIN_CONFIG } });

function fakeBridge(overrides: Partial<NetwrightBridge> = {}): NetwrightBridge {
  return {
    apiVersion: 1,
    openFile: vi.fn(async () => ({ name: 'a.json', data: new Uint8Array([1]), path: '/x/a.json' })),
    saveFile: vi.fn(async (req) => ({ name: req.suggestedName, path: `/x/${req.suggestedName}` })),
    exportFiles: vi.fn(async () => true),
    pickDataset: vi.fn(async () => null),
    pickDatasetFolder: vi.fn(async () => ({ token: 'a'.repeat(32), name: 'pets', files: [{ path: 'cats/1.png', size: 2 }], dirs: ['cats'], skipped: [] })),
    readDatasetFile: vi.fn(async (_token: string, path: string) => new TextEncoder().encode(path)),
    confirm: vi.fn(async () => true),
    showError: vi.fn(async () => undefined),
    loadAutosave: vi.fn(async () => 'saved'),
    storeAutosave: vi.fn(async () => undefined),
    onMenuCommand: vi.fn(() => () => undefined),
    onFilesWaiting: vi.fn(() => () => undefined),
    takeGivenFiles: vi.fn(async () => []),
    openDroppedFile: vi.fn(async () => null),
    onCloseQuery: vi.fn(() => () => undefined),
    onSaveBeforeClose: vi.fn(() => () => undefined),
    editText: vi.fn(async () => undefined),
    showAbout: vi.fn(async () => undefined),
    openFiles: vi.fn(async () => [{ name: 'model.json', data: new Uint8Array([1]) }, { name: 'w.bin', data: new Uint8Array([2]) }]),
    listRecent: vi.fn(async () => [{ id: 'a'.repeat(32), name: 'net.netwright.json', at: 5, reopenable: true }]),
    openRecent: vi.fn(async () => ({ name: 'net.netwright.json', data: new TextEncoder().encode(PROJECT), path: '/x/net.netwright.json' })),
    clearRecent: vi.fn(async () => undefined),
    ...overrides,
  };
}

const BASE = 'app://netwright/index.html';
const ipcError = (channel: string, message: string) => new Error(`Error invoking remote method 'netwright:${channel}': IpcValidationError: ${message}`);

describe('electron host', () => {
  it('passes calls through and resolves the MNIST URL against the page', async () => {
    const bridge = fakeBridge();
    const host = createElectronHost(bridge, BASE);
    expect(host.kind).toBe('electron');
    expect(host.mnistBaseUrl()).toBe('app://netwright/data/mnist/');
    expect(await host.openFile({ title: 'Open' })).toEqual({ name: 'a.json', data: new Uint8Array([1]), path: '/x/a.json' });
    expect(await host.confirm('Sure?')).toBe(true);
    expect(await host.loadAutosave()).toBe('saved');
    await host.storeAutosave('t');
    expect(bridge.storeAutosave).toHaveBeenCalledWith('t');
    await host.showError('T', 'M');
    expect(bridge.showError).toHaveBeenCalledWith('T', 'M');
  });

  it('sends plain, compact arguments (no Vue proxies, no oversized buffers)', async () => {
    const bridge = fakeBridge();
    const host = createElectronHost(bridge, BASE);
    const big = new Uint8Array(1024);
    const filters = new Proxy([{ name: 'Project', extensions: ['json'] }], {}); // like a reactive array
    await host.saveFile({ suggestedName: 'w.bin', data: big.subarray(0, 4), filters, path: '/x/w.bin' });
    const sent = vi.mocked(bridge.saveFile).mock.calls[0][0];
    expect((sent.data as Uint8Array).buffer.byteLength).toBe(4);
    expect(sent.filters).toEqual([{ name: 'Project', extensions: ['json'] }]);
    expect(() => structuredClone(filters)).toThrow(); // what IPC would have done with the proxy
    expect(() => structuredClone(sent)).not.toThrow();
    expect(sent.path).toBe('/x/w.bin');
    await host.saveFile({ suggestedName: 'n.json', data: '{}' });
    expect(vi.mocked(bridge.saveFile).mock.calls[1][0]).not.toHaveProperty('path');
    await host.exportFiles({ suggestedName: 'm', files: [{ name: 'weights.bin', data: big.subarray(8, 16) }] });
    const exported = vi.mocked(bridge.exportFiles).mock.calls[0][0];
    expect((exported.files[0].data as Uint8Array).buffer.byteLength).toBe(8);
  });

  it('strips the IPC prefix from main-process errors', async () => {
    const bridge = fakeBridge({
      saveFile: async () => {
        throw new Error("Error invoking remote method 'netwright:save-file': IpcValidationError: Invalid suggestedName: must not contain / or \\");
      },
    });
    const host = createElectronHost(bridge, BASE);
    await expect(host.saveFile({ suggestedName: 'a/b.json', data: '' })).rejects.toThrow(/^Invalid suggestedName: must not contain/);
    expect(cleanIpcError(new Error('plain')).message).toBe('plain');
    expect(cleanIpcError('text').message).toBe('text');
  });

  it('picks a dataset folder through main: a listing without the token, files read one by one with it', async () => {
    const bridge = fakeBridge();
    const host = createElectronHost(bridge, BASE);
    const folder = await host.pickDatasetFolder!();
    expect(folder).toEqual({ name: 'pets', files: [{ path: 'cats/1.png', size: 2 }], dirs: ['cats'], skipped: [], read: expect.any(Function) });
    expect(bridge.readDatasetFile).not.toHaveBeenCalled(); // nothing read until asked
    expect(new TextDecoder().decode(await folder!.read('cats/1.png'))).toBe('cats/1.png');
    expect(bridge.readDatasetFile).toHaveBeenCalledWith('a'.repeat(32), 'cats/1.png');
    vi.mocked(bridge.pickDatasetFolder!).mockResolvedValueOnce(null);
    expect(await host.pickDatasetFolder!()).toBeNull();
    vi.mocked(bridge.readDatasetFile!).mockRejectedValueOnce(new Error("Error invoking remote method 'netwright:read-dataset-file': IpcValidationError: Invalid dataset file path: must be relative"));
    await expect(folder!.read('/etc/passwd')).rejects.toThrow(/^Invalid dataset file path/);
    // An older preload without the methods: the host does not offer the capability.
    const old = createElectronHost(fakeBridge({ pickDatasetFolder: undefined, readDatasetFile: undefined }), BASE);
    expect(old.pickDatasetFolder).toBeUndefined();
  });

  it('opens several files through main\'s multi-select dialog, with plain filters', async () => {
    const bridge = fakeBridge();
    const host = createElectronHost(bridge, BASE);
    const filters = new Proxy([{ name: 'TF.js', extensions: new Proxy(['json', 'bin'], {}) }], {}); // like a reactive array
    const files = await host.openFiles!({ title: 'Import', filters });
    expect(files).toEqual([{ name: 'model.json', data: new Uint8Array([1]) }, { name: 'w.bin', data: new Uint8Array([2]) }]);
    const sent = vi.mocked(bridge.openFiles!).mock.calls[0][0];
    expect(sent).toEqual({ title: 'Import', filters: [{ name: 'TF.js', extensions: ['json', 'bin'] }] });
    expect(() => structuredClone(sent)).not.toThrow();
    vi.mocked(bridge.openFiles!).mockResolvedValueOnce(null);
    expect(await host.openFiles!({})).toBeNull();
    vi.mocked(bridge.openFiles!).mockRejectedValueOnce(ipcError('open-files', 'Choose at most 64 files'));
    await expect(host.openFiles!({})).rejects.toThrow(/^Choose at most 64 files$/);
    // An older preload: no openFiles, and callers fall back to pickDataset.
    expect(createElectronHost(fakeBridge({ openFiles: undefined }), BASE).openFiles).toBeUndefined();
  });

  it('shows main\'s recent list: lists, opens by id, clears; note leaves the list to main', async () => {
    const bridge = fakeBridge();
    const recent = createElectronHost(bridge, BASE).recent!;
    expect(await recent.list()).toEqual([{ id: 'a'.repeat(32), name: 'net.netwright.json', at: 5, reopenable: true }]);
    const file = await recent.open('a'.repeat(32));
    expect(file).toMatchObject({ name: 'net.netwright.json', path: '/x/net.netwright.json' });
    expect(bridge.openRecent).toHaveBeenCalledWith('a'.repeat(32));
    vi.mocked(bridge.openRecent!).mockResolvedValueOnce(null);
    expect(await recent.open('b'.repeat(32))).toBeNull();
    await recent.note({ name: 'elsewhere.netwright.json', path: '/etc/elsewhere.netwright.json' });
    const calls = Object.entries(bridge).filter(([, fn]) => vi.isMockFunction(fn) && fn.mock.calls.some((c: unknown[]) => JSON.stringify(c).includes('/etc/')));
    expect(calls).toEqual([]); // no path from the page reaches main's list
    await recent.clear();
    expect(bridge.clearRecent).toHaveBeenCalledTimes(1);
    vi.mocked(bridge.openRecent!).mockRejectedValueOnce(ipcError('open-recent', 'Invalid recent project id: expected an id from the recent list'));
    await expect(recent.open('/etc/passwd')).rejects.toThrow(/^Invalid recent project id/);
    vi.mocked(bridge.listRecent!).mockRejectedValueOnce(ipcError('list-recent', 'refused'));
    await expect(recent.list()).rejects.toThrow(/^refused$/);
    // An older preload without the recent methods: no in-window list.
    expect(createElectronHost(fakeBridge({ listRecent: undefined }), BASE).recent).toBeUndefined();
  });

  it('refuses a preload of another API version', () => {
    const stale = { ...fakeBridge(), apiVersion: 2 } as unknown as NetwrightBridge;
    expect(() => createElectronHost(stale, BASE)).toThrow(/version/);
  });

  it('has one IPC channel per bridge method', () => {
    // Subscriptions listen to main's EVENTS; their answers share the one 'answer' channel.
    const subscriptions = ['onMenuCommand', 'onFilesWaiting', 'onCloseQuery', 'onSaveBeforeClose'];
    const methods = [...Object.keys(fakeBridge()).filter((k) => k !== 'apiVersion' && !subscriptions.includes(k)), 'answer'].sort();
    expect(Object.keys(CHANNELS).sort()).toEqual(methods);
    expect(new Set(Object.values(CHANNELS)).size).toBe(methods.length);
    for (const channel of Object.values(CHANNELS)) expect(channel).toMatch(/^netwright:[a-z-]+$/);
  });
});

describe('Recent in the desktop app (fake bridge → electron host → project store)', () => {
  it('lists main\'s recent projects and reopens one by its id, keeping its path for Save', async () => {
    setActivePinia(createPinia());
    setRunStorage(memoryRunStorage());
    const bridge = fakeBridge({ openFile: vi.fn(async () => ({ name: 'picked.netwright.json', data: new TextEncoder().encode(PROJECT), path: '/x/picked.netwright.json' })) });
    setHost(createElectronHost(bridge, BASE));
    const project = useProjectStore();
    await project.refreshRecent();
    expect(project.recent.map((r) => r.name)).toEqual(['net.netwright.json']);
    expect(await project.openRecent('a'.repeat(32))).toBe(true);
    expect(bridge.openRecent).toHaveBeenCalledWith('a'.repeat(32));
    expect(project.path).toBe('/x/net.netwright.json');
    expect(bridge.openFile).not.toHaveBeenCalled();
    // Gone since: the picker instead.
    vi.mocked(bridge.openRecent!).mockResolvedValueOnce(null);
    expect(await project.openRecent('a'.repeat(32))).toBe(true);
    expect(bridge.openFile).toHaveBeenCalledTimes(1);
    expect(project.path).toBe('/x/picked.netwright.json');
  });
});

describe('createHost', () => {
  const fakeWindow = (extra: object) =>
    ({ document: { baseURI: 'http://localhost:4173/' }, ...extra }) as unknown as Window;

  it('uses the bridge when the preload put one there', () => {
    expect(createHost(fakeWindow({ netwright: fakeBridge() })).kind).toBe('electron');
  });
  it('falls back to the browser host without touching the DOM', () => {
    const host = createHost(fakeWindow({}));
    expect(host.kind).toBe('browser');
    expect(host.mnistBaseUrl()).toBe('http://localhost:4173/data/mnist/');
  });
});

describe('Import folder… in the desktop app (fake bridge → electron host → dataset store)', () => {
  const files = ['cats/1.png', 'cats/2.png', 'dogs/1.png', 'dogs/bad.png'].map((path) => ({ path, size: 4 }));
  function setup(read: (token: string, path: string) => Promise<Uint8Array>) {
    setActivePinia(createPinia());
    setDatasetCache(null);
    const sent: ImportRequest[] = [];
    const worker: ImportWorker = { onmessage: null, postMessage: (m) => void sent.push(m) };
    setImportWorkerFactory(() => worker);
    const bridge = fakeBridge({
      pickDatasetFolder: vi.fn(async () => ({ token: 'b'.repeat(32), name: 'pets', files, dirs: ['cats', 'dogs', 'empty'], skipped: [{ file: 'link.png', reason: 'a link: links are not followed' }] })),
      readDatasetFile: vi.fn(read),
    });
    return { bridge, sent, host: createElectronHost(bridge, BASE), store: useDatasetStore() };
  }

  it('reads the listed files one IPC call each, with progress, then imports them with the folder structure', async () => {
    const seen: string[] = [];
    const { bridge, sent, host, store } = setup(async (_t, path) => {
      const p = useDatasetStore().progress;
      seen.push(`${p.done}/${p.total}`);
      if (path === 'dogs/bad.png') throw new Error("Error invoking remote method 'netwright:read-dataset-file': FileTooLargeError: dogs/bad.png is too large");
      return new TextEncoder().encode(path);
    });
    const folder = (await host.pickDatasetFolder!())!;
    const importing = store.importFolder(folder, 1);
    expect(store.isImporting).toBe(true);
    const id = await importing;
    expect(seen).toEqual(['0/4', '1/4', '2/4', '3/4']);
    expect(id).toMatch(/^data_/);
    expect(vi.mocked(bridge.readDatasetFile!).mock.calls.map((c) => c[1])).toEqual(files.map((f) => f.path));
    expect(vi.mocked(bridge.readDatasetFile!).mock.calls.every((c) => c[0] === 'b'.repeat(32))).toBe(true);
    const req = sent[0] as Extract<ImportRequest, { type: 'import' }>;
    expect(req.name).toBe('pets');
    expect(req.dirs).toEqual(['cats', 'dogs', 'empty']);
    expect(req.files.map((f) => f.path)).toEqual(['cats/1.png', 'cats/2.png', 'dogs/1.png']);
    expect(await req.files[2].blob.text()).toBe('dogs/1.png');
    expect(store.folderSkipped).toEqual([
      { file: 'link.png', reason: 'a link: links are not followed' },
      { file: 'dogs/bad.png', reason: 'dogs/bad.png is too large' },
    ]);
  });

  it('Cancel while reading stops the reads and imports nothing', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const { bridge, sent, host, store } = setup(async (_t, path) => {
      await gate;
      return new TextEncoder().encode(path);
    });
    const importing = store.importFolder((await host.pickDatasetFolder!())!, 1);
    await vi.waitFor(() => expect(bridge.readDatasetFile).toHaveBeenCalledTimes(1));
    store.cancel();
    expect(store.isImporting).toBe(false);
    release();
    expect(await importing).toBeNull();
    expect(bridge.readDatasetFile).toHaveBeenCalledTimes(1);
    expect(sent).toEqual([]);
  });
});
