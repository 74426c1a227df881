// The desktop shell with the real Electron: a project named on the command line opens, the native
// menus exist and drive the renderer, and closing with unsaved changes asks first.
// Needs `electron-vite build` first; skips, with the reason printed, where the Electron binary is
// missing (its download is blocked on some machines) or Linux has no display (`xvfb-run -a`).
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serializeProject } from '../../renderer/src/core/graph/project';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { findElectronBinary } from './electron-binary';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const mainJs = join(repo, 'out', 'main', 'index.js');

const binary = findElectronBinary();
const skipReason = 'reason' in binary ? binary.reason : null;
if (skipReason) console.log(`[electron desktop tests] SKIPPED: ${skipReason}`);
test.skip(skipReason !== null, skipReason ?? '');
test.describe.configure({ mode: 'serial' });

let app: ElectronApplication;
let page: Page;
let tmp: string;
let projectFile: string;

test.beforeAll(async () => {
  if (!('path' in binary)) return;
  if (!existsSync(mainJs)) throw new Error(`${mainJs} is missing: run \`npx electron-vite build\` before these tests`);
  tmp = mkdtempSync(join(tmpdir(), 'netwright-desktop-'));
  projectFile = join(tmp, 'From argument.netwright.json');
  writeFileSync(projectFile, serializeProject({ graph: TEMPLATES[1].graph, trainConfig: { ...DEFAULT_TRAIN_CONFIG } }));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && k !== 'ELECTRON_RENDERER_URL') env[k] = v;
  env.NETWRIGHT_USER_DATA_DIR = join(tmp, 'userData');
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  // As a double-click on Windows/Linux does: the project's path as an argument.
  app = await electron.launch({ executablePath: binary.path, args: [...rootArgs, mainJs, projectFile], env, cwd: repo });
  page = await app.firstWindow();
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close().catch(() => undefined);
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

test('opens the project named on the command line', async () => {
  await expect(page.locator('.project')).toContainText('From argument');
  await expect(page.getByTestId('canvas')).toBeVisible();
});

test("the window's Recent list is main's: the same projects as File › Open Recent", async () => {
  const menuLabel = await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('file.recent.0')?.label);
  expect(menuLabel).toBe('From argument.netwright.json');
  await page.getByTestId('recent-button').click();
  const entries = page.getByTestId('recent-menu').locator('.recent-entry:not(.dim)');
  await expect(entries.first()).toHaveText('From argument.netwright.json');
  await page.getByTestId('recent-button').click();
});

test('has the native menus, with accelerators, and they drive the renderer', async () => {
  const menus = await app.evaluate(({ Menu }) => {
    const menu = Menu.getApplicationMenu();
    return {
      top: menu?.items.map((i) => i.label.replace('&', '')) ?? [],
      save: menu?.getMenuItemById('file.save')?.accelerator,
      recent: menu?.getMenuItemById('file.recent')?.submenu?.items.map((i) => i.label) ?? [],
    };
  });
  expect(menus.top).toEqual(expect.arrayContaining(['File', 'Edit', 'View', 'Model', 'Train', 'Help']));
  expect(menus.save).toBe(process.platform === 'darwin' ? 'Cmd+S' : 'Ctrl+S');
  expect(menus.recent).toContain('From argument.netwright.json');
  await app.evaluate(({ Menu }) => Menu.getApplicationMenu()?.getMenuItemById('export.onnx')?.click());
  await expect(page.getByText('Export to ONNX is not available yet.')).toBeVisible();
});

test('asks before closing with unsaved changes; Cancel keeps the window, Don\'t Save closes it', async () => {
  // An edit through the menus: select all, duplicate.
  await app.evaluate(({ Menu }) => {
    Menu.getApplicationMenu()?.getMenuItemById('edit.selectAll')?.click();
    Menu.getApplicationMenu()?.getMenuItemById('model.duplicate')?.click();
  });
  await expect(page.locator('.project .dirty')).toBeVisible();
  const answer = (response: number) =>
    app.evaluate(({ dialog }, r) => {
      const g = globalThis as unknown as { asked: unknown[] };
      g.asked = [];
      dialog.showMessageBox = (async (...args: unknown[]) => {
        g.asked.push(args[args.length - 1]);
        return { response: r, checkboxChecked: false };
      }) as typeof dialog.showMessageBox;
    }, response);
  await answer(2); // Cancel
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => app.evaluate(() => (globalThis as unknown as { asked: { buttons: string[] }[] }).asked.map((a) => a.buttons))).toEqual([['Save', "Don't Save", 'Cancel']]);
  expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);

  await answer(1); // Don't Save
  const closed = app.waitForEvent('close').catch(() => undefined);
  await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]?.close());
  await expect.poll(() => app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length).catch(() => 0)).toBe(0);
  await closed;
});
