// Recent projects, as main keeps them: the paths of project files main itself opened or saved (its
// dialogs, the OS, a drop, File › Open Recent), newest first, with when. One list feeds the native
// File › Open Recent menu and, over IPC, the window's list (Host.recent). Plain Node (no electron).
//
// The renderer never sees these paths in the list: each entry goes out under an opaque id, an HMAC
// of the path under a key made at launch. An id can only name an entry main already has, so
// "open this recent project" can never be turned into "read this path".
import { createHmac, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { MAX_RECENT_PROJECTS, type RecentProject } from '../../renderer/src/host/host';
import { writeFileAtomic } from './files';
import { validateGivenProjectPath } from './validate';

export const RECENT_FILE = 'recent-projects.json';
/** The window's list and the menu show the same entries: the host's limit. */
export const MAX_RECENT = MAX_RECENT_PROJECTS;

export interface RecentEntry {
  /** Absolute, resolved path of a project file main opened or saved. */
  path: string;
  /** Milliseconds since 1970 of the last open or save (0: from an older list without times). */
  at: number;
}

/** The recent list with `path` first (at `at`), no duplicates, at most `max`. */
export function pushRecent(list: readonly RecentEntry[], path: string, at: number, max = MAX_RECENT): RecentEntry[] {
  const full = resolve(path);
  return [{ path: full, at }, ...list.filter((e) => e.path !== full)].slice(0, max);
}

/**
 * The stored list, checked like any other path handed to main (absolute .json project files).
 * Older versions stored bare paths (no times): they are kept, with `at` 0.
 */
export function parseRecent(raw: unknown): RecentEntry[] {
  if (!Array.isArray(raw)) return [];
  const out: RecentEntry[] = [];
  for (const item of raw) {
    const rec = typeof item === 'string' ? { path: item, at: 0 } : (item as { path?: unknown; at?: unknown } | null);
    try {
      const path = validateGivenProjectPath(rec?.path);
      const at = typeof rec?.at === 'number' && Number.isFinite(rec.at) && rec.at >= 0 ? rec.at : 0;
      if (!out.some((e) => e.path === path)) out.push({ path, at });
    } catch {
      // an entry someone edited badly: drop it
    }
  }
  return out.slice(0, MAX_RECENT);
}

export async function loadRecent(dir: string): Promise<RecentEntry[]> {
  try {
    return parseRecent(JSON.parse(await fsp.readFile(join(dir, RECENT_FILE), 'utf8')));
  } catch {
    return [];
  }
}

export async function saveRecent(dir: string, list: readonly RecentEntry[]): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RECENT_FILE), JSON.stringify(list, null, 2) + '\n');
}

/** Opaque ids for recent paths: stable for this launch, not reversible, not guessable without the key. */
export class RecentIds {
  constructor(private readonly key: Uint8Array = randomBytes(32)) {}

  id(path: string): string {
    return createHmac('sha256', this.key).update(resolve(path)).digest('hex').slice(0, 32);
  }

  /** The window's view of the list: ids and file names, no paths. */
  projects(list: readonly RecentEntry[]): RecentProject[] {
    return list.map((e) => ({ id: this.id(e.path), name: basename(e.path), at: e.at, reopenable: true }));
  }

  /** The path of the entry with this id, if main's list has one; never anything else. */
  pathOf(list: readonly RecentEntry[], id: string): string | undefined {
    return list.find((e) => this.id(e.path) === id)?.path;
  }
}
