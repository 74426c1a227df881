// IPC handlers: one channel per bridge method. Each checks the sender, validates its arguments
// (validate.ts) and does the work with dialogs and files.ts. Thin on purpose: the logic that can
// be tested without Electron lives in those modules.
import {
  BrowserWindow,
  dialog,
  ipcMain,
  type IpcMainInvokeEvent,
  type MessageBoxOptions,
  type OpenDialogOptions,
  type SaveDialogOptions,
} from 'electron';
import { basename } from 'node:path';
import { CHANNELS, type Channel } from '../shared/channels';
import type { DatasetFolder, OpenedFile, RecentProject, SavedFile } from '../../renderer/src/host/host';
import type { RendererQuestions } from './close';
import { FolderGrants, walkDatasetFolder } from './dataset-folder';
import { createAutosaveStore, readFileLimited, writeFileAtomic, writeFilesInto } from './files';
import {
  IpcValidationError,
  LIMITS,
  PathGrants,
  checkArgCount,
  checkRequestId,
  isTrustedSender,
  validateAboutInfo,
  validateAnswer,
  validateAutosaveText,
  validateConfirm,
  validateExportRequest,
  validateGivenProjectPath,
  validateOpenOptions,
  validateRecentId,
  validateSaveRequest,
  validateShowError,
  validateTextEditAction,
} from './validate';

export interface IpcOptions {
  /** Origins whose top-level pages may call (app://netwright, plus the dev server in dev). */
  allowedOrigins: readonly string[];
  /** Where the autosave lives: app.getPath('userData'). */
  autosaveDir: string;
  /** Files the user chose or the OS handed over: "Save" may write to these without asking. */
  grants?: PathGrants;
  /** Dataset folders the user picked: the only folders readDatasetFile reads from. */
  folders?: FolderGrants;
  /** The desktop side (files from the OS, questions to the renderer); absent in a bare setup. */
  desktop?: DesktopIpc;
}

export interface DesktopIpc {
  /** Paths the OS handed over that the renderer has not taken yet (emptied by the call). */
  takeGivenPaths(): string[];
  /** A project was opened from a file (recent documents). */
  opened(path: string): void;
  /** Main's recent projects, as the window sees them (desktop.ts, recent.ts). */
  recent: {
    /** Opaque ids and names, newest first. */
    list(): RecentProject[];
    /** The path main lists under `id`, or undefined: the only paths openRecent reads. */
    pathOf(id: string): string | undefined;
    clear(): void;
  };
  questions: RendererQuestions;
  appName: string;
  appVersion: string;
}

type Handler = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<unknown>;

function handle(channel: Channel, maxArgs: number, options: IpcOptions, fn: Handler): void {
  ipcMain.handle(channel, async (event, ...args: unknown[]) => {
    const frame = event.senderFrame;
    if (!frame || !isTrustedSender(frame.url, frame.parent === null, options.allowedOrigins)) {
      throw new IpcValidationError(`${channel}: refused, the caller is not the app's own page`);
    }
    checkArgCount(args, maxArgs, channel);
    return fn(event, ...args);
  });
}

function ownerWindow(event: IpcMainInvokeEvent): BrowserWindow | undefined {
  return BrowserWindow.fromWebContents(event.sender) ?? undefined;
}

/** Dialog calls with a parent window when there is one (modal), without otherwise. */
function showOpen(win: BrowserWindow | undefined, opts: OpenDialogOptions) {
  return win ? dialog.showOpenDialog(win, opts) : dialog.showOpenDialog(opts);
}
function showSave(win: BrowserWindow | undefined, opts: SaveDialogOptions) {
  return win ? dialog.showSaveDialog(win, opts) : dialog.showSaveDialog(opts);
}
function showMessage(win: BrowserWindow | undefined, opts: MessageBoxOptions) {
  return win ? dialog.showMessageBox(win, opts) : dialog.showMessageBox(opts);
}

/** Reads project files for the renderer, granting each for Save; unreadable ones are reported. */
async function readGranted(paths: readonly string[], grants: PathGrants): Promise<{ files: OpenedFile[]; failed: string[] }> {
  const files: OpenedFile[] = [];
  const failed: string[] = [];
  for (const path of paths) {
    try {
      const data = await readFileLimited(path, LIMITS.maxFileBytes);
      grants.grant(path); // the OS or the user gave it: "Save" may write back to it
      files.push({ name: basename(path), data, path });
    } catch (err) {
      failed.push(`${basename(path)}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { files, failed };
}

/**
 * Reads the files of a multi-select dialog, bounded in count and total size. `withPath`: the
 * result names where each came from (dataset files); without it, names and bytes only.
 */
async function readPicked(paths: readonly string[], maxFiles: number, what: string, withPath: boolean): Promise<OpenedFile[]> {
  if (paths.length > maxFiles) throw new IpcValidationError(`Choose at most ${maxFiles} ${what}`);
  const files: OpenedFile[] = [];
  let total = 0;
  for (const path of paths) {
    const data = await readFileLimited(path, LIMITS.maxFileBytes);
    total += data.byteLength;
    if (total > LIMITS.maxTotalBytes) throw new IpcValidationError(`The chosen ${what} are too large together`);
    files.push({ name: basename(path), data, ...(withPath ? { path } : {}) });
  }
  return files;
}

/** A file that is no longer there: a recent project moved or deleted since. */
function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export function registerIpc(options: IpcOptions): void {
  const grants = options.grants ?? new PathGrants();
  const autosave = createAutosaveStore(options.autosaveDir);
  const folders = options.folders ?? new FolderGrants();

  handle(CHANNELS.openFile, 1, options, async (event, raw) => {
    const opts = validateOpenOptions(raw);
    const result = await showOpen(ownerWindow(event), {
      title: opts.title,
      filters: opts.filters.length ? opts.filters : undefined,
      properties: ['openFile'],
    });
    const path = result.canceled ? undefined : result.filePaths[0];
    if (!path) return null;
    const data = await readFileLimited(path, LIMITS.maxFileBytes);
    grants.grant(path); // the user picked it: "Save" may write back to it
    options.desktop?.opened(path);
    return { name: basename(path), data, path } satisfies OpenedFile;
  });

  handle(CHANNELS.saveFile, 1, options, async (event, raw) => {
    const req = validateSaveRequest(raw);
    let path = req.path && grants.has(req.path) ? req.path : undefined;
    if (!path) {
      // First save, or a path the user has not chosen in this session: ask.
      const result = await showSave(ownerWindow(event), {
        defaultPath: req.path ?? req.suggestedName,
        filters: req.filters?.length ? req.filters : undefined,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      });
      if (result.canceled || !result.filePath) return null;
      path = result.filePath;
    }
    await writeFileAtomic(path, req.data);
    grants.grant(path);
    if (/\.json$/i.test(path)) options.desktop?.opened(path);
    return { name: basename(path), path } satisfies SavedFile;
  });

  handle(CHANNELS.exportFiles, 1, options, async (event, raw) => {
    const req = validateExportRequest(raw);
    const result = await showSave(ownerWindow(event), {
      title: 'Export to a new folder',
      defaultPath: req.suggestedName,
      buttonLabel: 'Export',
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (result.canceled || !result.filePath) return false;
    await writeFilesInto(result.filePath, req.files);
    return true;
  });

  // Several files at once (an exported TF.js model: model.json + its weights). They are read for
  // the page and that is all: not granted for Save (no path goes back), not recent projects.
  handle(CHANNELS.openFiles, 1, options, async (event, raw) => {
    const opts = validateOpenOptions(raw);
    const result = await showOpen(ownerWindow(event), {
      title: opts.title,
      filters: opts.filters.length ? opts.filters : undefined,
      properties: ['openFile', 'multiSelections'],
    });
    if (result.canceled || result.filePaths.length === 0) return null;
    return readPicked(result.filePaths, LIMITS.maxOpenFiles, 'files', false);
  });

  handle(CHANNELS.pickDataset, 0, options, async (event) => {
    const result = await showOpen(ownerWindow(event), {
      title: 'Choose dataset files',
      properties: ['openFile', 'multiSelections'],
    });
    if (result.canceled || result.filePaths.length === 0) return null;
    return readPicked(result.filePaths, LIMITS.maxDatasetFiles, 'dataset files', true);
  });

  // A folder is listed (names and sizes) and granted to this window; its files then come one per
  // readDatasetFile call, so a folder of 100k images never crosses IPC in one message.
  handle(CHANNELS.pickDatasetFolder, 0, options, async (event) => {
    const result = await showOpen(ownerWindow(event), { title: 'Choose a dataset folder', properties: ['openDirectory'] });
    const path = result.canceled ? undefined : result.filePaths[0];
    if (!path) return null;
    const { root, listing } = await walkDatasetFolder(path);
    if (!listing.files.length) throw new IpcValidationError(`${listing.name} has no dataset files (images, CSV/TSV, IDX, .npy/.npz)`);
    return { token: folders.grant(root, listing, event.sender.id), ...listing } satisfies DatasetFolder;
  });

  handle(CHANNELS.readDatasetFile, 2, options, async (event, token, path) => folders.read(token, path, event.sender.id));

  handle(CHANNELS.confirm, 1, options, async (event, raw) => {
    const message = validateConfirm(raw);
    const { response } = await showMessage(ownerWindow(event), {
      type: 'question',
      buttons: ['OK', 'Cancel'],
      defaultId: 0,
      cancelId: 1,
      message,
    });
    return response === 0;
  });

  handle(CHANNELS.showError, 2, options, async (event, rawTitle, rawMessage) => {
    const { title, message } = validateShowError(rawTitle, rawMessage);
    await showMessage(ownerWindow(event), { type: 'error', title, message: title, detail: message, buttons: ['OK'] });
  });

  handle(CHANNELS.loadAutosave, 0, options, async () => autosave.load());

  handle(CHANNELS.storeAutosave, 1, options, async (_event, raw) => {
    await autosave.store(validateAutosaveText(raw));
  });

  const desktop = options.desktop;
  if (!desktop) return;

  handle(CHANNELS.takeGivenFiles, 0, options, async (event) => {
    const { files, failed } = await readGranted(desktop.takeGivenPaths(), grants);
    for (const f of files) if (f.path) desktop.opened(f.path);
    if (failed.length) {
      await showMessage(ownerWindow(event), { type: 'error', title: 'Could not open', message: 'Could not open', detail: failed.join('\n'), buttons: ['OK'] });
    }
    return files;
  });

  handle(CHANNELS.openDroppedFile, 1, options, async (_event, raw) => {
    const path = validateGivenProjectPath(raw, 'dropped file');
    const { files, failed } = await readGranted([path], grants);
    if (!files[0]) throw new IpcValidationError(failed[0] ?? 'Could not read the dropped file');
    desktop.opened(path);
    return files[0];
  });

  // Recent projects in the window: the list main keeps (the same as File › Open Recent). The page
  // gets opaque ids; openRecent takes an id, never a path, and reads only what main's list names.
  // There is no "note" channel: main notes every project it opens or saves itself.
  handle(CHANNELS.listRecent, 0, options, async () => desktop.recent.list());

  handle(CHANNELS.openRecent, 1, options, async (_event, raw) => {
    const id = validateRecentId(raw);
    const listed = desktop.recent.pathOf(id);
    if (!listed) return null; // cleared or pushed out since the page listed it: the page shows the picker
    const path = validateGivenProjectPath(listed, 'recent project'); // as when it was added
    let data: Uint8Array;
    try {
      data = await readFileLimited(path, LIMITS.maxFileBytes);
    } catch (err) {
      if (isGone(err)) return null;
      throw err;
    }
    grants.grant(path); // main listed it because the user opened or saved it: "Save" writes back
    desktop.opened(path);
    return { name: basename(path), data, path } satisfies OpenedFile;
  });

  handle(CHANNELS.clearRecent, 0, options, async () => {
    desktop.recent.clear();
  });

  handle(CHANNELS.editText, 1, options, async (event, raw) => {
    const action = validateTextEditAction(raw);
    event.sender[action](); // webContents.undo(), .cut(), … in the focused field
  });

  handle(CHANNELS.showAbout, 1, options, async (event, raw) => {
    const info = validateAboutInfo(raw);
    await showMessage(ownerWindow(event), {
      type: 'info',
      title: `About ${desktop.appName}`,
      message: `${desktop.appName} ${desktop.appVersion}`,
      detail: info.details.join('\n'),
      buttons: ['OK'],
    });
  });

  handle(CHANNELS.answer, 2, options, async (event, rawId, rawAnswer) => {
    const id = checkRequestId(rawId);
    if (!desktop.questions.answer(event.sender.id, id, validateAnswer(rawAnswer))) {
      throw new IpcValidationError('answer: nothing is waiting for it');
    }
  });
}
