// Launches the built Electron app (out/main/index.js; run `electron-vite build` first) and checks
// the window, the renderer's isolation, the app:// protocol and the IPC bridge.
// Skips, with the reason printed, where the Electron binary is missing (its download is blocked on
// some machines) or Linux has no display (run under `xvfb-run -a`).
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary } from './electron-binary';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainJs = join(repo, 'out', 'main', 'index.js');

const binary = findElectronBinary();
const skipReason = 'reason' in binary ? binary.reason : null;
if (skipReason) console.log(`[electron launch tests] SKIPPED: ${skipReason}`);
test.skip(skipReason !== null, skipReason ?? '');

test.describe.configure({ mode: 'serial' });

let app: ElectronApplication;
let page: Page;
let userData: string;

test.beforeAll(async () => {
  if (!('path' in binary)) return;
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npx electron-vite build\` before these tests`);
  userData = mkdtempSync(join(tmpdir(), 'netwright-electron-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RENDERER_URL') env[k] = v;
  env.NETWRIGHT_USER_DATA_DIR = userData; // fresh autosave, own single-instance lock
  // Chromium refuses to run as root with its OS sandbox (CI containers). The renderer's
  // sandbox/contextIsolation settings, which these tests check, do not depend on it.
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  app = await electron.launch({ executablePath: binary.path, args: [...rootArgs, mainJs], env, cwd: repo });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close();
  if (userData) rmSync(userData, { recursive: true, force: true });
});

test('opens the Netwright window with the palette and the canvas', async () => {
  await expect(page).toHaveTitle(/Netwright/);
  await expect(page.getByTestId('palette')).toBeVisible();
  await expect(page.getByTestId('canvas')).toBeVisible();
  expect(page.url()).toMatch(/^app:\/\/netwright\//);
});

test('gives the page no Node and only the named bridge', async () => {
  const seen = await page.evaluate(() => {
    const w = window as unknown as Record<string, unknown>;
    const bridge = w.netwright as Record<string, unknown> | undefined;
    return {
      require: typeof w.require,
      process: typeof w.process,
      module: typeof w.module,
      buffer: typeof w.Buffer,
      bridge: typeof bridge,
      methods: bridge ? Object.keys(bridge).filter((k) => typeof bridge[k] === 'function').sort() : [],
      ipcRenderer: bridge ? 'ipcRenderer' in bridge : false,
    };
  });
  expect(seen).toEqual({
    require: 'undefined',
    process: 'undefined',
    module: 'undefined',
    buffer: 'undefined',
    bridge: 'object',
    methods: [
      'confirm', 'editText', 'exportFiles', 'loadAutosave', 'onCloseQuery', 'onFilesWaiting', 'onMenuCommand', 'onSaveBeforeClose',
      'openDroppedFile', 'openFile', 'pickDataset', 'saveFile', 'showAbout', 'showError', 'storeAutosave', 'takeGivenFiles',
    ],
    ipcRenderer: false,
  });
});

test('serves the app from app:// with CSP and cross-origin isolation', async () => {
  const expectedLabels = readFileSync(join(repo, 'out', 'renderer', 'data', 'mnist', 't10k-labels-idx1-ubyte')).byteLength;
  const seen = await page.evaluate(async () => {
    const labels = await fetch('data/mnist/t10k-labels-idx1-ubyte');
    let evalResult = 'allowed';
    try {
      (0, eval)('1');
    } catch (err) {
      evalResult = (err as Error).name;
    }
    const escape = await fetch('app://netwright/..%2f..%2fpackage.json').then((r) => r.status, () => -1);
    return {
      isolated: globalThis.crossOriginIsolated,
      labelsStatus: labels.status,
      labelsBytes: (await labels.arrayBuffer()).byteLength,
      evalResult,
      escape,
    };
  });
  expect(seen).toEqual({ isolated: true, labelsStatus: 200, labelsBytes: expectedLabels, evalResult: 'EvalError', escape: 403 });
});

test('round-trips the autosave through IPC and rejects bad arguments', async () => {
  const seen = await page.evaluate(async () => {
    const api = (window as unknown as { netwright: Record<string, (...a: unknown[]) => Promise<unknown>> }).netwright;
    const before = await api.loadAutosave();
    await api.storeAutosave('{"hello":1}');
    const after = await api.loadAutosave();
    const bad = await api.confirm(42).then(() => 'accepted', (e: Error) => e.message);
    return { before, after, bad };
  });
  expect(seen.before).toBeNull();
  expect(seen.after).toBe('{"hello":1}');
  expect(seen.bad).toMatch(/Invalid message: expected a string/);
  expect(readFileSync(join(userData, 'autosave.netwright.json'), 'utf8')).toBe('{"hello":1}');
});

test('refuses navigation away from the app and new windows', async () => {
  const before = page.url();
  await page.evaluate(() => {
    window.open('app://netwright/index.html');
    location.href = 'file:///etc/passwd';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  expect(app.windows()).toHaveLength(1);
});
