// The Electron-touching modules (main/index.ts, main/ipc.ts) run here against a fake `electron`
// module: no binary needed. Checks the wiring: window settings, protocol, permissions,
// navigation guards, and each IPC handler's sender check, validation and file work.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS, EVENTS } from '../../electron/shared/channels';
import { secureWebPreferences } from '../../electron/main/security';

import { dialog, fake, shell, type FakeWindow, type MenuTemplateItem } from './helpers/fake-electron';

type Fn = (...args: never[]) => unknown;

vi.mock('electron', async () => (await import('./helpers/fake-electron')).electronModule());

let dir: string;
let argFile: string;
const argvBefore = process.argv;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-main-'));
  argFile = join(dir, 'from-argument.netwright.json');
  writeFileSync(argFile, '{"from":"argv"}');
  // As if launched as `netwright --some-switch from-argument.netwright.json notes.txt`.
  process.argv = [process.execPath, '--some-switch', argFile, join(dir, 'notes.txt')];
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  vi.stubEnv('NETWRIGHT_USER_DATA_DIR', join(dir, 'userData'));
  await import('../../electron/main/index');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1)); // whenReady().then ran
  process.argv = argvBefore;
});
afterAll(() => {
  process.argv = argvBefore;
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

  it('lists a picked dataset folder and serves its files one by one, checked', async () => {
    const folder = join(dir, 'dataset');
    mkdirSync(join(folder, 'cats'), { recursive: true });
    writeFileSync(join(folder, 'cats', '1.png'), 'png');
    writeFileSync(join(folder, 'cats', 'notes.txt'), 'not data');
    writeFileSync(join(dir, 'outside.csv'), 'secret');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [folder] });
    const picked = (await invoke(CHANNELS.pickDatasetFolder)) as { token: string; name: string; files: unknown[]; dirs: string[] };
    expect(dialog.showOpenDialog).toHaveBeenLastCalledWith(expect.objectContaining({ properties: ['openDirectory'] }));
    expect(picked).toEqual({ token: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'dataset', files: [{ path: 'cats/1.png', size: 3 }], dirs: ['cats'], skipped: [] });
    const bytes = (await invoke(CHANNELS.readDatasetFile, picked.token, 'cats/1.png')) as Uint8Array;
    expect(new TextDecoder().decode(bytes)).toBe('png');
    await expect(invoke(CHANNELS.readDatasetFile, picked.token, '../outside.csv')).rejects.toThrow(/Invalid dataset file path/);
    await expect(invoke(CHANNELS.readDatasetFile, picked.token, join(dir, 'outside.csv'))).rejects.toThrow(/must be relative/);
    await expect(invoke(CHANNELS.readDatasetFile, picked.token, 'cats/notes.txt')).rejects.toThrow(/not a dataset file/);
    await expect(invoke(CHANNELS.readDatasetFile, 'f'.repeat(32), 'cats/1.png')).rejects.toThrow(/no folder was picked/);
    await expect(invoke(CHANNELS.readDatasetFile, picked.token, 'cats/1.png', 'extra')).rejects.toThrow(/at most 2 argument/);
    // Another window (or a page that is not the app) cannot use the token.
    const handler = fake.handlers.get(CHANNELS.readDatasetFile)!;
    await expect(handler({ ...trusted, sender: { id: 99 } }, picked.token, 'cats/1.png')).rejects.toThrow(/no folder was picked/);
    await expect(handler({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: {} }, picked.token, 'cats/1.png')).rejects.toThrow(/not the app's own page/);
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke(CHANNELS.pickDatasetFolder)).toBeNull();
    mkdirSync(join(dir, 'no-data'));
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [join(dir, 'no-data')] });
    await expect(invoke(CHANNELS.pickDatasetFolder)).rejects.toThrow(/no dataset files/);
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

function menuItem(id: string, items: MenuTemplateItem[] = fake.menu!.template): MenuTemplateItem | undefined {
  for (const item of items) {
    if (item.id === id) return item;
    const inner = item.submenu && menuItem(id, item.submenu);
    if (inner) return inner;
  }
  return undefined;
}
const win = () => fake.windows[fake.windows.length - 1];
const fromWindow = (w: FakeWindow, extra: Record<string, unknown> = {}) => ({ ...trusted, sender: { ...w.webContents, ...extra } });

describe('desktop: menus, files from the OS, theme, GPU', () => {
  it('asks for the high-performance GPU, follows the OS theme and shows the menu bar', () => {
    expect(fake.switches).toContain('force_high_performance_gpu');
    expect(fake.themeSource).toBe('system');
    expect(fake.windows[0].options.backgroundColor).toBe('#0f1218'); // dark OS: no white flash
    expect(fake.windows[0].options).not.toHaveProperty('autoHideMenuBar');
    fake.dark = false;
    fake.themeListeners.forEach((fn) => fn());
    expect(fake.windows[0].background).toBe('#f6f7f9');
    fake.dark = true;
    expect(fake.menu!.template.map((m) => m.id)).toEqual(
      process.platform === 'darwin' ? ['app', 'file', 'edit', 'view', 'model', 'train', 'help'] : ['file', 'edit', 'view', 'model', 'train', 'help'],
    );
  });

  it('hands a project named on the command line to the renderer, granted for Save, and lists it as recent', async () => {
    const files = (await invoke(CHANNELS.takeGivenFiles)) as { name: string; data: Uint8Array; path: string }[];
    expect(files.map((f) => f.name)).toEqual(['from-argument.netwright.json']); // notes.txt and switches skipped
    expect(new TextDecoder().decode(files[0].data)).toBe('{"from":"argv"}');
    expect(await invoke(CHANNELS.takeGivenFiles)).toEqual([]); // taken once
    dialog.showSaveDialog.mockClear();
    await invoke(CHANNELS.saveFile, { suggestedName: 'from-argument.netwright.json', data: '{"saved":1}', path: argFile });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(argFile, 'utf8')).toBe('{"saved":1}');
    expect(fake.recentDocuments).toContain(argFile);
    const recent = menuItem('file.recent')!.submenu!;
    expect(recent[0]).toMatchObject({ label: 'from-argument.netwright.json' });
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(dir, 'userData', 'recent-projects.json'), 'utf8'))[0].path).toBe(argFile));
  });

  it('a second launch hands its file to the running window', async () => {
    const second = join(dir, 'second.netwright.json');
    writeFileSync(second, '{"n":2}');
    const w = win();
    w.webContents.sent.length = 0;
    for (const fn of fake.appListeners.get('second-instance')!) fn({}, ['/opt/Netwright/netwright', 'second.netwright.json'], dir);
    expect(w.webContents.sent).toEqual([[EVENTS.filesWaiting, undefined]]);
    const files = (await invoke(CHANNELS.takeGivenFiles)) as { path: string }[];
    expect(files.map((f) => f.path)).toEqual([second]);
  });

  it("macOS's open-file event opens the project too; other files are ignored", async () => {
    const file = join(dir, 'double-clicked.netwright.json');
    writeFileSync(file, '{}');
    const open = fake.appListeners.get('open-file')![0];
    const event = { preventDefault: vi.fn() };
    open(event, file);
    open({ preventDefault: vi.fn() }, join(dir, 'evil.sh'));
    expect(event.preventDefault).toHaveBeenCalled();
    expect(((await invoke(CHANNELS.takeGivenFiles)) as { path: string }[]).map((f) => f.path)).toEqual([file]);
  });

  it('menu items send their command to the renderer or act in main', () => {
    const w = win();
    w.webContents.sent.length = 0;
    menuItem('file.save')!.click!();
    menuItem('train.start')!.click!();
    expect(w.webContents.sent).toEqual([[EVENTS.menuCommand, 'file.save'], [EVENTS.menuCommand, 'train.start']]);
    menuItem('view.zoomIn')!.click!();
    expect(w.webContents.zoom).toBe(0.5);
    menuItem('view.zoomReset')!.click!();
    expect(w.webContents.zoom).toBe(0);
    expect(menuItem('file.save')!.accelerator).toBe(process.platform === 'darwin' ? 'Cmd+S' : 'Ctrl+S');
  });

  it('opens a dropped project from its path (validated), granted for Save', async () => {
    const dropped = join(dir, 'dropped.netwright.json');
    writeFileSync(dropped, '{"d":1}');
    const file = (await invoke(CHANNELS.openDroppedFile, dropped)) as { path: string };
    expect(file.path).toBe(dropped);
    await expect(invoke(CHANNELS.openDroppedFile, 'relative.netwright.json')).rejects.toThrow(/must be absolute/);
    await expect(invoke(CHANNELS.openDroppedFile, join(dir, 'x.sh'))).rejects.toThrow(/not a project file/);
    await expect(invoke(CHANNELS.openDroppedFile, join(dir, 'missing.netwright.json'))).rejects.toThrow(/ENOENT|no such file/);
  });

  it('edits text natively and shows the About dialog', async () => {
    const undo = vi.fn();
    await fake.handlers.get(CHANNELS.editText)!(fromWindow(win(), { undo }), 'undo');
    expect(undo).toHaveBeenCalled();
    await expect(invoke(CHANNELS.editText, 'reload')).rejects.toThrow(/edit action/);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    await invoke(CHANNELS.showAbout, { details: ['WebGPU adapter: nvidia ampere'] });
    expect(dialog.showMessageBox).toHaveBeenLastCalledWith(expect.objectContaining({ message: 'Netwright 0.1.0', detail: 'WebGPU adapter: nvidia ampere' }));
    await expect(invoke(CHANNELS.showAbout, { details: [1] })).rejects.toThrow(/details\[0\]/);
  });
});

describe('desktop: closing the window', () => {
  /** Starts a close and returns the id main asked with. */
  async function startClose(w: FakeWindow): Promise<number> {
    w.webContents.sent.length = 0;
    w.close();
    await vi.waitFor(() => expect(w.webContents.sent.some(([c]) => c === EVENTS.closeQuery)).toBe(true));
    return w.webContents.sent.find(([c]) => c === EVENTS.closeQuery)![1] as number;
  }
  const answer = (w: FakeWindow, id: number, value: unknown) => fake.handlers.get(CHANNELS.answer)!(fromWindow(w), id, { ok: true, value });
  async function reopen(): Promise<FakeWindow> {
    const before = fake.windows.length;
    for (const fn of fake.appListeners.get('activate')!) fn();
    await vi.waitFor(() => expect(fake.windows.length).toBe(before + 1));
    return win();
  }

  it('asks Save / Don\'t Save / Cancel when there are unsaved changes; Cancel keeps the window', async () => {
    const w = win();
    const id = await startClose(w);
    expect(w.destroyed).toBe(false); // the first close is held back
    dialog.showMessageBox.mockResolvedValueOnce({ response: 2 });
    await answer(w, id, { dirty: true, training: false, name: 'LeNet-5' });
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenLastCalledWith(w, expect.objectContaining({ buttons: ['Save', "Don't Save", 'Cancel'], message: expect.stringContaining('LeNet-5') })));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.destroyed).toBe(false);
  });

  it("refuses answers from another window or to questions nobody asked", async () => {
    const w = win();
    const id = await startClose(w);
    const other = { ...trusted, sender: { id: 999 } };
    await expect(fake.handlers.get(CHANNELS.answer)!(other, id, { ok: true, value: {} })).rejects.toThrow(/nothing is waiting/);
    await expect(answer(w, id + 100, {})).rejects.toThrow(/nothing is waiting/);
    await expect(answer(w, -1, {})).rejects.toThrow(/request id/);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    await answer(w, id, { dirty: false, training: true, name: 'x' }); // training: asks; 1 = Cancel
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenLastCalledWith(w, expect.objectContaining({ buttons: ['Stop and Close', 'Cancel'] })));
    await new Promise((r) => setTimeout(r, 10));
    expect(w.destroyed).toBe(false);
  });

  it('Save saves through the renderer, then closes and remembers the window', async () => {
    const w = win();
    const id = await startClose(w);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    await answer(w, id, { dirty: true, training: false, name: 'net' });
    await vi.waitFor(() => expect(w.webContents.sent.some(([c]) => c === EVENTS.saveBeforeClose)).toBe(true));
    const saveId = w.webContents.sent.find(([c]) => c === EVENTS.saveBeforeClose)![1] as number;
    expect(w.destroyed).toBe(false);
    await answer(w, saveId, true);
    await vi.waitFor(() => expect(w.destroyed).toBe(true));
    await vi.waitFor(() =>
      expect(JSON.parse(readFileSync(join(dir, 'userData', 'window-state.json'), 'utf8'))).toMatchObject({ bounds: { x: 10, y: 20, width: 1200, height: 800 }, maximized: false }),
    );
  });

  it('closes without asking when nothing is unsaved, and reopens where it was', async () => {
    const w = await reopen();
    expect(w.options).toMatchObject({ x: 10, y: 20, width: 1200, height: 800 });
    dialog.showMessageBox.mockClear();
    const id = await startClose(w);
    await answer(w, id, { dirty: false, training: false, name: 'net' });
    await vi.waitFor(() => expect(w.destroyed).toBe(true));
    expect(dialog.showMessageBox).not.toHaveBeenCalled();
  });

  it("Don't Save closes; a failed save keeps the window and says why", async () => {
    let w = await reopen();
    let id = await startClose(w);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 0 });
    await answer(w, id, { dirty: true, training: true, name: 'net' });
    await vi.waitFor(() => expect(w.webContents.sent.some(([c]) => c === EVENTS.saveBeforeClose)).toBe(true));
    const saveId = w.webContents.sent.find(([c]) => c === EVENTS.saveBeforeClose)![1] as number;
    await fake.handlers.get(CHANNELS.answer)!(fromWindow(w), saveId, { ok: false, error: 'disk full' });
    await vi.waitFor(() => expect(dialog.showErrorBox).toHaveBeenCalledWith('Could not save the project', 'disk full'));
    expect(w.destroyed).toBe(false);

    w = win();
    id = await startClose(w);
    dialog.showMessageBox.mockResolvedValueOnce({ response: 1 });
    await answer(w, id, { dirty: true, training: false, name: 'net' });
    await vi.waitFor(() => expect(w.destroyed).toBe(true));
    await reopen();
  });
});

describe('dev mode (electron-vite dev)', () => {
  it('loads the dev server and gives its responses the CSP and isolation headers', async () => {
    fake.windows.length = 0;
    fake.headerHooks.length = 0;
    vi.resetModules();
    vi.stubEnv('ELECTRON_RENDERER_URL', 'http://localhost:5173/');
    await import('../../electron/main/index');
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
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
