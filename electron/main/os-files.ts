// Project files handed over by the OS: as command-line arguments (double-click on Windows/Linux,
// `netwright my.netwright.json`), from a second launch, or macOS's open-file event. The recent
// projects list is in recent.ts. Plain Node (no electron), tested directly.
import { basename, isAbsolute, resolve } from 'node:path';
import { IpcValidationError, validateGivenProjectPath } from './validate';

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

/** "my.netwright.json" -> "my" (the window title and the prompts use it). */
export function projectName(path: string): string {
  return basename(path).replace(/\.netwright\.json$|\.json$/i, '');
}
