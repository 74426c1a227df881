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
      'apiVersion', 'confirm', 'editText', 'exportFiles', 'loadAutosave', 'onCloseQuery', 'onFilesWaiting', 'onMenuCommand',
      'onSaveBeforeClose', 'openDroppedFile', 'openFile', 'pickDataset', 'pickDatasetFolder', 'readDatasetFile', 'saveFile',
      'showAbout', 'showError', 'storeAutosave', 'takeGivenFiles',
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
