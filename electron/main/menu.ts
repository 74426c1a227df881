// The native menus as plain data: File, Edit, View, Model, Train, Help (plus the app menu on macOS).
// No electron import: `app-menu.ts` turns this into Electron's template by attaching handlers, and
// the unit tests check the data directly (every item has a handler and the platform's accelerator).
import type { MenuItemConstructorOptions } from 'electron';
import type { AppCommand } from '../../renderer/src/host/host';

/** Work main does itself (the rest goes to the renderer as an AppCommand). */
export type MainAction =
  | 'zoomIn' | 'zoomOut' | 'zoomReset' | 'toggleFullScreen' | 'toggleDevTools'
  | 'clearRecent' | 'closeWindow' | 'quit';

/** Electron's built-in roles that only macOS's app menu uses (they need no handler of ours). */
export type MacRole = 'hide' | 'hideOthers' | 'unhide' | 'services';

export interface MenuItemSpec {
  /** Stable id: tests, and Menu.getMenuItemById (e.g. to enable or relabel an item). */
  id: string;
  label: string;
  accelerator?: string;
  /** Exactly one handler: a command for the renderer, a main action, a recent file, or a macOS role. */
  command?: AppCommand;
  action?: MainAction;
  /** Open this recent project (a path main itself remembered). */
  openRecent?: string;
  role?: MacRole;
  enabled?: boolean;
}
export interface SubmenuSpec {
  id: string;
  label: string;
  submenu: MenuEntry[];
}
export type MenuEntry = MenuItemSpec | SubmenuSpec | { separator: true };

export interface MenuOptions {
  platform: NodeJS.Platform;
  /** Recent projects, newest first (full paths). */
  recent: readonly string[];
  appName?: string;
  /** Developer tools in the View menu: unpackaged (development) builds only. */
  devTools?: boolean;
}

export function isSubmenu(e: MenuEntry): e is SubmenuSpec {
  return 'submenu' in e;
}
export function isSeparator(e: MenuEntry): e is { separator: true } {
  return 'separator' in e;
}

/**
 * The platform's spelling of an accelerator written with "Mod" (Cmd on macOS, Ctrl elsewhere)
 * and "Alt" (Option on macOS).
 */
export function accel(platform: NodeJS.Platform, keys: string): string {
  const mac = platform === 'darwin';
  return keys
    .split('+')
    .map((k) => (k === 'Mod' ? (mac ? 'Cmd' : 'Ctrl') : k === 'Alt' && mac ? 'Option' : k))
    .join('+');
}

/** The file name shown for a recent project (the menu shows names, the tooltip is not available). */
export function recentLabel(path: string): string {
  const name = path.split(/[/\\]/).pop() || path;
  return name.replace(/&/g, '&&'); // '&' marks a mnemonic on Windows/Linux
}

const sep = { separator: true } as const;

export function buildMenuTemplate(options: MenuOptions): MenuEntry[] {
  const { platform } = options;
  const mac = platform === 'darwin';
  const a = (keys: string) => accel(platform, keys);
  const appName = options.appName ?? 'Netwright';

  const recent: MenuEntry[] = options.recent.length
    ? options.recent.map((path, i) => ({ id: `file.recent.${i}`, label: recentLabel(path), openRecent: path }))
    : [{ id: 'file.recent.none', label: 'No Recent Projects', enabled: false, action: 'clearRecent' as const }];

  const file: SubmenuSpec = {
    id: 'file',
    label: mac ? 'File' : '&File',
    submenu: [
      { id: 'file.new', label: 'New Project', accelerator: a('Mod+N'), command: 'file.new' },
      { id: 'file.open', label: 'Open…', accelerator: a('Mod+O'), command: 'file.open' },
      {
        id: 'file.recent',
        label: 'Open Recent',
        submenu: [...recent, sep, { id: 'file.recent.clear', label: 'Clear Recent', action: 'clearRecent', enabled: options.recent.length > 0 }],
      },
      sep,
      { id: 'file.save', label: 'Save', accelerator: a('Mod+S'), command: 'file.save' },
      { id: 'file.saveAs', label: 'Save As…', accelerator: a('Mod+Shift+S'), command: 'file.saveAs' },
      sep,
      { id: 'dataset.import', label: 'Import Dataset…', accelerator: a('Mod+I'), command: 'dataset.import' },
      {
        id: 'export',
        label: 'Export',
        submenu: [
          { id: 'export.tfjs', label: 'TensorFlow.js…', accelerator: a('Mod+E'), command: 'export.tfjs' },
          { id: 'export.onnx', label: 'ONNX…', accelerator: a('Mod+Shift+E'), command: 'export.onnx' },
          { id: 'export.pytorch', label: 'PyTorch…', accelerator: a('Mod+Alt+E'), command: 'export.pytorch' },
          { id: 'export.modelCard', label: 'Model Card…', accelerator: a('Mod+Shift+M'), command: 'export.modelCard' },
        ],
      },
      sep,
      { id: 'file.close', label: 'Close Window', accelerator: a('Mod+W'), action: 'closeWindow' },
      ...(mac ? [] : [{ id: 'file.quit', label: 'Exit', accelerator: a('Mod+Q'), action: 'quit' as const }]),
    ],
  };

  const edit: SubmenuSpec = {
    id: 'edit',
    label: mac ? 'Edit' : '&Edit',
    submenu: [
      { id: 'edit.undo', label: 'Undo', accelerator: a('Mod+Z'), command: 'edit.undo' },
      { id: 'edit.redo', label: 'Redo', accelerator: mac ? a('Mod+Shift+Z') : a('Mod+Y'), command: 'edit.redo' },
      sep,
      { id: 'edit.cut', label: 'Cut', accelerator: a('Mod+X'), command: 'edit.cut' },
      { id: 'edit.copy', label: 'Copy', accelerator: a('Mod+C'), command: 'edit.copy' },
      { id: 'edit.paste', label: 'Paste', accelerator: a('Mod+V'), command: 'edit.paste' },
      { id: 'edit.selectAll', label: 'Select All', accelerator: a('Mod+A'), command: 'edit.selectAll' },
    ],
  };

  const view: SubmenuSpec = {
    id: 'view',
    label: mac ? 'View' : '&View',
    submenu: [
      // '=' is the unshifted key of '+' on most layouts: Ctrl+= zooms in as browsers do.
      { id: 'view.zoomIn', label: 'Zoom In', accelerator: a('Mod+='), action: 'zoomIn' },
      { id: 'view.zoomOut', label: 'Zoom Out', accelerator: a('Mod+-'), action: 'zoomOut' },
      { id: 'view.zoomReset', label: 'Actual Size', accelerator: a('Mod+0'), action: 'zoomReset' },
      sep,
      { id: 'view.fullScreen', label: 'Toggle Full Screen', accelerator: mac ? 'Ctrl+Cmd+F' : 'F11', action: 'toggleFullScreen' },
      ...(options.devTools
        ? [{ id: 'view.devTools', label: 'Toggle Developer Tools', accelerator: mac ? 'Option+Cmd+I' : 'Ctrl+Shift+I', action: 'toggleDevTools' as const }]
        : []),
    ],
  };

  const model: SubmenuSpec = {
    id: 'model',
    label: mac ? 'Model' : '&Model',
    submenu: [
      { id: 'model.duplicate', label: 'Duplicate Selection', accelerator: a('Mod+D'), command: 'model.duplicate' },
      { id: 'model.autoLayout', label: 'Auto Layout', accelerator: a('Mod+Shift+L'), command: 'model.autoLayout' },
      sep,
      { id: 'model.summary', label: 'Model Summary', accelerator: a('Mod+Shift+K'), command: 'model.summary' },
    ],
  };

  const train: SubmenuSpec = {
    id: 'train',
    label: mac ? 'Train' : '&Train',
    submenu: [
      { id: 'train.start', label: 'Train', accelerator: a('Mod+Enter'), command: 'train.start' },
      { id: 'train.pause', label: 'Pause / Resume', accelerator: a('Mod+P'), command: 'train.pause' },
      { id: 'train.stop', label: 'Stop', accelerator: a('Mod+.'), command: 'train.stop' },
    ],
  };

  const help: SubmenuSpec = {
    id: 'help',
    label: mac ? 'Help' : '&Help',
    submenu: [
      { id: 'help.shortcuts', label: 'Keyboard Shortcuts', accelerator: a('Mod+/'), command: 'help.shortcuts' },
      ...(mac ? [] : [sep, { id: 'help.about', label: `About ${appName}`, command: 'help.about' as const }]),
    ],
  };

  const menus: MenuEntry[] = [file, edit, view, model, train, help];
  if (!mac) return menus;
  const appMenu: SubmenuSpec = {
    id: 'app',
    label: appName,
    submenu: [
      { id: 'help.about', label: `About ${appName}`, command: 'help.about' },
      sep,
      { id: 'app.services', label: 'Services', role: 'services' },
      sep,
      { id: 'app.hide', label: `Hide ${appName}`, accelerator: 'Cmd+H', role: 'hide' },
      { id: 'app.hideOthers', label: 'Hide Others', accelerator: 'Option+Cmd+H', role: 'hideOthers' },
      { id: 'app.unhide', label: 'Show All', role: 'unhide' },
      sep,
      { id: 'app.quit', label: `Quit ${appName}`, accelerator: 'Cmd+Q', action: 'quit' },
    ],
  };
  return [appMenu, ...menus];
}

/** Every item (not submenus or separators), depth first. */
export function menuItems(entries: readonly MenuEntry[]): MenuItemSpec[] {
  return entries.flatMap((e) => (isSubmenu(e) ? menuItems(e.submenu) : isSeparator(e) ? [] : [e]));
}

export interface MenuHandlers {
  command(command: AppCommand): void;
  action(action: MainAction): void;
  openRecent(path: string): void;
}

/** Electron's template: each item's click calls the one handler its spec names. */
export function toElectronTemplate(entries: readonly MenuEntry[], handlers: MenuHandlers): MenuItemConstructorOptions[] {
  return entries.map((e): MenuItemConstructorOptions => {
    if (isSeparator(e)) return { type: 'separator' };
    if (isSubmenu(e)) return { id: e.id, label: e.label, submenu: toElectronTemplate(e.submenu, handlers) };
    const item: MenuItemConstructorOptions = { id: e.id, label: e.label };
    if (e.accelerator) item.accelerator = e.accelerator;
    if (e.enabled === false) item.enabled = false;
    if (e.role) item.role = e.role;
    else if (e.command) {
      const command = e.command;
      item.click = () => handlers.command(command);
    } else if (e.action) {
      const action = e.action;
      item.click = () => handlers.action(action);
    } else if (e.openRecent) {
      const path = e.openRecent;
      item.click = () => handlers.openRecent(path);
    }
    return item;
  });
}
