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

/** A dataset folder the user picked, as the desktop host lists it: names and sizes, bytes on demand. */
export interface DatasetFolder {
  /** Opaque: names the folder main granted (pass it back to read its files). */
  token: string;
  /** The folder's own name. */
  name: string;
  /** Dataset files (images, CSV/TSV, IDX, .npy/.npz), relative and '/'-separated: 'cats/1.png'. */
  files: { path: string; size: number }[];
  /** Sub-folders, relative: empty class folders are reported by the import. */
  dirs: string[];
  /** What the walk left out, and why (links, too deep, too large). */
  skipped: { file: string; reason: string }[];
}

/** A picked dataset folder whose files are read one at a time (Host.pickDatasetFolder). */
export interface PickedDatasetFolder extends Omit<DatasetFolder, 'token'> {
  read(path: string): Promise<Uint8Array>;
}

/** A project opened or saved lately, as the host remembers it. */
export interface RecentProject {
  /** Opaque: pass it back to RecentProjects.open. */
  id: string;
  /** The file name, for the list. */
  name: string;
  /** Milliseconds since 1970 of the last open or save. */
  at: number;
  /**
   * True when the host can read it again without asking (a kept file handle, a path); false for
   * names only (browsers without the File System Access API): the app then shows the picker.
   */
  reopenable: boolean;
}

/** Recent projects, newest first, at most MAX_RECENT_PROJECTS. */
export interface RecentProjects {
  list(): Promise<RecentProject[]>;
  /** Remembers a project file just opened or saved (the host's OpenedFile/SavedFile). */
  note(file: { name: string; path?: string }): Promise<void>;
  /**
   * Reads a recent project again (asking for permission where the browser wants it); the result's
   * `path` saves back in place. Null when it cannot: gone, permission refused, or names only.
   */
  open(id: string): Promise<OpenedFile | null>;
  clear(): Promise<void>;
}

export const MAX_RECENT_PROJECTS = 8;

export interface Host extends DesktopHost {
  readonly kind: 'electron' | 'browser' | 'memory';
  openFile(options: { title?: string; filters?: FileFilter[] }): Promise<OpenedFile | null>;
  /**
   * Lets the user pick several files at once (an exported model: model.json + its weights).
   * Optional (a host or an older preload without it): callers then use pickDataset. The Electron
   * host returns names and bytes only (no path: nothing is granted for Save).
   */
  openFiles?(options: { title?: string; filters?: FileFilter[] }): Promise<OpenedFile[] | null>;
  /**
   * Recent projects in the window (browser: IndexedDB; tests: memory; Electron: main's list, the
   * same as File > Open Recent, under opaque ids, where `note` is a no-op because main notes every
   * project it opens or saves itself). Optional: absent where a host keeps no list.
   */
  recent?: RecentProjects;
  /** Saves atomically where the host can (write to a temp file, then rename). Null when cancelled. */
  saveFile(request: SaveRequest): Promise<SavedFile | null>;
  /** Writes several files together (e.g. model.json + weights.bin). False when cancelled. */
  exportFiles(request: ExportRequest): Promise<boolean>;
  /** Lets the user pick dataset files (several at once). Null when cancelled. */
  pickDataset(): Promise<OpenedFile[] | null>;
  /**
   * Lets the user pick a dataset folder; its files are listed, and read one by one with `read`
   * (never the whole folder at once). Optional: the desktop host has it; browsers use a
   * directory input instead. Null when cancelled.
   */
  pickDatasetFolder?(): Promise<PickedDatasetFolder | null>;
  confirm(message: string): Promise<boolean>;
  showError(title: string, message: string): Promise<void>;
  /** The autosaved project text, or null when there is none. */
  loadAutosave(): Promise<string | null>;
  storeAutosave(text: string): Promise<void>;
  /** Base URL of the bundled MNIST files (train-images-idx3-ubyte, ...), absolute. */
  mnistBaseUrl(): string;
}

// ---- Desktop integration (menus, files from the OS, close prompt, About). Hosts without the
// capability (browsers, tests) implement these as no-ops or web equivalents.

/**
 * Commands the native menus send to the renderer. Main only ever sends names from this list, the
 * preload drops anything else, and `useAppCommands` maps each to an action.
 */
export const APP_COMMANDS = [
  'file.new', 'file.open', 'file.save', 'file.saveAs', 'dataset.import',
  'export.tfjs', 'export.onnx', 'export.pytorch', 'export.modelCard',
  'edit.undo', 'edit.redo', 'edit.cut', 'edit.copy', 'edit.paste', 'edit.selectAll',
  'model.autoLayout', 'model.duplicate', 'model.summary',
  'train.start', 'train.pause', 'train.stop',
  'help.shortcuts', 'help.about',
] as const;
export type AppCommand = (typeof APP_COMMANDS)[number];

export function isAppCommand(x: unknown): x is AppCommand {
  return typeof x === 'string' && (APP_COMMANDS as readonly string[]).includes(x);
}

/** Native editing of the focused text field (menu Edit items while typing in an input). */
export const TEXT_EDIT_ACTIONS = ['undo', 'redo', 'cut', 'copy', 'paste', 'selectAll'] as const;
export type TextEditAction = (typeof TEXT_EDIT_ACTIONS)[number];

/** What the window's close needs to know: unsaved changes, a run in progress. */
export interface DocumentState {
  dirty: boolean;
  training: boolean;
  /** The project's name, for the prompt ("Save changes to LeNet-5?"). */
  name: string;
}

export interface CloseHandlers {
  state(): DocumentState;
  /** Saves the project (asking where when it has no file yet); false when cancelled. */
  save(): Promise<boolean>;
}

/** The About panel's facts. */
export interface AboutInfo {
  /** One line per fact (the host adds the app's name and version): the GPU adapter (vendor, architecture), the backend in use, … */
  details: string[];
}

export interface DesktopHost {
  /** Native menu commands; returns an unsubscribe function. No-op where there are no menus. */
  onCommand(listener: (command: AppCommand) => void): () => void;
  /**
   * Project files the OS handed over (double-click, command-line argument, a second launch),
   * already read; files waiting from before the call are delivered too. No-op in browsers.
   */
  onFilesGiven(listener: (files: OpenedFile[]) => void): () => void;
  /**
   * A project file dropped on the window. The desktop host lets main read it from disk so that
   * "Save" writes back to it; elsewhere its bytes are read here (no path).
   */
  openDroppedFile(file: File): Promise<OpenedFile>;
  /** Lets closing the window ask about unsaved work or a run (browsers: beforeunload). */
  onCloseRequest(handlers: CloseHandlers): () => void;
  /** Native undo/cut/copy/paste in the focused text field (desktop; the browser does it itself). */
  editText(action: TextEditAction): Promise<void>;
  showAbout(info: AboutInfo): Promise<void>;
}

/** A dropped File read in the page (no path: "Save" will ask where). */
export async function readDroppedFile(file: File): Promise<OpenedFile> {
  return { name: file.name, data: new Uint8Array(await file.arrayBuffer()) };
}
