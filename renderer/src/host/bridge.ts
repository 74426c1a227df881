// The preload bridge's shape: what `window.netwright` offers inside Electron.
// Types only, no imports with side effects: the preload (electron/preload/api.ts re-exports this),
// the main process's channel table and the renderer's electron host all compile against it.
// It lives here because the web tsconfig may only include renderer files.
import type { ExportRequest, FileFilter, OpenedFile, SaveRequest, SavedFile } from './host';

export interface OpenFileOptions {
  title?: string;
  filters?: FileFilter[];
}

/** One method per capability; each is one `ipcRenderer.invoke` on its own channel. */
export interface NetwrightBridge {
  /** Bumped when a method changes shape, so a stale preload is detectable. */
  readonly apiVersion: 1;
  openFile(options: OpenFileOptions): Promise<OpenedFile | null>;
  saveFile(request: SaveRequest): Promise<SavedFile | null>;
  exportFiles(request: ExportRequest): Promise<boolean>;
  pickDataset(): Promise<OpenedFile[] | null>;
  confirm(message: string): Promise<boolean>;
  showError(title: string, message: string): Promise<void>;
  loadAutosave(): Promise<string | null>;
  storeAutosave(text: string): Promise<void>;
}

export type BridgeMethod = Exclude<keyof NetwrightBridge, 'apiVersion'>;

declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload). */
    netwright?: NetwrightBridge;
  }
}
