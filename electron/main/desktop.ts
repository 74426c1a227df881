// The desktop side of the window: native menus, files from the OS, the close prompt, remembered
// window bounds, the OS theme, recent documents. The decisions live in plain modules (menu.ts,
// close.ts, window-state.ts, os-files.ts); this file applies them to Electron objects.
import { app, BrowserWindow, dialog, Menu, nativeTheme, screen, type MessageBoxOptions } from 'electron';
import type { AppCommand, DocumentState, RecentProject } from '../../renderer/src/host/host';
import { EVENTS } from '../shared/channels';
import { RendererQuestions, closeOutcome, decideClose } from './close';
import { buildMenuTemplate, toElectronTemplate, type MainAction } from './menu';
import { projectPathsFromArgv } from './os-files';
import { RecentIds, loadRecent, pushRecent, saveRecent, type RecentEntry } from './recent';
import { validateDocumentState, validateGivenProjectPath } from './validate';
import { initialBounds, loadWindowState, saveWindowState, type WindowState } from './window-state';

/** How long the renderer has to say whether it has unsaved work before main asks the user. */
export const CLOSE_QUERY_TIMEOUT_MS = 3000;
/** Saving before close may show a Save dialog: the user has all the time they need. */
export const SAVE_BEFORE_CLOSE_TIMEOUT_MS = 24 * 60 * 60 * 1000;

/** Chromium switches: ask for the discrete GPU on machines with two (WebGPU's high-performance adapter). */
export const GPU_SWITCHES: readonly string[] = ['force_high_performance_gpu'];

const DARK_BACKGROUND = '#0f1218';
const LIGHT_BACKGROUND = '#f6f7f9';

export function backgroundColor(dark: boolean): string {
  return dark ? DARK_BACKGROUND : LIGHT_BACKGROUND;
}

export interface DesktopOptions {
  userDataDir: string;
  devTools: boolean;
  appName: string;
}

export class Desktop {
  readonly questions = new RendererQuestions();
  private readonly givenPaths: string[] = [];
  private recent: RecentEntry[] = [];
  /** Opaque ids for the window's recent list (a new key each launch). */
  private readonly recentIds = new RecentIds();
  /** Saves of the recent list, one after another, so an older list never lands after a newer one. */
  private recentSaved: Promise<void> = Promise.resolve();
  private window: BrowserWindow | null = null;
  /** Set once the user (or the renderer's state) has agreed: the next close goes through. */
  private closeApproved = false;
  private closing = false;

  constructor(private readonly options: DesktopOptions) {}

  /** Before 'ready': Chromium switches, and macOS's open-file (it fires before 'ready' on a double-click launch). */
  beforeReady(): void {
    for (const s of GPU_SWITCHES) app.commandLine.appendSwitch(s);
    app.on('open-file', (event, path) => {
      event.preventDefault();
      try {
        this.give([validateGivenProjectPath(path)]);
      } catch (err) {
        console.error('open-file ignored:', err instanceof Error ? err.message : err);
      }
    });
  }

  /** After 'ready', before the window: the theme, recent projects, files named on the command line, the menu. */
  async init(argv: readonly string[], cwd: string): Promise<void> {
    nativeTheme.themeSource = 'system'; // follow the OS; prefers-color-scheme follows it too
    this.recent = await loadRecent(this.options.userDataDir);
    this.give(projectPathsFromArgv(argv, cwd, { defaultApp: process.defaultApp === true }));
    this.installMenu();
  }

  // ---- files from the OS

  /** Queues project files for the renderer and tells it they are waiting. */
  give(paths: readonly string[]): void {
    if (paths.length === 0) return;
    for (const p of paths) if (!this.givenPaths.includes(p)) this.givenPaths.push(p);
    this.notifyFilesWaiting();
  }

  /** A second launch: its files go to this window, which comes to the front. */
  secondInstance(argv: readonly string[], cwd: string): void {
    // The second instance passes its own argv; it ran packaged or as `electron main.js` like us.
    this.give(projectPathsFromArgv(argv, cwd, { defaultApp: process.defaultApp === true }));
    const win = this.window;
    if (win) {
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    }
  }

  takeGivenPaths(): string[] {
    return this.givenPaths.splice(0);
  }

  private notifyFilesWaiting(): void {
    const win = this.window;
    if (win && !win.isDestroyed() && !win.webContents.isLoading()) win.webContents.send(EVENTS.filesWaiting);
    // Still loading: the renderer takes waiting files when it subscribes.
  }

  // ---- recent projects: one list for the OS, File › Open Recent and the window (Host.recent)

  /** A project was opened or saved: recent documents (the OS's list, the menu, the window's list). */
  opened(path: string): void {
    let full: string;
    try {
      full = validateGivenProjectPath(path); // project files only, as loadRecent keeps them
    } catch {
      return;
    }
    app.addRecentDocument(full);
    this.recent = pushRecent(this.recent, full, Date.now());
    this.persistRecent();
    this.installMenu();
  }

  /** The window's list: opaque ids and file names, no paths. */
  recentProjects(): RecentProject[] {
    return this.recentIds.projects(this.recent);
  }

  /** The path of a recent entry by its id; undefined unless main's own list has it. */
  recentPath(id: string): string | undefined {
    return this.recentIds.pathOf(this.recent, id);
  }

  /** Clear Recent (the menu's or the window's): main's list, the menu and the OS's recent documents. */
  clearRecent(): void {
    app.clearRecentDocuments();
    this.recent = [];
    this.persistRecent();
    this.installMenu();
  }

  private persistRecent(): void {
    const list = this.recent;
    this.recentSaved = this.recentSaved
      .then(() => saveRecent(this.options.userDataDir, list))
      .catch((err: unknown) => console.error('Saving recent projects failed:', err));
  }

  // ---- menus

  installMenu(): void {
    const template = buildMenuTemplate({
      platform: process.platform,
      recent: this.recent.map((e) => e.path),
      appName: this.options.appName,
      devTools: this.options.devTools,
    });
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        toElectronTemplate(template, {
          command: (c) => this.sendCommand(c),
          action: (a) => this.runAction(a),
          openRecent: (p) => this.give([p]),
        }),
      ),
    );
  }

  sendCommand(command: AppCommand): void {
    const win = this.window ?? BrowserWindow.getFocusedWindow();
    if (win && !win.isDestroyed()) win.webContents.send(EVENTS.menuCommand, command);
  }

  runAction(action: MainAction): void {
    const win = this.window;
    const contents = win && !win.isDestroyed() ? win.webContents : null;
    switch (action) {
      case 'zoomIn':
        contents?.setZoomLevel(Math.min(contents.getZoomLevel() + 0.5, 5));
        break;
      case 'zoomOut':
        contents?.setZoomLevel(Math.max(contents.getZoomLevel() - 0.5, -3));
        break;
      case 'zoomReset':
        contents?.setZoomLevel(0);
        break;
      case 'toggleFullScreen':
        win?.setFullScreen(!win.isFullScreen());
        break;
      case 'toggleDevTools':
        if (this.options.devTools) contents?.toggleDevTools();
        break;
      case 'clearRecent':
        this.clearRecent();
        break;
      case 'closeWindow':
        win?.close();
        break;
      case 'quit':
        app.quit();
        break;
    }
  }

  // ---- the window

  async windowOptions(): Promise<{ bounds: ReturnType<typeof initialBounds>; saved: WindowState | null; backgroundColor: string }> {
    const saved = await loadWindowState(this.options.userDataDir);
    const areas = screen.getAllDisplays().map((d) => d.workArea);
    return { bounds: initialBounds(saved, areas), saved, backgroundColor: backgroundColor(nativeTheme.shouldUseDarkColors) };
  }

  attach(win: BrowserWindow, saved: WindowState | null): void {
    this.window = win;
    if (saved?.maximized) win.maximize();
    const onTheme = () => {
      if (!win.isDestroyed()) win.setBackgroundColor(backgroundColor(nativeTheme.shouldUseDarkColors));
    };
    nativeTheme.on('updated', onTheme);
    win.webContents.on('did-finish-load', () => {
      if (this.givenPaths.length) win.webContents.send(EVENTS.filesWaiting);
    });
    win.on('close', (event) => {
      this.rememberBounds(win);
      if (this.closeApproved) return;
      event.preventDefault();
      void this.confirmClose(win);
    });
    win.on('closed', () => {
      nativeTheme.removeListener('updated', onTheme);
      if (this.window === win) this.window = null;
      this.closeApproved = false;
    });
  }

  private rememberBounds(win: BrowserWindow): void {
    if (win.isDestroyed()) return;
    const state: WindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
    void saveWindowState(this.options.userDataDir, state).catch((err: unknown) => console.error('Saving the window state failed:', err));
  }

  /** Asks the renderer for its state, the user if needed, and closes when that is the answer. */
  async confirmClose(win: BrowserWindow): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    try {
      const contents = win.webContents;
      const reply = await this.questions.ask(contents.id, (id) => contents.send(EVENTS.closeQuery, id), CLOSE_QUERY_TIMEOUT_MS);
      let state: DocumentState | 'no-answer' = 'no-answer';
      if (reply !== 'no-answer' && reply.ok) {
        try {
          state = validateDocumentState(reply.value);
        } catch {
          state = 'no-answer';
        }
      }
      const decision = decideClose(state);
      if (decision.kind === 'close') return this.closeNow(win);
      const { prompt } = decision;
      const box: MessageBoxOptions = {
        type: prompt.kind === 'no-answer' ? 'warning' : 'question',
        buttons: prompt.buttons,
        defaultId: prompt.defaultId,
        cancelId: prompt.cancelId,
        message: prompt.message,
        detail: prompt.detail,
        noLink: true,
      };
      const { response } = await dialog.showMessageBox(win, box);
      const outcome = closeOutcome(prompt, response);
      if (outcome === 'close') return this.closeNow(win);
      if (outcome === 'save-then-close') {
        const saved = await this.questions.ask(contents.id, (id) => contents.send(EVENTS.saveBeforeClose, id), SAVE_BEFORE_CLOSE_TIMEOUT_MS);
        if (saved !== 'no-answer' && saved.ok && saved.value === true) return this.closeNow(win);
        if (saved !== 'no-answer' && !saved.ok) dialog.showErrorBox('Could not save the project', saved.error);
      }
    } finally {
      this.closing = false;
    }
  }

  private closeNow(win: BrowserWindow): void {
    if (win.isDestroyed()) return;
    this.closeApproved = true;
    win.close();
  }
}
