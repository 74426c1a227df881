// The Electron-touching modules (main/index.ts, main/ipc.ts) run here against a fake `electron`
// module: no binary needed. Checks the wiring: window settings, protocol, permissions,
// navigation guards, and each IPC handler's sender check, validation and file work.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../electron/shared/channels';
import { secureWebPreferences } from '../../electron/main/security';

type Fn = (...args: never[]) => unknown;

const fake = vi.hoisted(() => {
  const state = {
    handlers: new Map<string, (...args: unknown[]) => Promise<unknown>>(),
    appListeners: new Map<string, ((...args: unknown[]) => void)[]>(),
    windows: [] as { options: Record<string, unknown>; url?: string }[],
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    permissionRequest: undefined as undefined | ((...a: unknown[]) => void),
    permissionCheck: undefined as undefined | ((...a: unknown[]) => boolean),
    headerHooks: [] as unknown[],
    userData: '',
    sandboxEnabled: false,
  };
  return state;
});

const dialog = vi.hoisted(() => ({
  showOpenDialog: vi.fn(),
  showSaveDialog: vi.fn(),
  showMessageBox: vi.fn(),
}));
const shell = vi.hoisted(() => ({ openExternal: vi.fn(async () => undefined) }));

vi.mock('electron', () => {
  class BrowserWindow {
    options: Record<string, unknown>;
    url?: string;
    constructor(options: Record<string, unknown>) {
      this.options = options;
      fake.windows.push(this);
    }
    once() {}
    show() {}
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    static getAllWindows = () => fake.windows;
    static fromWebContents = () => undefined;
  }
  const ses = {
    setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => (fake.permissionRequest = fn),
    setPermissionCheckHandler: (fn: (...a: unknown[]) => boolean) => (fake.permissionCheck = fn),
    setDevicePermissionHandler: () => undefined,
    webRequest: { onHeadersReceived: (...a: unknown[]) => fake.headerHooks.push(a) },
    protocol: { handle: (scheme: string, fn: (req: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, fn) },
  };
  return {
    app: {
      isPackaged: false,
      enableSandbox: () => (fake.sandboxEnabled = true),
      setPath: (_name: string, path: string) => (fake.userData = path),
      getPath: () => fake.userData,
      requestSingleInstanceLock: () => true,
      on: (event: string, fn: (...args: unknown[]) => void) => {
        fake.appListeners.set(event, [...(fake.appListeners.get(event) ?? []), fn]);
      },
      whenReady: () => Promise.resolve(),
      quit: () => undefined,
      exit: () => undefined,
    },
    BrowserWindow,
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => fake.schemes.push(...s) },
    session: { defaultSession: ses },
    ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => Promise<unknown>) => fake.handlers.set(channel, fn) },
    dialog,
    shell,
  };
});

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-main-'));
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  vi.stubEnv('NETWRIGHT_USER_DATA_DIR', join(dir, 'userData'));
  await import('../../electron/main/index');
  await new Promise((r) => setTimeout(r, 0)); // let whenReady().then run
});
afterAll(() => {
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});

const trusted = { senderFrame: { url: 'app://netwright/index.html', parent: null }, sender: {} };
const invoke = (channel: string, ...args: unknown[]) => fake.handlers.get(channel)!(trusted, ...args);

describe('main process wiring', () => {
  it('registers app:// as privileged, enables the sandbox and uses the test profile', () => {
    expect(fake.schemes).toEqual([expect.objectContaining({ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) })]);
    expect(fake.sandboxEnabled).toBe(true);
    expect(fake.userData).toBe(join(dir, 'userData'));
  });

  it('opens one window with the secure preferences on app://', () => {
    expect(fake.windows).toHaveLength(1);
    const prefs = fake.windows[0].options.webPreferences as { preload: string };
    expect(prefs.preload).toMatch(/preload[/\\]index\.cjs$/);
    expect(prefs).toEqual(secureWebPreferences(prefs.preload));
    expect(fake.windows[0].url).toBe('app://netwright/index.html');
    expect(fake.headerHooks).toHaveLength(0); // dev-only hook
  });

  it('denies permission requests and checks', () => {
    const callback = vi.fn();
    fake.permissionRequest!({}, 'media', callback, { requestingUrl: 'app://netwright/' });
    expect(callback).toHaveBeenCalledWith(false);
    expect(fake.permissionCheck!({}, 'clipboard-read', 'app://netwright')).toBe(false);
  });

  it('serves app:// through the protocol handler', async () => {
    const handler = fake.protocolHandlers.get('app')!;
    const res = await handler(new Request('app://netwright/..%2f..%2fpackage.json'));
    expect(res.status).toBe(403);
  });

  it('guards navigation and window.open on every WebContents', () => {
    const listeners = new Map<string, (e: { url?: string; preventDefault: Fn }) => void>();
    let openHandler: ((d: { url: string }) => unknown) | undefined;
    const contents = {
      on: (event: string, fn: (e: { url?: string; preventDefault: Fn }) => void) => listeners.set(event, fn),
      setWindowOpenHandler: (fn: (d: { url: string }) => unknown) => (openHandler = fn),
    };
    for (const fn of fake.appListeners.get('web-contents-created')!) fn({}, contents);
    const navigate = (event: string, url: string) => {
      const e = { url, preventDefault: vi.fn() };
      listeners.get(event)!(e);
      return e.preventDefault.mock.calls.length > 0;
    };
    shell.openExternal.mockClear();
    expect(navigate('will-navigate', 'app://netwright/index.html#/x')).toBe(false);
    expect(navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(navigate('will-redirect', 'app://evil/')).toBe(true);
    expect(shell.openExternal).not.toHaveBeenCalled();
    expect(navigate('will-navigate', 'https://example.com/docs')).toBe(true);
    expect(shell.openExternal).toHaveBeenCalledWith('https://example.com/docs');
    const webview = { preventDefault: vi.fn() };
    listeners.get('will-attach-webview')!(webview);
    expect(webview.preventDefault).toHaveBeenCalled();
    expect(openHandler!({ url: 'app://netwright/index.html' })).toEqual({ action: 'deny' });
    expect(openHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
  });
});

describe('IPC handlers', () => {
  it('registers one handler per channel', () => {
    expect([...fake.handlers.keys()].sort()).toEqual(Object.values(CHANNELS).sort());
  });

  it('refuses callers that are not the app page', async () => {
    const handler = fake.handlers.get(CHANNELS.loadAutosave)!;
    await expect(handler({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: {} })).rejects.toThrow(/not the app's own page/);
    await expect(handler({ senderFrame: { url: 'app://netwright/', parent: {} }, sender: {} })).rejects.toThrow(/not the app's own page/);
    await expect(handler({ senderFrame: null, sender: {} })).rejects.toThrow(/not the app's own page/);
  });

  it('validates arguments before doing anything', async () => {
    dialog.showMessageBox.mockClear();
    await expect(invoke(CHANNELS.confirm, 42)).rejects.toThrow(/Invalid message: expected a string/);
    await expect(invoke(CHANNELS.confirm, 'ok?', 'extra')).rejects.toThrow(/at most 1 argument/);
    await expect(invoke(CHANNELS.saveFile, { suggestedName: '../x.sh', data: '' })).rejects.toThrow(/suggestedName/);
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it('stores and loads the autosave in userData', async () => {
    expect(await invoke(CHANNELS.loadAutosave)).toBeNull();
    await invoke(CHANNELS.storeAutosave, '{"p":1}');
    expect(await invoke(CHANNELS.loadAutosave)).toBe('{"p":1}');
    expect(readdirSync(join(dir, 'userData'))).toEqual(['autosave.netwright.json']);
  });

  it('asks where to save once, then saves in place; an unchosen path is asked about', async () => {
    const target = join(dir, 'net.netwright.json');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    expect(await invoke(CHANNELS.saveFile, { suggestedName: 'net.netwright.json', data: 'v1' })).toEqual({ name: 'net.netwright.json', path: target });
    dialog.showSaveDialog.mockClear();
    await invoke(CHANNELS.saveFile, { suggestedName: 'net.netwright.json', data: 'v2', path: target });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(target, 'utf8')).toBe('v2');

    const elsewhere = join(dir, 'not-chosen.json');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    expect(await invoke(CHANNELS.saveFile, { suggestedName: 'x.json', data: 'evil', path: elsewhere })).toBeNull();
    expect(dialog.showSaveDialog).toHaveBeenCalledWith(expect.objectContaining({ defaultPath: elsewhere }));
    expect(() => readFileSync(elsewhere)).toThrow();
  });

  it('opens a file (granting it for Save) and picks dataset files', async () => {
    const file = join(dir, 'opened.netwright.json');
    writeFileSync(file, '{"o":1}');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [file] });
    const opened = (await invoke(CHANNELS.openFile, { filters: [{ name: 'Project', extensions: ['json'] }] })) as { data: Uint8Array; path: string };
    expect(new TextDecoder().decode(opened.data)).toBe('{"o":1}');
    dialog.showSaveDialog.mockClear();
    await invoke(CHANNELS.saveFile, { suggestedName: 'opened.netwright.json', data: '{"o":2}', path: opened.path });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(file, 'utf8')).toBe('{"o":2}');

    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke(CHANNELS.openFile, {})).toBeNull();
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [file, file] });
    expect(((await invoke(CHANNELS.pickDataset)) as unknown[]).length).toBe(2);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: Array(17).fill(file) });
    await expect(invoke(CHANNELS.pickDataset)).rejects.toThrow(/at most 16/);
  });

  it('exports files into the chosen folder', async () => {
    const folder = join(dir, 'export', 'mnist-net');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: folder });
    const ok = await invoke(CHANNELS.exportFiles, { suggestedName: 'mnist-net', files: [{ name: 'model.json', data: '{}' }, { name: 'weights.bin', data: new Uint8Array(4) }] });
    expect(ok).toBe(true);
    expect(readdirSync(folder).sort()).toEqual(['model.json', 'weights.bin']);
  });

  it('shows confirm and error dialogs', async () => {
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 }).mockResolvedValueOnce({ response: 1 });
    expect(await invoke(CHANNELS.confirm, 'Discard?')).toBe(true);
    expect(await invoke(CHANNELS.confirm, 'Discard?')).toBe(false);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    await invoke(CHANNELS.showError, 'Load failed', 'bad JSON');
    expect(dialog.showMessageBox).toHaveBeenLastCalledWith(expect.objectContaining({ type: 'error', title: 'Load failed', detail: 'bad JSON' }));
  });
});

describe('dev mode (electron-vite dev)', () => {
  it('loads the dev server and gives its responses the CSP and isolation headers', async () => {
    fake.windows.length = 0;
    fake.headerHooks.length = 0;
    vi.resetModules();
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    await import('../../electron/main/index');
    await new Promise((r) => setTimeout(r, 0));
    expect(fake.windows[0].url).toBe('http://localhost:5173/');
    const [filter, hook] = fake.headerHooks[0] as [{ urls: string[] }, (d: unknown, cb: (r: unknown) => void) => void];
    expect(filter.urls).toEqual(['http://localhost:5173/*']);
    const callback = vi.fn();
    hook({ responseHeaders: { 'content-type': ['text/html'] } }, callback);
    const headers = callback.mock.calls[0][0].responseHeaders as Record<string, string[]>;
    expect(headers['Content-Security-Policy'][0]).toContain("connect-src 'self' ws://localhost:5173");
    expect(headers['Cross-Origin-Embedder-Policy']).toEqual(['require-corp']);
    expect(headers['content-type']).toEqual(['text/html']);
    // IPC from the dev server page is trusted in dev.
    const load = fake.handlers.get(CHANNELS.loadAutosave)!;
    await expect(load({ senderFrame: { url: 'http://localhost:5173/', parent: null }, sender: {} })).resolves.toBe('{"p":1}');
  });
});
