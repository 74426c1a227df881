// The browser host's recent projects (IndexedDB through fake-indexeddb, or memory for fake handles): file handles kept and
// reopened with permission, names only without the File System Access API, newest first, capped.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createBrowserRecent, indexedDbRecentStore, memoryRecentStore, type RecentHandle } from '../../renderer/src/host/browser-recent';
import { HandleRegistry } from '../../renderer/src/host/browser';
import { MAX_RECENT_PROJECTS } from '../../renderer/src/host/host';

function fakeHandle(name: string, text: string, permission: PermissionState = 'granted'): RecentHandle & { asked: number } {
  const h = {
    name,
    asked: 0,
    getFile: async () => new File([text], name),
    isSameEntry: async (other: RecentHandle) => other === h,
    queryPermission: async () => (h.asked ? permission : 'prompt') as PermissionState,
    requestPermission: async () => {
      h.asked += 1;
      return permission;
    },
  };
  return h;
}

describe('browser recent projects', () => {
  it('keeps handles, reopens them (asking permission once) and hands out a path that saves in place', async () => {
    const handles = new HandleRegistry<RecentHandle>();
    let t = 0;
    // Real FileSystemFileHandles are structured-cloneable into IndexedDB; these fakes are not.
    const recent = createBrowserRecent(memoryRecentStore(), handles, () => ++t);
    const a = fakeHandle('a.netwright.json', 'AAA');
    const b = fakeHandle('b.netwright.json', 'BBB');
    await recent.note({ name: a.name, path: handles.add(a) });
    await recent.note({ name: b.name, path: handles.add(b) });
    await recent.note({ name: a.name, path: handles.add(a) }); // the same file again moves to the top
    const list = await recent.list();
    expect(list.map((r) => [r.name, r.reopenable])).toEqual([['a.netwright.json', true], ['b.netwright.json', true]]);
    const opened = await recent.open(list[1].id);
    expect(new TextDecoder().decode(opened!.data)).toBe('BBB');
    expect(b.asked).toBe(1);
    expect(handles.get(opened!.path)).toBe(b);
  });

  it('keeps names only without handles, refuses what it cannot read, and caps the list', async () => {
    const handles = new HandleRegistry<RecentHandle>();
    const recent = createBrowserRecent(indexedDbRecentStore(new IDBFactory()), handles);
    for (let i = 0; i < MAX_RECENT_PROJECTS + 3; i++) await recent.note({ name: `p${i}.netwright.json` });
    await recent.note({ name: 'p2.netwright.json' });
    const list = await recent.list();
    expect(list).toHaveLength(MAX_RECENT_PROJECTS);
    expect(list[0]).toMatchObject({ name: 'p2.netwright.json', reopenable: false });
    expect(list.filter((r) => r.name === 'p2.netwright.json')).toHaveLength(1);
    expect(await recent.open(list[0].id)).toBeNull();

    await recent.clear();
    expect(await recent.list()).toEqual([]);

    const inMemory = createBrowserRecent(memoryRecentStore(), handles);
    const denied = fakeHandle('x.netwright.json', 'X', 'denied');
    await inMemory.note({ name: denied.name, path: handles.add(denied) });
    expect(await inMemory.open((await inMemory.list())[0].id)).toBeNull();
    expect(denied.asked).toBe(1);
  });
});
