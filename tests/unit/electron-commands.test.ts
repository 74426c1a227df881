// The renderer's side of the desktop shell: the command router (menu commands -> store actions,
// files from the OS and drops, close state, About), and the hosts' desktop methods.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { APP_COMMANDS, isAppCommand, type OpenedFile } from '../../renderer/src/host/host';
import { createMemoryHost, type MemoryHost } from '../../renderer/src/host/memory';
import { createElectronHost } from '../../renderer/src/host/electron';
import { createBrowserHost } from '../../renderer/src/host/browser';
import type { NetwrightBridge } from '../../renderer/src/host/bridge';
import { memoryRunStorage, setRunStorage } from '../../renderer/src/host/run-storage';
import { setHost, useHost } from '../../renderer/src/composables/useHost';
import { createCommandRouter, describeGpu, isTextField, type CommandDeps } from '../../renderer/src/composables/useAppCommands';
import { useDatasetStore } from '../../renderer/src/stores/dataset';
import { serializeProject } from '../../renderer/src/core/graph/project';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG, type ToWorker } from '../../renderer/src/core/train/protocol';
import { useGraphStore } from '../../renderer/src/stores/graph';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { useUiStore } from '../../renderer/src/stores/ui';

let host: MemoryHost;
let focused: Element | null;
let sent: ToWorker[];

beforeEach(() => {
  host = createMemoryHost();
  setHost(host);
  setRunStorage(memoryRunStorage());
  setActivePinia(createPinia());
  focused = null;
  sent = [];
  useTrainingStore().setTransport({ post: (m) => sent.push(m) });
});

function router(extra: Partial<CommandDeps> = {}) {
  return createCommandRouter({
    host,
    graph: useGraphStore(),
    project: useProjectStore(),
    training: useTrainingStore(),
    runs: useRunsStore(),
    ui: useUiStore(),
    activeElement: () => focused,
    ...extra,
  });
}

const projectFile = (name: string, path?: string): OpenedFile => ({
  name,
  data: new TextEncoder().encode(serializeProject({ graph: TEMPLATES[1].graph, trainConfig: { ...DEFAULT_TRAIN_CONFIG, epochs: 3 } })),
  ...(path ? { path } : {}),
});
const toasts = () => useUiStore().toasts.map((t) => t.text);

describe('command router', () => {
  it('has a handler for every command', () => {
    const r = router();
    expect(Object.keys(r.table).sort()).toEqual([...APP_COMMANDS].sort());
    expect(isAppCommand('file.save')).toBe(true);
    expect(isAppCommand('shell.exec')).toBe(false);
  });

  it('maps file commands to the project store', async () => {
    const r = router();
    const p = useProjectStore();
    p.loadTemplate('logistic-regression');
    host.queueSaveAs('first.netwright.json');
    await r.run('file.save');
    expect(p.path).toBe('first.netwright.json');
    expect(p.dirty).toBe(false);
    // Save As asks again and keeps the old file when cancelled.
    host.queueSaveAs(null);
    await r.run('file.saveAs');
    expect(p.path).toBe('first.netwright.json');
    host.queueSaveAs('second.netwright.json');
    await r.run('file.saveAs');
    expect(p.path).toBe('second.netwright.json');
    expect(host.files.has('second.netwright.json')).toBe(true);
    host.files.set('other.netwright.json', projectFile('other.netwright.json').data);
    host.queueOpen('other.netwright.json');
    await r.run('file.open');
    expect(p.name).toBe('other');
    await r.run('file.new');
    expect(useGraphStore().isEmpty).toBe(true);
  });

  it('routes Edit commands to the network, or to the text field being typed in', async () => {
    const r = router();
    const g = useGraphStore();
    useProjectStore().loadTemplate('logistic-regression');
    await r.run('edit.selectAll');
    expect(g.selectedBlockIds.length).toBe(3);
    await r.run('edit.copy');
    await r.run('edit.paste');
    expect(g.graph.blocks.length).toBe(6);
    await r.run('edit.undo');
    expect(g.graph.blocks.length).toBe(3);
    await r.run('edit.redo');
    expect(g.graph.blocks.length).toBe(6);
    focused = { tagName: 'INPUT', type: 'number' } as unknown as Element;
    await r.run('edit.undo');
    await r.run('edit.paste');
    expect(host.textEdits).toEqual(['undo', 'paste']);
    expect(g.graph.blocks.length).toBe(6); // the network was not touched
  });

  it('starts, pauses and stops training', async () => {
    const r = router();
    useProjectStore().loadTemplate('logistic-regression');
    const t = useTrainingStore();
    await r.run('train.start');
    expect(sent.map((m) => m.type)).toEqual(['train']);
    expect(t.isRunning).toBe(true);
    t.status = 'running';
    await r.run('train.pause');
    expect(sent.map((m) => m.type)).toEqual(['train', 'pause']);
    t.status = 'paused';
    await r.run('train.pause'); // resumes
    expect(sent.map((m) => m.type)).toEqual(['train', 'pause', 'resume']);
    await r.run('train.stop');
    expect(sent.map((m) => m.type)).toEqual(['train', 'pause', 'resume', 'stop']);
  });

  it('opens the export dialog for the shown run (or says a run is needed), the summary, the shortcut sheet', async () => {
    const r = router();
    const ui = useUiStore();
    await r.run('export.onnx');
    expect(ui.exportFormat).toBeNull();
    expect(toasts().at(-1)).toMatch(/Train a run/);
    const runs = useRunsStore();
    const id = useTrainingStore().start(TEMPLATES[0].graph)!;
    runs.update(id, { weights: { specs: [], data: new ArrayBuffer(0) } });
    await r.run('export.onnx');
    expect(ui.exportFormat).toBe('onnx');
    await r.run('export.modelCard');
    expect(ui.exportFormat).toBe('card');
    await r.run('model.summary');
    expect(ui.summaryOpen).toBe(true);
    await r.run('help.shortcuts');
    expect(ui.shortcutsOpen).toBe(true);
  });

  it('imports a dataset picked in the dialog, like the Import buttons', async () => {
    const r = router();
    const importFiles = vi.spyOn(useDatasetStore(), 'importFiles').mockImplementation(() => 'import-1');
    host.queueDataset(null);
    await r.run('dataset.import');
    expect(importFiles).not.toHaveBeenCalled();
    host.queueDataset([{ name: 'digits.csv', data: new Uint8Array([49, 10]) }]);
    await r.run('dataset.import');
    expect(importFiles).toHaveBeenCalledTimes(1);
    expect(importFiles.mock.calls[0][1]).toBe('digits.csv');
  });

  it('opens a file the OS handed over like File > Open (asks about unsaved work, keeps the path)', async () => {
    const r = router();
    const p = useProjectStore();
    p.loadTemplate('logistic-regression'); // unsaved
    host.queueConfirm(false);
    expect(await r.openGiven(projectFile('given.netwright.json', '/home/u/given.netwright.json'))).toBe(false);
    expect(host.confirmations).toHaveLength(1);
    expect(p.name).toBe('Logistic regression');
    expect(await r.openGiven(projectFile('given.netwright.json', '/home/u/given.netwright.json'))).toBe(true);
    expect(p.name).toBe('given');
    expect(p.path).toBe('/home/u/given.netwright.json');
    expect(p.dirty).toBe(false);
    expect(useTrainingStore().config.epochs).toBe(3);
    expect(useHost()).toBe(host); // the one-shot host is gone
    expect(host.openRequests).toEqual([]); // no dialog was shown
    expect(await r.openGiven({ name: 'broken.json', data: new TextEncoder().encode('{nope') })).toBe(false);
    expect(toasts().at(-1)).toMatch(/^broken\.json: /);
  });

  it('opens a dropped project and sends other dropped files to the dataset import', async () => {
    const r = router();
    const importFiles = vi.spyOn(useDatasetStore(), 'importFiles').mockImplementation(() => 'import-1');
    await r.drop([projectFile('dropped.netwright.json'), { name: 'digits.csv', data: new Uint8Array([1]) }]);
    expect(useProjectStore().name).toBe('dropped');
    expect(importFiles).toHaveBeenCalledTimes(1);
    expect(importFiles.mock.calls[0][0].map((f: { path: string }) => f.path)).toEqual(['digits.csv']);
  });

  it('describes the GPU adapter for About, and its absence', async () => {
    const gpu = { requestAdapter: vi.fn(async () => ({ info: { vendor: 'nvidia', architecture: 'ampere' } })) };
    expect(await describeGpu(gpu)).toBe('WebGPU adapter: nvidia ampere');
    expect(gpu.requestAdapter).toHaveBeenCalledWith({ powerPreference: 'high-performance' });
    expect(await describeGpu({ requestAdapter: async () => ({ info: { vendor: 'google', architecture: 'swiftshader' } }) })).toMatch(/software, no GPU/);
    expect(await describeGpu({ requestAdapter: async () => null })).toMatch(/no adapter/);
    expect(await describeGpu(null)).toMatch(/not available/);
    expect(await describeGpu({ requestAdapter: async () => { throw new Error('lost'); } })).toMatch(/could not be read \(lost\)/);
    await router({ gpu }).run('help.about');
    expect(host.abouts).toEqual([{ details: ['WebGPU adapter: nvidia ampere'] }]);
  });

  it('knows which elements are text fields', () => {
    const el = (tagName: string, extra: object = {}) => ({ tagName, ...extra }) as unknown as Element;
    expect(isTextField(el('INPUT', { type: 'text' }))).toBe(true);
    expect(isTextField(el('INPUT', { type: 'checkbox' }))).toBe(false);
    expect(isTextField(el('TEXTAREA'))).toBe(true);
    expect(isTextField(el('DIV', { isContentEditable: true }))).toBe(true);
    expect(isTextField(el('DIV'))).toBe(false);
    expect(isTextField(null)).toBe(false);
  });
});

describe('hosts: desktop methods', () => {
  function bridge(over: Partial<NetwrightBridge> = {}): NetwrightBridge {
    const none = async () => null;
    return {
      apiVersion: 1, openFile: none, saveFile: none, exportFiles: async () => true, pickDataset: none, confirm: async () => true,
      showError: async () => undefined, loadAutosave: none, storeAutosave: async () => undefined, ...over,
    };
  }

  it('electron: takes waiting files at once and whenever main says more are waiting', async () => {
    let notify: () => void = () => undefined;
    const take = vi.fn()
      .mockResolvedValueOnce([{ name: 'a.json', data: new Uint8Array([1]), path: '/a.json' }])
      .mockResolvedValueOnce([{ name: 'b.json', data: new Uint8Array([2]), path: '/b.json' }]);
    const h = createElectronHost(bridge({ onFilesWaiting: (fn) => ((notify = fn), () => undefined), takeGivenFiles: take }), 'app://netwright/');
    const got: string[] = [];
    const off = h.onFilesGiven((files) => got.push(...files.map((f) => f.path!)));
    await vi.waitFor(() => expect(got).toEqual(['/a.json']));
    notify();
    await vi.waitFor(() => expect(got).toEqual(['/a.json', '/b.json']));
    off();
  });

  it('electron: answers close questions with plain data, and degrades without the new bridge methods', async () => {
    let query: (() => unknown) | undefined;
    const h = createElectronHost(bridge({ onCloseQuery: (fn) => ((query = fn), () => undefined) }), 'app://netwright/');
    const state = new Proxy({ dirty: true, training: false, name: 'n' }, {}); // like a reactive object
    h.onCloseRequest({ state: () => state, save: async () => true });
    expect(query!()).toEqual({ dirty: true, training: false, name: 'n' });
    expect(() => structuredClone(query!())).not.toThrow();
    // An older preload: nothing breaks, dropped files are read in the page.
    const old = createElectronHost(bridge(), 'app://netwright/');
    expect(old.onCommand(() => undefined)).toBeTypeOf('function');
    expect(old.onFilesGiven(() => undefined)).toBeTypeOf('function');
    await old.editText('copy');
    const file = new File(['{}'], 'x.netwright.json');
    expect(await old.openDroppedFile(file)).toEqual({ name: 'x.netwright.json', data: new TextEncoder().encode('{}') });
  });

  it('electron: a dropped file main read keeps its path (Save writes back to it)', async () => {
    const h = createElectronHost(bridge({ openDroppedFile: async () => ({ name: 'd.json', data: new Uint8Array([1]), path: '/d.json' }) }), 'app://netwright/');
    expect((await h.openDroppedFile(new File(['x'], 'd.json'))).path).toBe('/d.json');
  });

  it('browser: no menus, no files from the OS, no close prompt (the autosave keeps the work)', async () => {
    const listeners: string[] = [];
    const win = {
      document: { baseURI: 'http://localhost/' },
      addEventListener: (t: string) => listeners.push(t),
    } as unknown as Window;
    const h = createBrowserHost(win);
    h.onCloseRequest({ state: () => ({ dirty: true, training: true, name: 'n' }), save: async () => true })();
    h.onCommand(() => undefined)();
    h.onFilesGiven(() => undefined)();
    expect(listeners).toEqual([]);
    expect(await h.openDroppedFile(new File(['ab'], 'n.netwright.json'))).toEqual({ name: 'n.netwright.json', data: new TextEncoder().encode('ab') });
  });

  it('memory: keeps files given before anyone listens, and records commands', () => {
    host.giveFiles([{ name: 'a.json', data: new Uint8Array() }]);
    const got: string[] = [];
    host.onFilesGiven((f) => got.push(...f.map((x) => x.name)));
    expect(got).toEqual(['a.json']);
    const commands: string[] = [];
    const off = host.onCommand((c) => commands.push(c));
    host.emitCommand('file.new');
    off();
    host.emitCommand('file.open');
    expect(commands).toEqual(['file.new']);
  });
});
