// Project files handed over by the OS: as command-line arguments (double-click on Windows/Linux,
// `netwright my.netwright.json`), from a second launch, or macOS's open-file event; and the recent
// projects list. Plain Node (no electron), tested directly.
import { promises as fsp } from 'node:fs';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { writeFileAtomic } from './files';
import { IpcValidationError, validateGivenProjectPath } from './validate';

export const RECENT_FILE = 'recent-projects.json';
export const MAX_RECENT = 10;

export interface ArgvOptions {
  /** process.defaultApp: run as `electron <main.js> …` (dev) rather than the packaged executable. */
  defaultApp: boolean;
}

/**
 * The project files named in an argv (process.argv, or a second instance's argv). Skips the
 * executable (and in dev the app's script), Chromium/Electron switches ('-…'), and anything that
 * is not a .json path; relative paths are resolved against `cwd` (the launching shell's folder).
 */
export function projectPathsFromArgv(argv: readonly string[], cwd: string, options: ArgvOptions): string[] {
  const args = argv.slice(options.defaultApp ? 2 : 1);
  const out: string[] = [];
  for (const arg of args) {
    if (arg.startsWith('-') || arg.includes('://')) continue;
    const full = isAbsolute(arg) ? arg : resolve(cwd, arg);
    try {
      const path = validateGivenProjectPath(full);
      if (!out.includes(path)) out.push(path);
    } catch (err) {
      if (!(err instanceof IpcValidationError)) throw err;
    }
  }
  return out;
}

/** The recent list with `path` first, no duplicates, at most MAX_RECENT. */
export function pushRecent(list: readonly string[], path: string, max = MAX_RECENT): string[] {
  const full = resolve(path);
  return [full, ...list.filter((p) => p !== full)].slice(0, max);
}

export async function loadRecent(dir: string): Promise<string[]> {
  try {
    const raw: unknown = JSON.parse(await fsp.readFile(join(dir, RECENT_FILE), 'utf8'));
    if (!Array.isArray(raw)) return [];
    const out: string[] = [];
    for (const p of raw) {
      try {
        out.push(validateGivenProjectPath(p));
      } catch {
        // an entry someone edited badly: drop it
      }
    }
    return out.slice(0, MAX_RECENT);
  } catch {
    return [];
  }
}

export async function saveRecent(dir: string, list: readonly string[]): Promise<void> {
  await fsp.mkdir(dir, { recursive: true });
  await writeFileAtomic(join(dir, RECENT_FILE), JSON.stringify(list, null, 2) + '\n');
}

/** "my.netwright.json" -> "my" (the window title and the prompts use it). */
export function projectName(path: string): string {
  return basename(path).replace(/\.netwright\.json$|\.json$/i, '');
}
