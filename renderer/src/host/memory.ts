// A Host for tests: files and autosave live in memory, and the "user" answers from scripts.
// Everything it was asked is recorded so tests can assert on it.
import {
  MAX_RECENT_PROJECTS, readDroppedFile, type RecentProject,
  type AboutInfo, type AppCommand, type CloseHandlers, type ExportRequest, type FileFilter, type Host, type OpenedFile,
  type SaveRequest, type SavedFile, type TextEditAction,
} from './host';
import { toBytes } from './util';

export interface MemoryHostOptions {
  /** Initial files by name (the name doubles as the path). */
  files?: Record<string, Uint8Array | string>;
  autosave?: string | null;
  /** What confirm() answers when its queue is empty (default true). */
  defaultConfirm?: boolean;
  mnistBaseUrl?: string;
}

export interface MemoryHost extends Host {
  readonly kind: 'memory';
  /** The host's "disk": path -> bytes. saveFile/exportFiles write here. */
  readonly files: Map<string, Uint8Array>;
  readonly exports: { folder: string; files: Map<string, Uint8Array> }[];
  readonly confirmations: string[];
  readonly errors: { title: string; message: string }[];
  readonly openRequests: { title?: string; filters?: FileFilter[] }[];
  autosave: string | null;
  autosaveWrites: number;
  /** Next openFile answer: a path in `files`, a file, or null (the user cancels). */
  queueOpen(answer: string | OpenedFile | null): void;
  /** Next pickDataset answer: paths in `files`, files, or null (cancel). */
  queueDataset(answer: (string | OpenedFile)[] | null): void;
  queueConfirm(answer: boolean): void;
  /** Next "Save as"/export name: a name to save under, or null (the user cancels). */
  queueSaveAs(answer: string | null): void;
  /** The text of a stored file (UTF-8). */
  readText(path: string): string;
  /** Desktop integration, scripted: a menu command, files from the OS, the close handlers. */
  emitCommand(command: AppCommand): void;
  giveFiles(files: OpenedFile[]): void;
  closeHandlers: CloseHandlers | null;
  readonly textEdits: TextEditAction[];
  readonly abouts: AboutInfo[];
  /** Recent projects (a path in `files` doubles as the id); openFiles answers from queueOpenMany. */
  readonly recentList: RecentProject[];
  queueOpenMany(answer: (string | OpenedFile)[] | null): void;
}

function copy(data: Uint8Array | string): Uint8Array {
  return toBytes(data).slice(); // callers may reuse their buffers
}

export function createMemoryHost(options: MemoryHostOptions = {}): MemoryHost {
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(options.files ?? {})) files.set(name, copy(data));
  const openQueue: (string | OpenedFile | null)[] = [];
  const datasetQueue: ((string | OpenedFile)[] | null)[] = [];
  const confirmQueue: boolean[] = [];
  const saveAsQueue: (string | null)[] = [];
  const openManyQueue: ((string | OpenedFile)[] | null)[] = [];
  let recentCount = 0;

  const resolveFile = (answer: string | OpenedFile): OpenedFile => {
    if (typeof answer !== 'string') return { ...answer, data: answer.data.slice() };
    const data = files.get(answer);
    if (!data) throw new Error(`memory host: no file "${answer}"`);
    return { name: answer.split('/').pop() ?? answer, data: data.slice(), path: answer };
  };

  /** Undefined: no scripted answer, use the suggestion. Null: cancelled. */
  const nextSaveAs = (suggested: string): string | null => {
    const answer = saveAsQueue.shift();
    return answer === undefined ? suggested : answer;
  };

  const commandListeners = new Set<(c: AppCommand) => void>();
  const fileListeners = new Set<(f: OpenedFile[]) => void>();
  const waitingFiles: OpenedFile[] = [];
  const subscribe = <T>(set: Set<T>, fn: T) => {
    set.add(fn);
    return () => void set.delete(fn);
  };

  const host: MemoryHost = {
    kind: 'memory',
    closeHandlers: null,
    textEdits: [],
    abouts: [],
    recentList: [],
    queueOpenMany: (answer) => void openManyQueue.push(answer),
    files,
    exports: [],
    confirmations: [],
    errors: [],
    openRequests: [],
    autosave: options.autosave ?? null,
    autosaveWrites: 0,

    queueOpen: (answer) => void openQueue.push(answer),
    queueDataset: (answer) => void datasetQueue.push(answer),
    queueConfirm: (answer) => void confirmQueue.push(answer),
    queueSaveAs: (answer) => void saveAsQueue.push(answer),
    readText(path) {
      const data = files.get(path);
      if (!data) throw new Error(`memory host: no file "${path}"`);
      return new TextDecoder().decode(data);
    },

    async openFile(opts) {
      host.openRequests.push(opts);
      const answer = openQueue.shift();
      return answer == null ? null : resolveFile(answer); // nothing scripted: the user cancels
    },

    async saveFile(request: SaveRequest): Promise<SavedFile | null> {
      // Like Electron: "Save" to a known path writes without asking.
      const path = request.path && files.has(request.path) ? request.path : nextSaveAs(request.suggestedName);
      if (path === null) return null;
      files.set(path, copy(request.data));
      return { name: path.split('/').pop() ?? path, path };
    },

    async exportFiles(request: ExportRequest): Promise<boolean> {
      const folder = nextSaveAs(request.suggestedName);
      if (folder === null) return false;
      const written = new Map<string, Uint8Array>();
      for (const f of request.files) {
        written.set(f.name, copy(f.data));
        files.set(`${folder}/${f.name}`, copy(f.data));
      }
      host.exports.push({ folder, files: written });
      return true;
    },

    async openFiles(opts) {
      host.openRequests.push(opts);
      const answer = openManyQueue.shift();
      return answer == null ? null : answer.map(resolveFile);
    },

    recent: {
      list: async () => host.recentList.map((r) => ({ ...r })),
      async note(file) {
        const id = file.path ?? `name:${file.name}`;
        const rest = host.recentList.filter((r) => r.id !== id);
        host.recentList.splice(0, host.recentList.length, { id, name: file.name, at: ++recentCount, reopenable: !!file.path }, ...rest.slice(0, MAX_RECENT_PROJECTS - 1));
      },
      open: async (id) => (files.has(id) ? resolveFile(id) : null),
      clear: async () => void host.recentList.splice(0),
    },

    async pickDataset() {
      const answer = datasetQueue.shift();
      return answer == null ? null : answer.map(resolveFile);
    },

    async confirm(message) {
      host.confirmations.push(message);
      return confirmQueue.shift() ?? options.defaultConfirm ?? true;
    },

    async showError(title, message) {
      host.errors.push({ title, message });
    },

    async loadAutosave() {
      return host.autosave;
    },

    async storeAutosave(text) {
      host.autosave = text;
      host.autosaveWrites += 1;
    },

    mnistBaseUrl: () => options.mnistBaseUrl ?? 'http://localhost/data/mnist/',

    emitCommand: (command) => commandListeners.forEach((fn) => fn(command)),
    giveFiles(files) {
      if (fileListeners.size === 0) waitingFiles.push(...files); // like main: kept until someone listens
      else fileListeners.forEach((fn) => fn(files));
    },
    onCommand: (listener) => subscribe(commandListeners, listener),
    onFilesGiven(listener) {
      const off = subscribe(fileListeners, listener);
      if (waitingFiles.length) listener(waitingFiles.splice(0));
      return off;
    },
    openDroppedFile: (file) => readDroppedFile(file),
    onCloseRequest(handlers) {
      host.closeHandlers = handlers;
      return () => {
        if (host.closeHandlers === handlers) host.closeHandlers = null;
      };
    },
    async editText(action) {
      host.textEdits.push(action);
    },
    async showAbout(info) {
      host.abouts.push(info);
    },
  };
  return host;
}
