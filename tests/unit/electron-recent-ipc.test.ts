// Main's handlers for Host.openFiles and Host.recent, run against the fake `electron` module (as
// electron-main.test.ts does): scripted dialogs, argument and sender checks, and the rule that
// openRecent reads only what main's own recent list names.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../electron/shared/channels';
import { MAX_RECENT_PROJECTS, type OpenedFile, type RecentProject } from '../../renderer/src/host/host';
import { dialog, fake, type MenuTemplateItem } from './helpers/fake-electron';

vi.mock('electron', async () => (await import('./helpers/fake-electron')).electronModule());

let dir: string;
let lastSession: string;
const argvBefore = process.argv;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-recent-ipc-'));
  process.argv = [process.execPath];
  // A project main listed in an earlier launch: on the list, not granted for Save in this session.
  mkdirSync(join(dir, 'userData'));
  lastSession = project('last-session.netwright.json', '{"v":0}');
  writeFileSync(join(dir, 'userData', 'recent-projects.json'), JSON.stringify([{ path: lastSession, at: 1 }, '/not/absolute/../x.sh']));
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  vi.stubEnv('NETWRIGHT_USER_DATA_DIR', join(dir, 'userData'));
  await import('../../electron/main/index');
  await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
  process.argv = argvBefore;
});
afterAll(async () => {
  // The recent list is stored in the background: let the last write land before the folder goes.
  const names = (await list()).map((r) => r.name);
  const stored = () => (JSON.parse(readFileSync(join(dir, 'userData', 'recent-projects.json'), 'utf8')) as { path: string }[]).map((e) => basename(e.path));
  await vi.waitFor(() => expect(stored()).toEqual(names));
  process.argv = argvBefore;
  vi.unstubAllEnvs();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => {
  dialog.showOpenDialog.mockReset();
  dialog.showSaveDialog.mockReset();
});

const trusted = { senderFrame: { url: 'app://netwright/index.html', parent: null }, sender: { id: 1 } };
const invoke = (channel: string, ...args: unknown[]) => fake.handlers.get(channel)!(trusted, ...args);
const list = async () => (await invoke(CHANNELS.listRecent)) as RecentProject[];
const text = (data: Uint8Array) => new TextDecoder().decode(data);

function project(name: string, content = `{"name":"${name}"}`): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Opens a project through main's own Open dialog: how an entry gets onto main's list. */
async function openThroughDialog(path: string): Promise<void> {
  dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [path] });
  await invoke(CHANNELS.openFile, {});
}

function recentMenu(items: MenuTemplateItem[] = fake.menu!.template): MenuTemplateItem[] {
  for (const item of items) {
    if (item.id === 'file.recent') return item.submenu!;
    const inner = item.submenu && recentMenu(item.submenu);
    if (inner?.length) return inner;
  }
  return [];
}

describe('openFiles: a multi-select open dialog', () => {
  it('reads every chosen file (names and bytes), with the caller\'s title and filters', async () => {
    const json = project('model.json', '{"format":"layers-model"}');
    const bin = project('group1-shard1of1.bin', 'wts');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [json, bin] });
    const files = (await invoke(CHANNELS.openFiles, { title: 'Import', filters: [{ name: 'TF.js', extensions: ['json', 'bin'] }] })) as OpenedFile[];
    expect(dialog.showOpenDialog).toHaveBeenCalledWith({ title: 'Import', filters: [{ name: 'TF.js', extensions: ['json', 'bin'] }], properties: ['openFile', 'multiSelections'] });
    expect(files.map((f) => [f.name, text(f.data)])).toEqual([['model.json', '{"format":"layers-model"}'], ['group1-shard1of1.bin', 'wts']]);
    expect(files.every((f) => !('path' in f))).toBe(true); // read for the page, nothing more
  });

  it('grants nothing: the files are neither writable without a dialog nor recent projects', async () => {
    const json = project('imported.json');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: [json] });
    await invoke(CHANNELS.openFiles, {});
    expect((await list()).map((r) => r.name)).not.toContain('imported.json');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    expect(await invoke(CHANNELS.saveFile, { suggestedName: 'imported.json', data: 'overwritten', path: json })).toBeNull();
    expect(dialog.showSaveDialog).toHaveBeenCalled();
    expect(readFileSync(json, 'utf8')).toBe('{"name":"imported.json"}');
  });

  it('returns null when cancelled and refuses too many files', async () => {
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: true, filePaths: [] });
    expect(await invoke(CHANNELS.openFiles, {})).toBeNull();
    const one = project('one.bin', 'x');
    dialog.showOpenDialog.mockResolvedValueOnce({ canceled: false, filePaths: Array(65).fill(one) });
    await expect(invoke(CHANNELS.openFiles, {})).rejects.toThrow(/Choose at most 64 files/);
  });

  it('validates its options before showing a dialog', async () => {
    await expect(invoke(CHANNELS.openFiles, { filters: [{ name: 'x', extensions: ['.json'] }] })).rejects.toThrow(/bare extension/);
    await expect(invoke(CHANNELS.openFiles, { title: 'x', properties: ['openDirectory'] })).rejects.toThrow(/unexpected field "properties"/);
    await expect(invoke(CHANNELS.openFiles, {}, 'extra')).rejects.toThrow(/at most 1 argument/);
    expect(dialog.showOpenDialog).not.toHaveBeenCalled();
  });
});

describe('recent projects in the window: main\'s list', () => {
  it('lists what earlier launches kept; opening one by its id grants it for Save', async () => {
    const entry = (await list()).find((r) => r.name === 'last-session.netwright.json')!;
    expect(entry).toEqual({ id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'last-session.netwright.json', at: 1, reopenable: true });
    expect((await list()).map((r) => r.name)).not.toContain('x.sh');
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    expect(await invoke(CHANNELS.saveFile, { suggestedName: 'last-session.netwright.json', data: 'no', path: lastSession })).toBeNull(); // not yet
    const file = (await invoke(CHANNELS.openRecent, entry.id)) as OpenedFile;
    expect(file.path).toBe(lastSession);
    dialog.showSaveDialog.mockReset();
    await invoke(CHANNELS.saveFile, { suggestedName: 'last-session.netwright.json', data: '{"v":1}', path: file.path });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(lastSession, 'utf8')).toBe('{"v":1}');
  });

  it('lists what main opened or saved, newest first, by opaque id and name (no paths), as the menu does', async () => {
    await invoke(CHANNELS.clearRecent);
    const first = project('first.netwright.json');
    const saved = join(dir, 'saved.netwright.json');
    await openThroughDialog(first);
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: false, filePath: saved });
    await invoke(CHANNELS.saveFile, { suggestedName: 'saved.netwright.json', data: '{"s":1}' });
    const recent = await list();
    expect(recent).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'saved.netwright.json', at: expect.any(Number), reopenable: true },
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'first.netwright.json', at: expect.any(Number), reopenable: true },
    ]);
    expect(JSON.stringify(recent)).not.toContain(dir);
    expect(recentMenu().filter((i) => i.id?.match(/^file\.recent\.\d+$/)).map((i) => i.label)).toEqual(recent.map((r) => r.name));
  });

  it('opens an entry by its id, granted for Save, and moves it to the top', async () => {
    const path = project('reopen.netwright.json', '{"v":1}');
    await openThroughDialog(path);
    await openThroughDialog(project('other.netwright.json'));
    const entry = (await list()).find((r) => r.name === 'reopen.netwright.json')!;
    const file = (await invoke(CHANNELS.openRecent, entry.id)) as OpenedFile;
    expect(file).toEqual({ name: 'reopen.netwright.json', data: expect.any(Uint8Array), path });
    expect(text(file.data)).toBe('{"v":1}');
    expect((await list())[0].id).toBe(entry.id);
    await invoke(CHANNELS.saveFile, { suggestedName: 'reopen.netwright.json', data: '{"v":2}', path: file.path });
    expect(dialog.showSaveDialog).not.toHaveBeenCalled();
    expect(readFileSync(path, 'utf8')).toBe('{"v":2}');
  });

  it('refuses a path in place of an id, and reads nothing for an id main does not list', async () => {
    const secret = project('not-in-the-list.netwright.json', '{"secret":1}');
    await expect(invoke(CHANNELS.openRecent, secret)).rejects.toThrow(/Invalid recent project id/);
    await expect(invoke(CHANNELS.openRecent, '../../etc/passwd')).rejects.toThrow(/Invalid recent project id/);
    await expect(invoke(CHANNELS.openRecent, { path: secret })).rejects.toThrow(/Invalid recent project id/);
    expect(await invoke(CHANNELS.openRecent, 'f'.repeat(32))).toBeNull();
    expect((await list()).map((r) => r.name)).not.toContain('not-in-the-list.netwright.json');
    // Not granted either: saving there still asks.
    dialog.showSaveDialog.mockResolvedValueOnce({ canceled: true });
    expect(await invoke(CHANNELS.saveFile, { suggestedName: 'x.netwright.json', data: 'evil', path: secret })).toBeNull();
    expect(readFileSync(secret, 'utf8')).toBe('{"secret":1}');
  });

  it('gives null for a listed project that is gone, so the window shows the picker', async () => {
    const path = project('gone.netwright.json');
    await openThroughDialog(path);
    const entry = (await list()).find((r) => r.name === 'gone.netwright.json')!;
    unlinkSync(path);
    expect(await invoke(CHANNELS.openRecent, entry.id)).toBeNull();
  });

  it(`keeps at most ${MAX_RECENT_PROJECTS}, the window's limit, in the window and the menu`, async () => {
    for (let i = 0; i < MAX_RECENT_PROJECTS + 2; i++) await openThroughDialog(project(`many-${i}.netwright.json`));
    const recent = await list();
    expect(recent).toHaveLength(MAX_RECENT_PROJECTS);
    expect(recent[0].name).toBe(`many-${MAX_RECENT_PROJECTS + 1}.netwright.json`);
    expect(recentMenu().filter((i) => i.id?.match(/^file\.recent\.\d+$/))).toHaveLength(MAX_RECENT_PROJECTS);
  });

  it('clear empties main\'s list, the menu, the OS recent documents and the stored list; old ids open nothing', async () => {
    await openThroughDialog(project('before-clear.netwright.json'));
    const old = (await list())[0];
    expect(fake.recentDocuments.length).toBeGreaterThan(0);
    await invoke(CHANNELS.clearRecent);
    expect(await list()).toEqual([]);
    expect(fake.recentDocuments).toEqual([]);
    expect(recentMenu().map((i) => i.id)).toContain('file.recent.none');
    await vi.waitFor(() => expect(JSON.parse(readFileSync(join(dir, 'userData', 'recent-projects.json'), 'utf8'))).toEqual([]));
    expect(await invoke(CHANNELS.openRecent, old.id)).toBeNull();
  });

  it('checks the argument count', async () => {
    await expect(invoke(CHANNELS.listRecent, 'x')).rejects.toThrow(/at most 0 argument/);
    await expect(invoke(CHANNELS.clearRecent, true)).rejects.toThrow(/at most 0 argument/);
    await expect(invoke(CHANNELS.openRecent, 'f'.repeat(32), 'extra')).rejects.toThrow(/at most 1 argument/);
  });
});

describe('senders', () => {
  it('refuses every new channel from a page that is not the app, or from a subframe', async () => {
    await openThroughDialog(project('kept.netwright.json'));
    const id = (await list())[0].id;
    const calls: [string, unknown[]][] = [[CHANNELS.openFiles, [{}]], [CHANNELS.listRecent, []], [CHANNELS.openRecent, [id]], [CHANNELS.clearRecent, []]];
    for (const [channel, args] of calls) {
      const handler = fake.handlers.get(channel)!;
      await expect(handler({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: { id: 1 } }, ...args), channel).rejects.toThrow(/not the app's own page/);
      await expect(handler({ senderFrame: { url: 'app://netwright/index.html', parent: {} }, sender: { id: 1 } }, ...args), channel).rejects.toThrow(/not the app's own page/);
      await expect(handler({ senderFrame: null, sender: { id: 1 } }, ...args), channel).rejects.toThrow(/not the app's own page/);
    }
    expect(dialog.showOpenDialog).toHaveBeenCalledTimes(1); // only openThroughDialog's
    expect((await list())[0].id).toBe(id); // nothing cleared
  });
});
