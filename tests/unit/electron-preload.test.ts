// The preload against a fake `electron`: what it exposes to the page (one named function per
// capability, nothing else) and which channel each one invokes with which arguments.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../electron/shared/channels';

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoked: [] as unknown[][],
}));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: (...args: unknown[]) => {
      fake.invoked.push(args);
      return Promise.resolve(null);
    },
    on: () => undefined,
    removeListener: () => undefined,
  },
  webUtils: { getPathForFile: () => '/dropped/net.netwright.json' },
}));

type Api = Record<string, (...args: unknown[]) => unknown> & { apiVersion: number };
let api: Api;
beforeAll(async () => {
  await import('../../electron/preload/index');
  api = fake.exposed.get('netwright') as Api;
});

describe('preload', () => {
  it('exposes exactly the named capabilities under window.netwright, and nothing else', () => {
    expect([...fake.exposed.keys()]).toEqual(['netwright']);
    expect(Object.keys(api).sort()).toEqual([
      'apiVersion', 'clearRecent', 'confirm', 'editText', 'exportFiles', 'listRecent', 'loadAutosave', 'onCloseQuery', 'onFilesWaiting',
      'onMenuCommand', 'onSaveBeforeClose', 'openDroppedFile', 'openFile', 'openFiles', 'openRecent', 'pickDataset', 'pickDatasetFolder',
      'readDatasetFile', 'saveFile', 'showAbout', 'showError', 'storeAutosave', 'takeGivenFiles',
    ]);
    expect(api.apiVersion).toBe(1);
    for (const [key, value] of Object.entries(api)) if (key !== 'apiVersion') expect(typeof value, key).toBe('function');
  });

  it('the dataset folder methods invoke their own channels with only their arguments', async () => {
    fake.invoked.length = 0;
    await api.pickDatasetFolder('ignored');
    await api.readDatasetFile('a'.repeat(32), 'cats/1.png', 'ignored');
    expect(fake.invoked).toEqual([
      [CHANNELS.pickDatasetFolder],
      [CHANNELS.readDatasetFile, 'a'.repeat(32), 'cats/1.png'],
    ]);
  });

  it('openFiles and the recent list invoke their own channels with only their arguments (no note: main notes files itself)', async () => {
    fake.invoked.length = 0;
    const filters = [{ name: 'TF.js', extensions: ['json', 'bin'] }];
    await api.openFiles({ title: 'Import', filters }, 'ignored');
    await api.listRecent('ignored');
    await api.openRecent('f'.repeat(32), 'ignored');
    await api.clearRecent('ignored');
    expect(fake.invoked).toEqual([
      [CHANNELS.openFiles, { title: 'Import', filters }],
      [CHANNELS.listRecent],
      [CHANNELS.openRecent, 'f'.repeat(32)],
      [CHANNELS.clearRecent],
    ]);
    expect(api).not.toHaveProperty('noteRecent');
    expect(Object.values(CHANNELS).some((c) => /note/.test(c))).toBe(false);
  });

  it('every invoking method uses a channel of its own', async () => {
    fake.invoked.length = 0;
    const subscriptions = ['onMenuCommand', 'onFilesWaiting', 'onCloseQuery', 'onSaveBeforeClose'];
    const invoking = Object.keys(api).filter((k) => k !== 'apiVersion' && !subscriptions.includes(k));
    for (const key of invoking) await api[key](key === 'openDroppedFile' ? {} : undefined);
    const channels = fake.invoked.map((args) => args[0]);
    expect(new Set(channels).size).toBe(invoking.length);
    expect(channels.sort()).toEqual(invoking.map((k) => CHANNELS[k as keyof typeof CHANNELS]).sort());
  });
});
