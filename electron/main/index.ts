// Electron main: app lifecycle, the window, and wiring of protocol, IPC and security policy.
// The policies themselves live in plain modules (security.ts, protocol.ts, validate.ts, files.ts).
import { app, BrowserWindow, protocol, session, shell, type Session, type WebContents } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Desktop } from './desktop';
import { registerIpc } from './ipc';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  APP_SCHEME_PRIVILEGES,
  ISOLATION_HEADERS,
  createAppRequestHandler,
  mergeResponseHeaders,
} from './protocol';
import { PathGrants } from './validate';
import { MIN_SIZE } from './window-state';
import {
  appOrigins,
  contentSecurityPolicy,
  isPermissionAllowed,
  navigationDecision,
  originOf,
  secureWebPreferences,
  windowOpenDecision,
} from './security';

const here = dirname(fileURLToPath(import.meta.url)); // out/main
const rendererRoot = join(here, '../renderer');
const preloadPath = join(here, '../preload/index.cjs');

// electron-vite dev sets ELECTRON_RENDERER_URL; a packaged app never trusts it.
const devServerUrl = (!app.isPackaged && process.env.ELECTRON_RENDERER_URL) || undefined;
const devServerOrigin = devServerUrl ? originOf(devServerUrl) : null;
const allowedOrigins = appOrigins(devServerUrl);
const csp = contentSecurityPolicy({ devServerOrigin });

// Tests (and side-by-side dev runs) get their own profile: autosave and single-instance lock.
if (!app.isPackaged && process.env.NETWRIGHT_USER_DATA_DIR) {
  app.setPath('userData', process.env.NETWRIGHT_USER_DATA_DIR);
}

// Both must happen before 'ready'.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
app.enableSandbox();

const desktop = new Desktop({ userDataDir: app.getPath('userData'), devTools: !app.isPackaged, appName: 'Netwright' });

// Only URLs that navigationDecision/windowOpenDecision call 'external' get here: https, no
// credentials (isExternalLink; tests/unit/electron-security.test.ts and electron-main.test.ts).
function openExternally(url: string): void {
  shell.openExternal(url) // eng-disable OPEN_EXTERNAL_JS_CHECK.catch((err: unknown) => console.error('openExternal failed:', err));
}

/** Applied to every WebContents, including any the app did not mean to create. */
function hardenContents(contents: WebContents): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    const decision = navigationDecision(url, allowedOrigins);
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'external') openExternally(url);
  };
  contents.on('will-navigate', (event) => guard(event, event.url));
  contents.on('will-redirect', (event) => guard(event, event.url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (windowOpenDecision(url) === 'external') openExternally(url);
    return { action: 'deny' };
  });
}

function hardenSession(ses: Session): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(isPermissionAllowed(permission, details.requestingUrl)),
  );
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    isPermissionAllowed(permission, requestingOrigin),
  );
  ses.setDevicePermissionHandler(() => false);
  if (devServerOrigin) {
    // In dev the page comes from Vite over http; give it the production headers.
    const devHeaders = { 'Content-Security-Policy': csp, ...ISOLATION_HEADERS };
    ses.webRequest.onHeadersReceived({ urls: [`${devServerOrigin}/*`] }, (details, callback) => {
      callback({ responseHeaders: mergeResponseHeaders(details.responseHeaders, devHeaders) });
    });
  }
  ses.protocol.handle(APP_SCHEME, createAppRequestHandler(rendererRoot, csp));
}

async function createWindow(): Promise<BrowserWindow> {
  const { bounds, saved, backgroundColor } = await desktop.windowOptions();
  // webPreferences come from secureWebPreferences() (contextIsolation, sandbox, no Node, ...), which
  // electronegativity cannot follow into; tests/unit/electron-main.test.ts checks this window gets
  // exactly those, and electron-security.test.ts their values. A middle click (auxclick) can only
  // reach setWindowOpenHandler, which denies every window.
  const win = new BrowserWindow({ // eng-disable CONTEXT_ISOLATION_JS_CHECK SANDBOX_JS_CHECK AUXCLICK_JS_CHECK
    title: 'Netwright',
    ...bounds,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    backgroundColor,
    webPreferences: secureWebPreferences(preloadPath),
  });
  desktop.attach(win, saved);
  win.once('ready-to-show', () => win.show());
  const url = devServerUrl ?? APP_ENTRY_URL;
  win.loadURL(url).catch((err: unknown) => console.error(`Failed to load ${url}:`, err));
  return win;
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  desktop.beforeReady();
  // A second launch (double-click on another project, `netwright file.netwright.json`) hands its
  // files to this instance's window.
  app.on('second-instance', (_event, argv, workingDirectory) => desktop.secondInstance(argv, workingDirectory));
  app.on('web-contents-created', (_event, contents) => hardenContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app
    .whenReady()
    .then(async () => {
      hardenSession(session.defaultSession);
      registerIpc({ allowedOrigins, autosaveDir: app.getPath('userData'), grants: new PathGrants(), desktop: {
        takeGivenPaths: () => desktop.takeGivenPaths(),
        opened: (path) => desktop.opened(path),
        recent: {
          list: () => desktop.recentProjects(),
          pathOf: (id) => desktop.recentPath(id),
          clear: () => desktop.clearRecent(),
        },
        questions: desktop.questions,
        appName: 'Netwright',
        appVersion: app.getVersion(),
      } });
      await desktop.init(process.argv, process.cwd());
      await createWindow();
      app.on('activate', () => {
        if (BrowserWindow.getAllWindows().length === 0) void createWindow();
      });
    })
    .catch((err: unknown) => {
      console.error('Netwright failed to start:', err);
      app.exit(1);
    });
}
