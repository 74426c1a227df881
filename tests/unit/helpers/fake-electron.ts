// A fake `electron` module for the main-process tests: windows, menus, IPC handlers, protocol and
// session hooks recorded in `fake`, dialogs and shell as mocks. State lives on globalThis so that a
// test that resets modules and imports main again (dev mode) still sees the same records.
import { vi } from 'vitest';

function shared<T>(key: string, make: () => T): T {
  const g = globalThis as unknown as Record<string, T>;
  return (g[`__fakeElectron_${key}`] ??= make());
}

function createState() {
  return {
    handlers: new Map<string, (...args: unknown[]) => Promise<unknown>>(),
    appListeners: new Map<string, ((...args: unknown[]) => void)[]>(),
    windows: [] as FakeWindow[],
    schemes: [] as unknown[],
    protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
    permissionRequest: undefined as undefined | ((...a: unknown[]) => void),
    permissionCheck: undefined as undefined | ((...a: unknown[]) => boolean),
    headerHooks: [] as unknown[],
    userData: '',
    sandboxEnabled: false,
    switches: [] as string[],
    menu: null as null | { template: MenuTemplateItem[] },
    recentDocuments: [] as string[],
    themeSource: '',
    dark: true,
    themeListeners: [] as (() => void)[],
    quits: 0,
  };
}

export const fake = shared('state', createState);

export interface MenuTemplateItem {
  id?: string;
  label?: string;
  accelerator?: string;
  role?: string;
  type?: string;
  enabled?: boolean;
  click?: () => void;
  submenu?: MenuTemplateItem[];
}

export interface FakeWindow {
  options: Record<string, unknown>;
  url?: string;
  listeners: Map<string, ((...a: unknown[]) => void)[]>;
  webContents: { id: number; sent: [string, unknown][]; send: (channel: string, payload?: unknown) => void; zoom: number; edits: string[] } & Record<string, unknown>;
  destroyed: boolean;
  maximized: boolean;
  background?: string;
  close(): void;
  emit(event: string, ...args: unknown[]): void;
}

export const dialog = shared('dialog', () => ({
  showOpenDialog: vi.fn(),
  showSaveDialog: vi.fn(),
  showMessageBox: vi.fn(),
  showErrorBox: vi.fn(),
}));
export const shell = shared('shell', () => ({ openExternal: vi.fn(async () => undefined) }));

/** The `electron` module the main process sees: `vi.mock('electron', () => electronModule())`. */
export function electronModule() {
  let nextId = 1;
  class BrowserWindow implements FakeWindow {
    options: Record<string, unknown>;
    url?: string;
    listeners = new Map<string, ((...a: unknown[]) => void)[]>();
    destroyed = false;
    maximized = false;
    fullScreen = false;
    background?: string;
    webContents: FakeWindow['webContents'];
    constructor(options: Record<string, unknown>) {
      this.options = options;
      const contents = {
        id: nextId++,
        sent: [] as [string, unknown][],
        zoom: 0,
        edits: [] as string[],
        send: (channel: string, payload?: unknown) => void contents.sent.push([channel, payload]),
        isLoading: () => false,
        on: () => undefined,
        getZoomLevel: () => contents.zoom,
        setZoomLevel: (z: number) => void (contents.zoom = z),
        toggleDevTools: () => undefined,
      };
      this.webContents = contents;
      fake.windows.push(this);
    }
    once() {}
    on(event: string, fn: (...a: unknown[]) => void) {
      this.listeners.set(event, [...(this.listeners.get(event) ?? []), fn]);
    }
    emit(event: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(event) ?? []) fn(...args);
    }
    show() {}
    focus() {}
    restore() {}
    isMinimized() {
      return false;
    }
    isDestroyed() {
      return this.destroyed;
    }
    maximize() {
      this.maximized = true;
    }
    isMaximized() {
      return this.maximized;
    }
    isFullScreen() {
      return this.fullScreen;
    }
    setFullScreen(f: boolean) {
      this.fullScreen = f;
    }
    getNormalBounds() {
      return { x: 10, y: 20, width: 1200, height: 800 };
    }
    setBackgroundColor(c: string) {
      this.background = c;
    }
    close() {
      let prevented = false;
      this.emit('close', { preventDefault: () => (prevented = true) });
      if (prevented) return;
      this.destroyed = true;
      this.emit('closed');
    }
    loadURL(url: string) {
      this.url = url;
      return Promise.resolve();
    }
    static getAllWindows = () => fake.windows.filter((w) => !w.destroyed);
    static getFocusedWindow = () => null;
    static fromWebContents = () => undefined;
  }
  const ses = {
    setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => (fake.permissionRequest = fn),
    setPermissionCheckHandler: (fn: (...a: unknown[]) => boolean) => (fake.permissionCheck = fn),
    setDevicePermissionHandler: () => undefined,
    webRequest: { onHeadersReceived: (...a: unknown[]) => fake.headerHooks.push(a) },
    protocol: { handle: (scheme: string, fn: (req: Request) => Promise<Response>) => fake.protocolHandlers.set(scheme, fn) },
  };
  return {
    app: {
      isPackaged: false,
      enableSandbox: () => (fake.sandboxEnabled = true),
      setPath: (_name: string, path: string) => (fake.userData = path),
      getPath: () => fake.userData,
      getVersion: () => '0.1.0',
      requestSingleInstanceLock: () => true,
      commandLine: { appendSwitch: (s: string) => fake.switches.push(s) },
      addRecentDocument: (p: string) => fake.recentDocuments.push(p),
      clearRecentDocuments: () => (fake.recentDocuments.length = 0),
      on: (event: string, fn: (...args: unknown[]) => void) => {
        fake.appListeners.set(event, [...(fake.appListeners.get(event) ?? []), fn]);
      },
      whenReady: () => Promise.resolve(),
      quit: () => void fake.quits++,
      exit: () => undefined,
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (template: MenuTemplateItem[]) => ({ template }),
      setApplicationMenu: (menu: { template: MenuTemplateItem[] }) => (fake.menu = menu),
    },
    nativeTheme: {
      set themeSource(v: string) {
        fake.themeSource = v;
      },
      get themeSource() {
        return fake.themeSource;
      },
      get shouldUseDarkColors() {
        return fake.dark;
      },
      on: (_e: string, fn: () => void) => fake.themeListeners.push(fn),
      removeListener: () => undefined,
    },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    protocol: { registerSchemesAsPrivileged: (s: unknown[]) => fake.schemes.push(...s) },
    session: { defaultSession: ses },
    ipcMain: { handle: (channel: string, fn: (...args: unknown[]) => Promise<unknown>) => fake.handlers.set(channel, fn) },
    dialog,
    shell,
  };
}
