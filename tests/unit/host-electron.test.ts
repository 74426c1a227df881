import { describe, expect, it, vi } from 'vitest';
import type { NetwrightBridge } from '../../renderer/src/host/bridge';
import { cleanIpcError, createElectronHost } from '../../renderer/src/host/electron';
import { createHost } from '../../renderer/src/host/index';
import { CHANNELS } from '../../electron/shared/channels';

function fakeBridge(overrides: Partial<NetwrightBridge> = {}): NetwrightBridge {
  return {
    apiVersion: 1,
    openFile: vi.fn(async () => ({ name: 'a.json', data: new Uint8Array([1]), path: '/x/a.json' })),
    saveFile: vi.fn(async (req) => ({ name: req.suggestedName, path: `/x/${req.suggestedName}` })),
    exportFiles: vi.fn(async () => true),
    pickDataset: vi.fn(async () => null),
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
    ...overrides,
  };
}

const BASE = 'app://netwright/index.html';

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
