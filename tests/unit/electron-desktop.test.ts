// The desktop shell's plain modules: the menu template, the close prompt's decisions, remembered
// window bounds, files from the command line and the recent list, and their validation.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APP_COMMANDS } from '../../renderer/src/host/host';
import { RendererQuestions, closeOutcome, decideClose } from '../../electron/main/close';
import { accel, buildMenuTemplate, isSubmenu, menuItems, toElectronTemplate, type MenuEntry } from '../../electron/main/menu';
import { projectPathsFromArgv } from '../../electron/main/os-files';
import { MAX_RECENT, loadRecent, pushRecent, saveRecent, type RecentEntry } from '../../electron/main/recent';
import { validateAboutInfo, validateAnswer, validateDocumentState, validateGivenProjectPath, validateTextEditAction } from '../../electron/main/validate';
import { DEFAULT_SIZE, initialBounds, loadWindowState, parseWindowState, saveWindowState } from '../../electron/main/window-state';

const dir = mkdtempSync(join(tmpdir(), 'netwright-desktop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PLATFORMS = ['darwin', 'win32', 'linux'] as const;

/** The accelerator each command item must have, written with Mod (Cmd on macOS, Ctrl elsewhere). */
const EXPECTED: Record<string, string> = {
  'file.new': 'Mod+N', 'file.open': 'Mod+O', 'file.save': 'Mod+S', 'file.saveAs': 'Mod+Shift+S',
  'dataset.import': 'Mod+I', 'export.tfjs': 'Mod+E', 'export.onnx': 'Mod+Shift+E', 'export.pytorch': 'Mod+Alt+E',
  'export.modelCard': 'Mod+Shift+M', 'edit.undo': 'Mod+Z', 'edit.cut': 'Mod+X', 'edit.copy': 'Mod+C',
  'edit.paste': 'Mod+V', 'edit.selectAll': 'Mod+A', 'view.zoomIn': 'Mod+=', 'view.zoomOut': 'Mod+-', 'view.zoomReset': 'Mod+0',
  'model.duplicate': 'Mod+D', 'model.autoLayout': 'Mod+Shift+L', 'train.start': 'Mod+Enter', 'train.pause': 'Mod+P',
  'train.stop': 'Mod+.', 'help.shortcuts': 'Mod+/', 'file.close': 'Mod+W',
};

describe('menu template', () => {
  for (const platform of PLATFORMS) {
    describe(platform, () => {
      const template = buildMenuTemplate({ platform, recent: ['/home/u/a.netwright.json', 'C:\\p\\b&c.netwright.json'], devTools: true });
      const items = menuItems(template);
      const mac = platform === 'darwin';

      it('has File, Edit, View, Model, Train and Help (and the app menu on macOS)', () => {
        const ids = template.filter(isSubmenu).map((m) => m.id);
        expect(ids).toEqual([...(mac ? ['app'] : []), 'file', 'edit', 'view', 'model', 'train', 'help']);
      });

      it('gives every item exactly one handler, and every command is in a menu', () => {
        for (const item of items) {
          const handlers = [item.command, item.action, item.openRecent, item.role].filter((h) => h !== undefined);
          expect(handlers, item.id).toHaveLength(1);
        }
        const commands = items.flatMap((i) => (i.command ? [i.command] : []));
        expect(new Set(commands)).toEqual(new Set(APP_COMMANDS));
      });

      it("uses the platform's accelerators", () => {
        const byId = new Map(items.map((i) => [i.id, i]));
        for (const [id, keys] of Object.entries(EXPECTED)) expect(byId.get(id)?.accelerator, id).toBe(accel(platform, keys));
        expect(byId.get('edit.redo')?.accelerator).toBe(mac ? 'Cmd+Shift+Z' : 'Ctrl+Y');
        expect(byId.get('view.fullScreen')?.accelerator).toBe(mac ? 'Ctrl+Cmd+F' : 'F11');
        const quit = mac ? byId.get('app.quit') : byId.get('file.quit');
        expect(quit?.accelerator).toBe(mac ? 'Cmd+Q' : 'Ctrl+Q');
        for (const item of items) if (item.accelerator) expect(item.accelerator, item.id).not.toMatch(mac ? /\bCtrl\+(?!Cmd)/ : /Cmd|Option/);
      });

      it('never uses one accelerator twice', () => {
        const accels = items.flatMap((i) => (i.accelerator ? [i.accelerator] : []));
        expect(new Set(accels).size).toBe(accels.length);
      });

      it('lists recent projects by file name and can clear them', () => {
        const recent = items.filter((i) => i.openRecent);
        expect(recent.map((i) => [i.label, i.openRecent])).toEqual([
          ['a.netwright.json', '/home/u/a.netwright.json'],
          ['b&&c.netwright.json', 'C:\\p\\b&c.netwright.json'],
        ]);
        expect(items.find((i) => i.id === 'file.recent.clear')).toMatchObject({ action: 'clearRecent', enabled: true });
      });
    });
  }

  it('leaves developer tools out of release builds and shows an empty recent list as such', () => {
    const items = menuItems(buildMenuTemplate({ platform: 'linux', recent: [] }));
    expect(items.find((i) => i.action === 'toggleDevTools')).toBeUndefined();
    expect(items.find((i) => i.id === 'file.recent.none')).toMatchObject({ enabled: false });
    expect(items.find((i) => i.id === 'file.recent.clear')).toMatchObject({ enabled: false });
  });

  it("turns into Electron's template with each click calling its handler", () => {
    const handlers = { command: vi.fn(), action: vi.fn(), openRecent: vi.fn() };
    const template = toElectronTemplate(buildMenuTemplate({ platform: 'linux', recent: ['/a.netwright.json'] }), handlers);
    type T = { id?: string; click?: () => void; submenu?: T[]; accelerator?: string; type?: string };
    const flat = (ts: T[]): T[] => ts.flatMap((t) => [t, ...(t.submenu ? flat(t.submenu) : [])]);
    const all = flat(template as T[]);
    all.find((t) => t.id === 'edit.paste')!.click!();
    all.find((t) => t.id === 'view.zoomOut')!.click!();
    all.find((t) => t.id === 'file.recent.0')!.click!();
    expect(handlers.command).toHaveBeenCalledWith('edit.paste');
    expect(handlers.action).toHaveBeenCalledWith('zoomOut');
    expect(handlers.openRecent).toHaveBeenCalledWith('/a.netwright.json');
    expect(all.find((t) => t.id === 'file.save')!.accelerator).toBe('Ctrl+S');
    expect(all.some((t) => t.type === 'separator')).toBe(true);
    // Every leaf of ours has a click (no roles off macOS).
    const leaves = all.filter((t) => !t.submenu && t.type !== 'separator');
    for (const leaf of leaves) expect(leaf.click, leaf.id).toBeTypeOf('function');
  });

  it('does not mark entries as both submenu and separator', () => {
    const check = (es: MenuEntry[]) => es.forEach((e) => expect(isSubmenu(e) && 'separator' in e).toBe(false));
    check(buildMenuTemplate({ platform: 'darwin', recent: [] }));
  });
});

describe('close prompt decisions', () => {
  it('closes at once with nothing unsaved and no run', () => {
    expect(decideClose({ dirty: false, training: false, name: 'x' })).toEqual({ kind: 'close' });
  });

  it("asks Save / Don't Save / Cancel for unsaved changes", () => {
    const d = decideClose({ dirty: true, training: false, name: 'LeNet-5' });
    if (d.kind !== 'ask') throw new Error('expected a prompt');
    expect(d.prompt.buttons).toEqual(['Save', "Don't Save", 'Cancel']);
    expect(d.prompt.message).toContain('LeNet-5');
    expect([0, 1, 2, 7].map((r) => closeOutcome(d.prompt, r))).toEqual(['save-then-close', 'close', 'cancel', 'cancel']);
    expect(d.prompt.cancelId).toBe(2);
  });

  it('asks before stopping a run, and says so when both apply', () => {
    const t = decideClose({ dirty: false, training: true, name: 'x' });
    if (t.kind !== 'ask') throw new Error('expected a prompt');
    expect(t.prompt.kind).toBe('training');
    expect([0, 1].map((r) => closeOutcome(t.prompt, r))).toEqual(['close', 'cancel']);
    expect(t.prompt.defaultId).toBe(1); // Enter does not stop a run
    const both = decideClose({ dirty: true, training: true, name: 'x' });
    if (both.kind !== 'ask') throw new Error('expected a prompt');
    expect(both.prompt.kind).toBe('unsaved-training');
    expect(both.prompt.detail).toMatch(/stops the training run/);
  });

  it('asks before closing a renderer that did not answer', () => {
    const d = decideClose('no-answer');
    if (d.kind !== 'ask') throw new Error('expected a prompt');
    expect(d.prompt.kind).toBe('no-answer');
    expect([0, 1].map((r) => closeOutcome(d.prompt, r))).toEqual(['close', 'cancel']);
    expect(d.prompt.defaultId).toBe(1);
  });

  it('matches answers to questions by id and sender, and times out', async () => {
    const q = new RendererQuestions();
    const sent: number[] = [];
    const asked = q.ask(7, (id) => sent.push(id), 1000);
    expect(q.answer(8, sent[0], { ok: true, value: 1 })).toBe(false); // another window
    expect(q.answer(7, sent[0] + 1, { ok: true, value: 1 })).toBe(false);
    expect(q.answer(7, sent[0], { ok: true, value: 'state' })).toBe(true);
    expect(await asked).toEqual({ ok: true, value: 'state' });
    expect(q.answer(7, sent[0], { ok: true, value: 1 })).toBe(false); // answered once
    expect(await q.ask(7, () => undefined, 5)).toBe('no-answer');
    expect(await q.ask(7, () => { throw new Error('window gone'); }, 1000)).toBe('no-answer');
    expect(q.waiting).toBe(0);
  });
});

describe('window state', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }];

  it('parses what it saved and rejects nonsense', async () => {
    await saveWindowState(dir, { bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: true });
    expect(await loadWindowState(dir)).toEqual({ bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: true, fullScreen: false });
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]); // atomic: no temp left
    for (const bad of [null, '', '{', '[]', '{"bounds":{"x":"1","y":0,"width":10,"height":10}}', '{"bounds":{"x":0,"y":0,"width":-5,"height":10}}']) {
      expect(parseWindowState(bad)).toBeNull();
    }
    writeFileSync(join(dir, 'window-state.json'), 'garbage');
    expect(await loadWindowState(dir)).toBeNull();
  });

  it('reopens where it was, on a display that still exists', () => {
    expect(initialBounds(null, screen)).toEqual(DEFAULT_SIZE);
    const saved = { bounds: { x: 100, y: 50, width: 1200, height: 800 }, maximized: false };
    expect(initialBounds(saved, screen)).toEqual({ x: 100, y: 50, width: 1200, height: 800 });
    // Saved on a second monitor that is unplugged now: default size, centred by Electron.
    expect(initialBounds({ ...saved, bounds: { ...saved.bounds, x: 2500 } }, screen)).toEqual(DEFAULT_SIZE);
    // Too big for the display now, or hanging off its edge: fitted onto it.
    expect(initialBounds({ ...saved, bounds: { x: 1500, y: 900, width: 3000, height: 2000 } }, [{ x: 0, y: 0, width: 1920, height: 1080 }, { x: 1920, y: 0, width: 1280, height: 1024 }]))
      .toEqual({ x: 1920, y: 0, width: 1280, height: 1024 }); // the display holding most of it
    expect(initialBounds({ ...saved, bounds: { x: 1700, y: 30, width: 1000, height: 700 } }, screen)).toEqual({ x: 920, y: 30, width: 1000, height: 700 });
  });
});

describe('files from the OS', () => {
  const cwd = resolve('/home/u/projects');
  it('takes project files from argv, skipping the executable, switches and other files', () => {
    expect(projectPathsFromArgv(['/opt/Netwright/netwright', '--no-sandbox', 'a.netwright.json', 'notes.txt', '/tmp/b.json', 'a.netwright.json'], cwd, { defaultApp: false }))
      .toEqual([join(cwd, 'a.netwright.json'), resolve('/tmp/b.json')]);
    // `electron out/main/index.js file`: the script is not a file to open.
    expect(projectPathsFromArgv(['/usr/bin/electron', '/repo/out/main/index.js', 'c.netwright.json'], cwd, { defaultApp: true })).toEqual([join(cwd, 'c.netwright.json')]);
    expect(projectPathsFromArgv(['/opt/Netwright/netwright', 'app://netwright/x.json', '--flag=x.json'], cwd, { defaultApp: false })).toEqual([]);
  });

  it('keeps the newest recent projects first, without duplicates, and survives a bad file', async () => {
    let list: RecentEntry[] = [];
    for (let i = 0; i < 12; i++) list = pushRecent(list, `/p/${i}.netwright.json`, 1000 + i);
    list = pushRecent(list, '/p/5.netwright.json', 2000);
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toEqual({ path: resolve('/p/5.netwright.json'), at: 2000 });
    expect(new Set(list.map((e) => e.path)).size).toBe(list.length);
    await saveRecent(dir, list);
    expect(await loadRecent(dir)).toEqual(list);
    // Bad entries are dropped; bare paths from an older list are kept, without a time.
    writeFileSync(join(dir, 'recent-projects.json'), JSON.stringify(['relative.json', '/ok/x.netwright.json', '/bad.sh', 5, { path: '/ok/y.json', at: 7 }]));
    expect(await loadRecent(dir)).toEqual([{ path: resolve('/ok/x.netwright.json'), at: 0 }, { path: resolve('/ok/y.json'), at: 7 }]);
    writeFileSync(join(dir, 'recent-projects.json'), '{');
    expect(await loadRecent(dir)).toEqual([]);
  });
});

describe('desktop IPC validation', () => {
  it('accepts only absolute project paths', () => {
    expect(validateGivenProjectPath('/home/u/a.netwright.json')).toBe(resolve('/home/u/a.netwright.json'));
    expect(() => validateGivenProjectPath('a.netwright.json')).toThrow(/absolute/);
    expect(() => validateGivenProjectPath('/home/u/a.exe')).toThrow(/not a project file/);
    expect(() => validateGivenProjectPath('/home/u/a\u0007.json')).toThrow(/control character/);
    expect(() => validateGivenProjectPath('/home/u/a\0.json')).toThrow(/NUL/);
    expect(() => validateGivenProjectPath(42)).toThrow(/string/);
    expect(() => validateGivenProjectPath('/' + 'a'.repeat(5000) + '.json')).toThrow(/longer/);
  });

  it('checks edit actions, About lines, document states and answers', () => {
    expect(validateTextEditAction('paste')).toBe('paste');
    expect(() => validateTextEditAction('executeJavaScript')).toThrow(/edit action/);
    expect(validateAboutInfo({ details: ['a', ''] })).toEqual({ details: ['a', ''] });
    expect(() => validateAboutInfo({ details: Array(21).fill('x') })).toThrow(/at most 20/);
    expect(() => validateAboutInfo({ details: [], html: '<b>' })).toThrow(/unexpected field/);
    expect(validateDocumentState({ dirty: true, training: false, name: 'n' })).toEqual({ dirty: true, training: false, name: 'n' });
    expect(() => validateDocumentState({ dirty: 'yes', training: false, name: 'n' })).toThrow(/dirty/);
    expect(() => validateDocumentState({ dirty: true, training: false, name: 'n', extra: 1 })).toThrow(/unexpected field/);
    expect(validateAnswer({ ok: false, error: 'x' })).toEqual({ ok: false, error: 'x' });
    expect(() => validateAnswer({ ok: 'true' })).toThrow(/answer/);
    expect(() => validateAnswer({ ok: true, value: 1, more: 2 })).toThrow(/unexpected field/);
  });
});
