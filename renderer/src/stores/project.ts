// The project as a document: graph (with its layout), training settings, the dataset reference and
// the run history with its weights, opened, saved and autosaved through the Host.
//
// Which runs a project keeps: the runs of the run history that belong to this document (the rule
// and the migration of older records are in core/runs/owner.ts), except a run still training (its
// record changes every second; it is kept by the next Save). The history is shared by all projects:
// delete a run there to leave it out, or add another project's run to this one. Opening merges the
// file's runs into the history by id (a run training here now is left alone), makes them this
// document's, and shows the newest of them.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { importTfjs, importedRun } from '../core/export/import-tfjs';
import { emptyGraph } from '../core/graph/edit';
import { PROJECT_EXTENSION, parseProject, serializeProject, type Project } from '../core/graph/project';
import { instantiate, templateById } from '../core/graph/templates';
import { DOCUMENT_ID_KEY, isDocumentId, keptInProject, newDocumentId, readDocumentId, withoutOwner, writeDocumentId } from '../core/runs/owner';
import type { RunRecord } from '../core/runs/record';
import { wrapChain } from '../core/viz/layout';
import { DEFAULT_TRAIN_CONFIG } from '../core/train/protocol';
import { useHost } from '../composables/useHost';
import type { OpenedFile, RecentProject } from '../host/host';
import { useRunStorage } from '../host/run-storage';
import { useDatasetStore } from './dataset';
import { useGraphStore } from './graph';
import { useRunsStore } from './runs';
import { useTrainingStore } from './training';
import { useUiStore } from './ui';

const FILTERS = [{ name: 'Netwright project', extensions: [PROJECT_EXTENSION.split('.').pop() as string] }];
const baseName = (file: string) => file.replace(/\.netwright\.json$|\.json$/i, '');

/**
 * What makes the runs a Save of the document writes differ, for the dirty mark (cheap: no weights
 * are read). The same filter as fileText, so a run of another project never marks this one dirty.
 */
function runsKey(records: readonly RunRecord[], documentId: string): string {
  return records.filter((r) => keptInProject(r, documentId)).map((r) => `${r.id}:${r.name}:${r.state}:${r.epoch}:${r.weights?.data.byteLength ?? 0}`).join('|');
}

export const useProjectStore = defineStore('project', () => {
  const graphStore = useGraphStore();
  const training = useTrainingStore();
  const runs = useRunsStore();

  // State
  const name = ref('Untitled');
  const path = ref<string | undefined>(undefined);
  /** The document text last written to (or read from) a file; dirty = the current text differs. */
  const savedText = ref(serializeCurrent());
  /** The kept runs as they were at that moment (runsKey). */
  const savedRuns = ref(runsKey(runs.records, runs.documentId));
  /** The text the host has confirmed writing; set only on success, so a failed write is retried. */
  const autosavedText = ref<string | null>(null);
  /** The text being written now, so overlapping flushes do not write it twice. */
  let autosaving: string | null = null;
  const recent = ref<RecentProject[]>([]);

  /**
   * The project name each graph in the undo history had, so undo after a template brings the old
   * name back with the old network (graphs are immutable values: a reference identifies a state).
   */
  const nameOf = new WeakMap<object, string>();
  watch(
    () => graphStore.graph,
    (g) => {
      const known = nameOf.get(g);
      if (known !== undefined) name.value = known;
      else nameOf.set(g, name.value);
    },
    { flush: 'sync', immediate: true },
  );
  watch(name, (n) => nameOf.set(graphStore.graph, n), { flush: 'sync' });
  // The history read at startup is where an unsaved project starts from, not a change to it.
  watch(() => runs.loaded, (loaded) => {
    if (loaded && !path.value) savedRuns.value = runsKey(runs.records, runs.documentId);
  });

  // Getters
  /** The document without its runs: graph, settings, dataset (serialized on every edit, so no weights). */
  const currentText = computed(() => serializeCurrent());
  const currentRuns = computed(() => runsKey(runs.records, runs.documentId));
  /** The open document's id (the runs store holds it: runs added now are stamped with it). */
  const documentId = computed(() => runs.documentId);
  const dirty = computed(() => currentText.value !== savedText.value || currentRuns.value !== savedRuns.value);
  /**
   * The autosave also keeps the name and the document id (extra fields the file parser ignores), so
   * a reload keeps them, and with the id the runs of the project. Runs live in IndexedDB.
   */
  const autosaveText = computed(() => JSON.stringify({ name: name.value, [DOCUMENT_ID_KEY]: runs.documentId, ...(JSON.parse(currentText.value) as object) }));
  const autosaved = computed(() => autosavedText.value === autosaveText.value);

  function currentDataset(): Project['dataset'] {
    if (training.dataset === 'mnist') return undefined;
    return useDatasetStore().descriptor() ?? undefined;
  }

  function serializeCurrent(): string {
    const dataset = currentDataset();
    return serializeProject({ graph: graphStore.graph, trainConfig: training.config, ...(dataset ? { dataset } : {}) });
  }

  function markSaved(): void {
    savedText.value = currentText.value;
    savedRuns.value = currentRuns.value;
  }

  /**
   * Selects a project's dataset: at once when it is loaded, else once the shelf has opened it (if
   * it still keeps it) while the same document is open (`stillOpen`); the saved and autosaved marks
   * stay as they were, since the document names that dataset. MNIST when it names none.
   */
  function selectDataset(dataset: Project['dataset'], stillOpen: () => boolean): void {
    if (dataset?.kind !== 'imported') {
      training.dataset = 'mnist';
      return;
    }
    const { id, name: dataName } = dataset;
    const data = useDatasetStore();
    if (data.current?.id === id) {
      training.dataset = id;
      return;
    }
    training.dataset = 'mnist';
    // The page's own restore (the shelf's newest, else the in-memory cache) may bring it back first.
    void data
      .restore()
      .then(() => (stillOpen() ? data.reopen(id) : null))
      .then((kept) => {
        if (kept === null || !stillOpen()) return; // another open or an import took over
        if (!kept) return useUiStore().notify(`This project trains on the imported dataset "${dataName}": import it again to train or evaluate on it.`, 'info', 8000);
        if (training.isRunning) return;
        const wasSaved = savedText.value === currentText.value;
        training.dataset = id;
        if (wasSaved) savedText.value = currentText.value;
      });
  }

  // Actions
  /** Restores the autosaved project, if any. Returns true when something was restored; never throws. */
  async function restore(): Promise<boolean> {
    try {
      const text = await useHost().loadAutosave();
      if (!text) return false;
      const p = parseProject(text);
      const extra = JSON.parse(text) as { name?: unknown; documentId?: unknown };
      if (typeof extra.name === 'string' && extra.name.trim()) name.value = extra.name;
      // An autosave from before document ids: the project keeps the fresh id it started with.
      if (isDocumentId(extra.documentId)) runs.documentId = extra.documentId;
      graphStore.load(p.graph, false);
      training.setConfig(p.trainConfig);
      autosavedText.value = text;
      const doc = runs.documentId;
      selectDataset(p.dataset, () => runs.documentId === doc);
      return true;
    } catch (e) {
      // A broken autosave must not block the start screen, but the user must know their work is not
      // back. It is only overwritten once they edit (autosave follows edits), so it stays until then.
      useUiStore().notify(`Your last autosave could not be read: ${e instanceof Error ? e.message : String(e)}`, 'error', 0);
      return false;
    }
  }

  /** Writes the autosave now (the debounce lives in useAutosave). Skips unchanged text. */
  async function autosave(): Promise<void> {
    const text = autosaveText.value;
    if (text === autosavedText.value || text === autosaving) return;
    autosaving = text;
    try {
      await useHost().storeAutosave(text);
      autosavedText.value = text;
    } finally {
      if (autosaving === text) autosaving = null;
    }
  }

  /** Asks before replacing a network that has unsaved changes; true when it may be replaced. */
  async function confirmDiscard(question: string): Promise<boolean> {
    if (graphStore.isEmpty || !dirty.value) return true;
    return useHost().confirm(question);
  }

  // New, Open and restore start a fresh undo history: name, path and settings are not in it, so an
  // undo would otherwise put the previous network under the opened file's name (and Save it there).
  function newProject(): void {
    graphStore.load(emptyGraph(), false);
    training.setConfig({ ...DEFAULT_TRAIN_CONFIG });
    name.value = 'Untitled';
    path.value = undefined;
    runs.documentId = newDocumentId();
    markSaved();
  }

  /**
   * Loads a template; `perRow` wraps its chain into rows that fit the canvas (default: one line).
   * A template starts a new project: runs trained from now on are its own, not the previous
   * project's. (Undo brings the previous network and name back, but into this new document: the
   * document id follows Open/Save, not the undo history.)
   */
  function loadTemplate(id: string, perRow = Infinity): boolean {
    const t = templateById(id);
    if (!t) return false;
    const g = wrapChain(instantiate(t), perRow);
    nameOf.set(g, t.name); // before load, so the graph watcher gives it the template's name
    graphStore.load(g);
    path.value = undefined;
    runs.documentId = newDocumentId();
    return true;
  }

  /**
   * A run from a file, as the history holds it: one that was training or paused when saved cannot
   * go on (the file has no optimizer state), so it reads as stopped; an interrupted one stays
   * resumable only where this history still has its checkpoint.
   */
  function settled(r: RunRecord): RunRecord {
    if (r.state === 'running' || r.state === 'paused') return { ...r, state: 'stopped' };
    if (r.state === 'interrupted' && !runs.resumable.has(r.id)) return { ...r, state: 'stopped' };
    return r;
  }

  /** Merges a project's runs into the history (by id) as the open document's, stores them, and shows the newest. */
  function mergeRuns(incoming: readonly RunRecord[]): void {
    if (!incoming.length) return;
    const live = new Set([training.runId].filter((id): id is string => !!id));
    const added = incoming.filter((r) => !live.has(r.id)).map((r) => ({ ...settled(r), project: runs.documentId }));
    const ids = new Set(added.map((r) => r.id));
    runs.records = [...runs.records.filter((r) => !ids.has(r.id)), ...added].sort((a, b) => b.createdAt - a.createdAt);
    for (const r of added) useRunStorage().put(r).catch((e: unknown) => console.warn(`could not store run ${r.id}:`, e));
    const newest = [...added].sort((a, b) => b.createdAt - a.createdAt)[0];
    if (newest) runs.select(newest.id);
  }

  /**
   * Opens a file already read: parses all of it first, so a malformed file changes nothing, then
   * replaces graph, settings and name and merges the runs. Throws the parser's user-readable error.
   */
  function openFile(file: OpenedFile): void {
    const text = new TextDecoder().decode(file.data);
    const p = parseProject(text);
    runs.documentId = readDocumentId(text);
    graphStore.load(p.graph, false);
    training.setConfig(p.trainConfig);
    const doc = runs.documentId;
    selectDataset(p.dataset, () => runs.documentId === doc);
    mergeRuns(p.runs ?? []);
    name.value = baseName(file.name);
    path.value = file.path;
    markSaved();
    // Saved is what the file holds: a run of this document trained here but never saved into the
    // file (it came back with the document id) makes it dirty, so Save offers to add it.
    const inFile = new Set((p.runs ?? []).map((r) => r.id));
    savedRuns.value = runsKey(runs.records.filter((r) => inFile.has(r.id)), runs.documentId);
    void noteRecent(file);
  }

  /** Opens a project file the user picks. False when cancelled. */
  async function open(): Promise<boolean> {
    if (!(await confirmDiscard('Discard the current network and open another project?'))) return false;
    const file = await useHost().openFile({ title: 'Open project', filters: FILTERS });
    if (!file) return false;
    openFile(file);
    return true;
  }

  /** Reopens a recent project; names-only entries (and gone files) show the picker instead. */
  async function openRecent(id: string): Promise<boolean> {
    const rec = useHost().recent;
    if (!rec) return open();
    if (!(await confirmDiscard('Discard the current network and open another project?'))) return false;
    const file = await rec.open(id);
    if (!file) {
      const entry = recent.value.find((r) => r.id === id);
      if (entry?.reopenable) useUiStore().notify(`${entry.name} could not be read again: pick it in the dialog.`, 'info');
      const picked = await useHost().openFile({ title: `Open ${entry?.name ?? 'project'}`, filters: FILTERS });
      if (!picked) return false;
      openFile(picked);
      return true;
    }
    openFile(file);
    return true;
  }

  /**
   * Imports a TF.js Layers model (model.json + weight files, picked together) as a new, unsaved
   * project, with a finished run holding its weights so Evaluate and Look inside work on it.
   * Throws the importer's message; false when cancelled.
   */
  async function importModel(): Promise<boolean> {
    if (!(await confirmDiscard('Discard the current network and import a model?'))) return false;
    const host = useHost();
    const options = { title: 'Import a TF.js model (model.json and its weights)', filters: [{ name: 'TF.js Layers model', extensions: ['json', 'bin'] }] };
    const files = host.openFiles ? await host.openFiles(options) : await host.pickDataset();
    if (!files?.length) return false;
    const jsonName = files.find((f) => /\.json$/i.test(f.name))?.name ?? 'model.json';
    const model = importTfjs(files, jsonName === 'model.json' ? 'Imported model' : baseName(jsonName));
    graphStore.load(model.graph, false);
    training.setConfig({ ...DEFAULT_TRAIN_CONFIG });
    name.value = model.name;
    path.value = undefined;
    runs.documentId = newDocumentId();
    const createdAt = Date.now();
    runs.add(importedRun(model, `run_import_${createdAt.toString(36)}`, createdAt));
    return true;
  }

  /**
   * The whole project, the document's runs and their weights included (only at Save: weights are
   * large), under the document id `as` (the open document's, or the new one of a Save As).
   */
  function fileText(as: string = runs.documentId): string {
    const dataset = currentDataset();
    const kept = runs.records.filter((r) => keptInProject(r, runs.documentId)).map(withoutOwner);
    const text = serializeProject({
      graph: graphStore.graph, trainConfig: training.config, ...(dataset ? { dataset } : {}), ...(kept.length ? { runs: kept } : {}),
    });
    return writeDocumentId(text, as);
  }

  /**
   * Saves in place when the project has a file (else asks where: an untitled project keeps its id
   * and its runs); `as` always asks, and forks the document: the new file gets a new id, and this
   * document's runs (a run training now too) move to it, while the old file keeps what it holds.
   */
  async function save(as = false): Promise<boolean> {
    const doc = currentText.value;
    const kept = currentRuns.value;
    const from = runs.documentId;
    const to = as ? newDocumentId() : from;
    const saved = await useHost().saveFile({
      suggestedName: `${name.value || 'network'}.${PROJECT_EXTENSION}`, data: fileText(to), filters: FILTERS, ...(as ? {} : { path: path.value }),
    });
    if (!saved) return false;
    if (to !== from) {
      runs.claim(runs.records.filter((r) => r.project === from).map((r) => r.id), to);
      runs.documentId = to;
      // The autosave follows edits; the new id must not wait for one (a reload would bring back the old).
      if (autosavedText.value !== null) autosave().catch((e: unknown) => console.warn('could not autosave the new document id:', e));
    }
    name.value = baseName(saved.name);
    path.value = saved.path;
    savedText.value = doc;
    savedRuns.value = kept;
    void noteRecent(saved);
    return true;
  }

  const saveAs = (): Promise<boolean> => save(true);

  async function refreshRecent(): Promise<void> {
    try {
      recent.value = (await useHost().recent?.list()) ?? [];
    } catch (e) {
      console.warn('could not read the recent projects:', e);
    }
  }

  async function noteRecent(file: { name: string; path?: string }): Promise<void> {
    try {
      await useHost().recent?.note({ name: file.name, ...(file.path ? { path: file.path } : {}) });
    } catch (e) {
      console.warn('could not remember the recent project:', e);
    }
    await refreshRecent();
  }

  async function clearRecent(): Promise<void> {
    await useHost().recent?.clear();
    await refreshRecent();
  }

  return {
    name, path, dirty, autosaved, currentText, recent, documentId,
    restore, autosave, confirmDiscard, newProject, loadTemplate, open, openFile, openRecent, save, saveAs, fileText, importModel,
    mergeRuns, refreshRecent, clearRecent,
  };
});
