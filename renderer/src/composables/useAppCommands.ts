// The app's command router: native menu commands (desktop), project files handed over by the OS,
// files dropped on the window, and the close prompt's questions, mapped to store actions.
// The handler table (`table` in createCommandRouter) is the one place a command meets its action.
import { onBeforeUnmount, onMounted } from 'vue';
import type { AboutInfo, AppCommand, Host, OpenedFile, TextEditAction } from '../host/host';
import { setHost, useHost } from './useHost';
import { useGraphStore } from '../stores/graph';
import { useProjectStore } from '../stores/project';
import { useRunsStore } from '../stores/runs';
import { useTrainingStore } from '../stores/training';
import { useUiStore } from '../stores/ui';
import { useDatasetStore } from '../stores/dataset';
import type { ExportFormat } from '../core/export/formats';

export type CommandHandler = () => void | Promise<unknown>;

/** Files dropped on the window that are not a project (datasets). */
export type DropHandler = (files: OpenedFile[]) => void | Promise<unknown>;

export interface CommandDeps {
  host: Host;
  graph: ReturnType<typeof useGraphStore>;
  project: ReturnType<typeof useProjectStore>;
  training: ReturnType<typeof useTrainingStore>;
  runs: ReturnType<typeof useRunsStore>;
  ui: ReturnType<typeof useUiStore>;
  /** The focused element (document.activeElement); text fields get native editing. */
  activeElement: () => Element | null;
  /** navigator.gpu where there is one (About's adapter line). */
  gpu?: GpuLike | null;
}

interface GpuAdapterLike {
  isFallbackAdapter?: boolean;
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
}
export interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<GpuAdapterLike | null>;
}


/** True while typing in a field: Edit commands then edit the text, not the network. */
export function isTextField(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = ((el as HTMLInputElement).type || 'text').toLowerCase();
    return !['button', 'checkbox', 'radio', 'range', 'color', 'file', 'submit', 'reset', 'image'].includes(type);
  }
  return (el as HTMLElement).isContentEditable === true;
}

/** "WebGPU adapter: nvidia ampere (high-performance)" or why there is none. */
export async function describeGpu(gpu: GpuLike | null | undefined): Promise<string> {
  if (!gpu) return 'WebGPU: not available here (training uses WebGL, WASM or CPU)';
  try {
    const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
    if (!adapter) return 'WebGPU: no adapter (training uses WebGL, WASM or CPU)';
    const info = adapter.info ?? {};
    const name = [info.vendor, info.architecture].filter((s) => s && s.trim()).join(' ') || info.description || 'unknown GPU';
    const software = adapter.isFallbackAdapter || info.isFallbackAdapter || /swiftshader|llvmpipe|software/i.test(`${name} ${info.description ?? ''}`);
    return `WebGPU adapter: ${name}${software ? ' (software, no GPU)' : ''}`;
  } catch (e) {
    return `WebGPU: the adapter could not be read (${e instanceof Error ? e.message : String(e)})`;
  }
}

export interface CommandRouter {
  table: Record<AppCommand, CommandHandler>;
  run(command: AppCommand): Promise<void>;
  /** Opens a project file the OS handed over or the user dropped (asks first about unsaved work). */
  openGiven(file: OpenedFile): Promise<boolean>;
  /** Files dropped on the window: a project opens, anything else goes to the dataset import. */
  drop(files: OpenedFile[]): Promise<void>;
  about(): Promise<AboutInfo>;
}

export function isProjectFileName(name: string): boolean {
  return /\.json$/i.test(name);
}

export function createCommandRouter(d: CommandDeps): CommandRouter {
  const { graph, project, training, runs, ui } = d;
  const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));


  /** Opens the export dialog for the shown run, or says why it cannot. */
  const exportAs = (format: ExportFormat): CommandHandler => () => {
    const run = d.runs.selected;
    if (!run?.weights) return void ui.notify('Train a run (or pick a finished one under Runs) to export it.');
    ui.exportFormat = format;
  };

  /** Dataset files from the OS (a dialog or a drop) go to the dataset import, as the Import buttons do. */
  function importDatasetFiles(files: OpenedFile[] | null): void {
    if (!files?.length) return;
    const picked = files.map((f) => ({ path: f.name, blob: new Blob([f.data as BlobPart]) }));
    useDatasetStore().importFiles(picked, files.length === 1 ? files[0].name : `${files.length} files`);
  }

  /** Edit commands: native editing while typing in a field, the network's action otherwise. */
  const edit = (action: TextEditAction, onGraph: () => unknown): CommandHandler => () =>
    isTextField(d.activeElement()) ? d.host.editText(action) : void onGraph();

  async function newProject(): Promise<void> {
    if (!(await project.confirmDiscard('Discard the current network and start a new one?'))) return;
    project.newProject();
  }
  async function open(): Promise<void> {
    try {
      if (await project.open()) ui.notify(`Opened ${project.name}`, 'success');
    } catch (e) {
      ui.notify(errorText(e), 'error', 8000);
    }
  }
  async function save(): Promise<boolean> {
    try {
      const ok = await project.save();
      if (ok) ui.notify(`Saved ${project.name}`, 'success');
      return ok;
    } catch (e) {
      await d.host.showError('Could not save the project', errorText(e));
      return false;
    }
  }
  /** Save As: the store's save asks where when the project has no path; keep the old one if cancelled. */
  async function saveAs(): Promise<void> {
    const before = project.path;
    project.path = undefined;
    const ok = await save();
    if (!ok && project.path === undefined) project.path = before;
  }
  function train(): void {
    if (training.isRunning) return;
    const n = runs.records.filter((r) => r.name.startsWith(project.name)).length + 1;
    training.start(structuredClone(graph.graph), `${project.name} #${n}`);
  }
  function pauseOrResume(): void {
    if (training.isPaused && training.runId) void training.resume(training.runId);
    else training.pause();
  }
  async function about(): Promise<AboutInfo> {
    const details = [await describeGpu(d.gpu)];
    if (training.backendLabel) details.push(`Training backend: ${training.backendLabel}`);
    return { details };
  }

  // The handler table: one line per command.
  const table: Record<AppCommand, CommandHandler> = {
    'file.new': newProject,
    'file.open': open,
    'file.save': save,
    'file.saveAs': saveAs,
    'dataset.import': async () => importDatasetFiles(await d.host.pickDataset()),
    'export.tfjs': exportAs('tfjs'),
    'export.onnx': exportAs('onnx'),
    'export.pytorch': exportAs('pytorch'),
    'export.modelCard': exportAs('card'),
    'edit.undo': edit('undo', () => graph.undo()),
    'edit.redo': edit('redo', () => graph.redo()),
    'edit.cut': edit('cut', () => graph.cutSelection()),
    'edit.copy': edit('copy', () => graph.copySelection()),
    'edit.paste': edit('paste', () => graph.paste()),
    'edit.selectAll': edit('selectAll', () => graph.selectAll()),
    'model.duplicate': () => void graph.duplicateSelection(),
    'model.autoLayout': () => graph.autoLayout(),
    'model.summary': () => void (ui.summaryOpen = true),
    'train.start': train,
    'train.pause': pauseOrResume,
    'train.stop': () => training.stop(),
    'help.shortcuts': () => void (ui.shortcutsOpen = true),
    'help.about': async () => d.host.showAbout(await about()),
  };
  /** Dropped files that are not a project. */
  const importDropped: DropHandler = (files) => importDatasetFiles(files);

  async function openGiven(file: OpenedFile): Promise<boolean> {
    // project.open() asks about unsaved work, parses, and keeps the path for Save; it picks the
    // file through the host, so hand it this one instead of showing a dialog.
    const host = d.host;
    let handed = false;
    const oneShot: Host = Object.create(host) as Host;
    oneShot.openFile = async (options) => {
      if (handed) return host.openFile(options);
      handed = true;
      return file;
    };
    setHost(oneShot);
    try {
      const ok = await project.open();
      if (ok) ui.notify(`Opened ${project.name}`, 'success');
      return ok;
    } catch (e) {
      ui.notify(`${file.name}: ${errorText(e)}`, 'error', 8000);
      return false;
    } finally {
      setHost(host);
    }
  }

  async function drop(files: OpenedFile[]): Promise<void> {
    const projectFile = files.find((f) => isProjectFileName(f.name));
    if (projectFile) await openGiven(projectFile);
    const rest = files.filter((f) => f !== projectFile);
    if (rest.length) await importDropped(rest);
  }

  async function run(command: AppCommand): Promise<void> {
    try {
      await table[command]();
    } catch (e) {
      ui.notify(errorText(e), 'error', 8000);
    }
  }

  return { table, run, openGiven, drop, about };
}

/**
 * Mounts the router: menu commands, files from the OS, drops on the window and the close prompt.
 * Call once, in App.vue's setup next to useShortcuts().
 */
export function useAppCommands(): CommandRouter {
  const router = createCommandRouter({
    host: useHost(),
    graph: useGraphStore(),
    project: useProjectStore(),
    training: useTrainingStore(),
    runs: useRunsStore(),
    ui: useUiStore(),
    activeElement: () => document.activeElement,
    gpu: (navigator as Navigator & { gpu?: GpuLike }).gpu ?? null,
  });
  const graph = useGraphStore();
  const project = useProjectStore();
  const training = useTrainingStore();
  const offs: (() => void)[] = [];

  const onDragOver = (e: DragEvent) => {
    if (e.defaultPrevented || !e.dataTransfer?.types.includes('Files')) return;
    e.preventDefault(); // allow the drop (navigation on drop is off in Electron anyway)
    e.dataTransfer.dropEffect = 'copy';
  };
  const onDrop = (e: DragEvent) => {
    const list = e.dataTransfer?.files;
    if (e.defaultPrevented || !list || list.length === 0) return; // a panel handled it, or no files
    e.preventDefault();
    const host = useHost();
    void Promise.all(Array.from(list).map((f) => (isProjectFileName(f.name) ? host.openDroppedFile(f) : f.arrayBuffer().then((b) => ({ name: f.name, data: new Uint8Array(b) })))))
      .then((files) => router.drop(files))
      .catch((err: unknown) => useUiStore().notify(err instanceof Error ? err.message : String(err), 'error', 8000));
  };

  onMounted(() => {
    const host = useHost();
    offs.push(host.onCommand((c) => void router.run(c)));
    offs.push(
      host.onFilesGiven((files) => {
        // One project at a time: the window holds one. The last one handed over wins.
        const last = files[files.length - 1];
        if (last) void router.openGiven(last);
      }),
    );
    offs.push(
      host.onCloseRequest({
        state: () => ({
          dirty: !graph.isEmpty && project.dirty,
          training: training.isRunning || training.isPaused,
          name: project.name,
        }),
        save: async () => {
          const ok = await project.save();
          if (ok && (training.isRunning || training.isPaused)) training.stop();
          return ok;
        },
      }),
    );
    window.addEventListener('dragover', onDragOver);
    window.addEventListener('drop', onDrop);
  });
  onBeforeUnmount(() => {
    offs.splice(0).forEach((off) => off());
    window.removeEventListener('dragover', onDragOver);
    window.removeEventListener('drop', onDrop);
  });
  return router;
}
