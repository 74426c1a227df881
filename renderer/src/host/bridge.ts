// The preload bridge's shape: what `window.netwright` offers inside Electron.
// Types only, no imports with side effects: the preload (electron/preload/api.ts re-exports this),
// the main process's channel table and the renderer's electron host all compile against it.
// It lives here because the web tsconfig may only include renderer files.
import type {
  AboutInfo, AppCommand, DatasetFolder, DocumentState, ExportRequest, FileFilter, OpenedFile, RecentProject, SaveRequest, SavedFile,
  TextEditAction,
} from './host';

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

  // Desktop integration. Optional so that a renderer can tell an older preload (and test doubles)
  // without them; the electron host treats a missing one as "not offered here".
  /** Menu commands from main (already checked against APP_COMMANDS). Returns unsubscribe. */
  onMenuCommand?(listener: (command: AppCommand) => void): () => void;
  /** Main has project files from the OS waiting: call takeGivenFiles. Returns unsubscribe. */
  onFilesWaiting?(listener: () => void): () => void;
  /** The project files the OS handed over since the last call, read by main (granted for Save). */
  takeGivenFiles?(): Promise<OpenedFile[]>;
  /** A dropped project file: the preload finds its path, main checks and reads it. Null: no path. */
  openDroppedFile?(file: File): Promise<OpenedFile | null>;
  /** Main asks before closing the window; the handler answers from the stores. Returns unsubscribe. */
  onCloseQuery?(handler: () => DocumentState): () => void;
  /** Main asks to save before closing (the user chose Save); resolves false when cancelled. */
  onSaveBeforeClose?(handler: () => Promise<boolean>): () => void;
  editText?(action: TextEditAction): Promise<void>;
  /**
   * A folder dialog: main walks the chosen folder (bounded, links not followed), grants it under a
   * token and returns the list of its dataset files with sizes, not their bytes. Null: cancelled.
   */
  pickDatasetFolder?(): Promise<DatasetFolder | null>;
  /** One listed file of a granted folder, read by main after checking the token and the path. */
  readDatasetFile?(token: string, path: string): Promise<Uint8Array>;
  showAbout?(info: AboutInfo): Promise<void>;
  /**
   * A multi-select open dialog (Host.openFiles: model.json + its weights). The files' names and
   * bytes only: not granted for Save, not recent projects. Null: cancelled.
   */
  openFiles?(options: OpenFileOptions): Promise<OpenedFile[] | null>;
  /** Main's recent projects (the same list as File › Open Recent): opaque ids and names, no paths. */
  listRecent?(): Promise<RecentProject[]>;
  /**
   * Reads the recent project main lists under `id` (granted for Save, like an opened file). Null
   * when main's list has no such entry any more or the file is gone. Takes ids only, never paths.
   */
  openRecent?(id: string): Promise<OpenedFile | null>;
  /** Clears main's recent list, the menu's and the OS's recent documents. */
  clearRecent?(): Promise<void>;
}

export type BridgeMethod = Exclude<keyof NetwrightBridge, 'apiVersion'>;
/** Methods that subscribe to messages from main (no channel of their own to invoke). */
export type BridgeSubscription = 'onMenuCommand' | 'onFilesWaiting' | 'onCloseQuery' | 'onSaveBeforeClose';
/** Methods that invoke a channel in main. */
export type BridgeInvoke = Exclude<BridgeMethod, BridgeSubscription>;

declare global {
  interface Window {
    /** Present only inside the Electron app (set by the preload). */
    netwright?: NetwrightBridge;
  }
}
