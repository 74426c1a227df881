// Finds the Electron binary, or says why there is none (shared by the _electron specs).
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The Electron executable, or why there is none. Checks node_modules/electron/path.txt first:
 * without it, require('electron') tries to download the binary (slow, and it fails offline).
 */
export function findElectronBinary(): { path: string } | { reason: string } {
  const require = createRequire(import.meta.url);
  let pkgDir: string;
  try {
    pkgDir = dirname(require.resolve('electron/package.json'));
  } catch {
    return { reason: 'the electron package is not installed' };
  }
  if (!process.env.ELECTRON_OVERRIDE_DIST_PATH && !existsSync(join(pkgDir, 'path.txt'))) {
    return { reason: 'the Electron binary was never downloaded (node_modules/electron/path.txt is missing)' };
  }
  let binary: unknown;
  try {
    binary = require('electron');
  } catch (err) {
    return { reason: `require('electron') threw: ${(err as Error).message.split('\n')[0]}` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) {
    return { reason: `the Electron binary ${String(binary)} does not exist` };
  }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
    return { reason: 'no display on Linux (DISPLAY is unset); run the tests under `xvfb-run -a`' };
  }
  return { path: binary };
}

