// Entry point for the rest of the renderer: `createHost()` and the Host types.
// Picks the Electron host when the preload bridge is present, the browser host otherwise.
import type { Host } from './host';
import { createBrowserHost } from './browser';
import { createElectronHost } from './electron';

export type { ExportRequest, FileFilter, Host, OpenedFile, SaveRequest, SavedFile } from './host';
export type { NetwrightBridge } from './bridge';

export function createHost(win: Window = window): Host {
  const bridge = win.netwright;
  return bridge ? createElectronHost(bridge, win.document.baseURI) : createBrowserHost(win);
}
