// The Host: everything the app needs from its environment (files, dialogs, persistence).
// Implementations: electron.ts (preload bridge), browser.ts (web APIs), memory.ts (tests).
// The rest of the renderer only ever talks to this interface.

export interface FileFilter {
  name: string;
  extensions: string[];
}

export interface OpenedFile {
  name: string;
  data: Uint8Array;
  /**
   * Where the host has one: a full path (Electron) or an opaque handle id (browsers with the
   * File System Access API). Pass it back as SaveRequest.path to save in place.
   */
  path?: string;
}

export interface SaveRequest {
  suggestedName: string;
  data: Uint8Array | string;
  filters?: FileFilter[];
  /**
   * Save here without asking ("Save" after a first "Save as"/open): a `path` from an earlier
   * OpenedFile/SavedFile. Honoured only for files the user chose in this session; otherwise
   * the host asks, starting from it.
   */
  path?: string;
}

export interface SavedFile {
  name: string;
  path?: string;
}

export interface ExportRequest {
  /**
   * The folder to create (Electron; browsers with the File System Access API). Plain downloads
   * ignore it: files keep their own names, since model.json refers to its weights by name.
   */
  suggestedName: string;
  files: { name: string; data: Uint8Array | string }[];
}

export interface Host {
  readonly kind: 'electron' | 'browser' | 'memory';
  openFile(options: { title?: string; filters?: FileFilter[] }): Promise<OpenedFile | null>;
  /** Saves atomically where the host can (write to a temp file, then rename). Null when cancelled. */
  saveFile(request: SaveRequest): Promise<SavedFile | null>;
  /** Writes several files together (e.g. model.json + weights.bin). False when cancelled. */
  exportFiles(request: ExportRequest): Promise<boolean>;
  /** Lets the user pick dataset files (several at once). Null when cancelled. */
  pickDataset(): Promise<OpenedFile[] | null>;
  confirm(message: string): Promise<boolean>;
  showError(title: string, message: string): Promise<void>;
  /** The autosaved project text, or null when there is none. */
  loadAutosave(): Promise<string | null>;
  storeAutosave(text: string): Promise<void>;
  /** Base URL of the bundled MNIST files (train-images-idx3-ubyte, ...), absolute. */
  mnistBaseUrl(): string;
}
