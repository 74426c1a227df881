// Main's recent list as plain data (electron/main/recent.ts): opaque ids, lookups only within the
// list, the size limit shared with the window, and the id check every openRecent call goes through.
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MAX_RECENT_PROJECTS } from '../../renderer/src/host/host';
import { MAX_RECENT, RecentIds, parseRecent, pushRecent, type RecentEntry } from '../../electron/main/recent';
import { validateRecentId } from '../../electron/main/validate';

const a = resolve('/home/u/a.netwright.json');
const b = resolve('/home/u/b.netwright.json');
const list: RecentEntry[] = [{ path: a, at: 2 }, { path: b, at: 1 }];

describe('recent ids', () => {
  it('are opaque: 32 hex digits that neither contain nor reveal the path', () => {
    const ids = new RecentIds();
    const projects = ids.projects(list);
    expect(projects).toEqual([
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'a.netwright.json', at: 2, reopenable: true },
      { id: expect.stringMatching(/^[0-9a-f]{32}$/), name: 'b.netwright.json', at: 1, reopenable: true },
    ]);
    expect(JSON.stringify(projects)).not.toContain('/home/u');
    expect(projects[0].id).not.toBe(projects[1].id);
  });

  it('are stable within a launch and different in the next (a new key)', () => {
    const ids = new RecentIds();
    expect(ids.id(a)).toBe(ids.id(a));
    expect(ids.id('/home/u/../u/a.netwright.json')).toBe(ids.id(a)); // one path, one id
    expect(new RecentIds().id(a)).not.toBe(ids.id(a));
  });

  it('find only entries of the list: an id for a path main does not list finds nothing', () => {
    const ids = new RecentIds();
    expect(ids.pathOf(list, ids.id(b))).toBe(b);
    expect(ids.pathOf(list, ids.id(resolve('/etc/passwd.json')))).toBeUndefined();
    expect(ids.pathOf(list, a)).toBeUndefined(); // a path is not an id
    expect(ids.pathOf([], ids.id(a))).toBeUndefined(); // cleared since
  });

  it('are the only thing openRecent accepts', () => {
    const id = new RecentIds().id(a);
    expect(validateRecentId(id)).toBe(id);
    for (const bad of [a, '/etc/passwd', 'A'.repeat(32), id + '0', id.slice(1), '', 42, null, { id }]) {
      expect(() => validateRecentId(bad), String(bad)).toThrow(/Invalid recent project id/);
    }
  });
});

describe('the recent list', () => {
  it('keeps as many entries as the window shows (MAX_RECENT_PROJECTS)', () => {
    expect(MAX_RECENT).toBe(MAX_RECENT_PROJECTS);
    let l: RecentEntry[] = [];
    for (let i = 0; i < MAX_RECENT + 3; i++) l = pushRecent(l, `/p/${i}.netwright.json`, i);
    expect(l).toHaveLength(MAX_RECENT_PROJECTS);
    expect(l[0].path).toBe(resolve(`/p/${MAX_RECENT + 2}.netwright.json`));
  });

  it('reads back only project paths, without duplicates, at most MAX_RECENT', () => {
    const many = Array.from({ length: 12 }, (_, i) => ({ path: `/p/${i}.json`, at: i }));
    expect(parseRecent(many)).toHaveLength(MAX_RECENT);
    expect(parseRecent([{ path: '/p/x.json', at: -1 }, { path: '/p/x.json', at: 3 }, { path: '/p/y.exe', at: 1 }, { at: 1 }, null])).toEqual([
      { path: resolve('/p/x.json'), at: 0 },
    ]);
    expect(parseRecent({ path: '/p/x.json' })).toEqual([]);
  });
});
