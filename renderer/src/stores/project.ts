// The project as a document: graph + training settings, opened, saved and autosaved through the Host.
import { defineStore } from 'pinia';
import { computed, ref, watch } from 'vue';
import { emptyGraph } from '../core/graph/edit';
import { PROJECT_EXTENSION, parseProject, serializeProject } from '../core/graph/project';
import { instantiate, templateById } from '../core/graph/templates';
import { wrapChain } from '../core/viz/layout';
import { DEFAULT_TRAIN_CONFIG } from '../core/train/protocol';
import { useHost } from '../composables/useHost';
import { useGraphStore } from './graph';
import { useTrainingStore } from './training';
import { useUiStore } from './ui';

const FILTERS = [{ name: 'Netwright project', extensions: [PROJECT_EXTENSION.split('.').pop() as string] }];

export const useProjectStore = defineStore('project', () => {
  const graphStore = useGraphStore();
  const training = useTrainingStore();

  // State
  const name = ref('Untitled');
  const path = ref<string | undefined>(undefined);
  /** The serialized text last written to a file; dirty = the current text differs. */
  const savedText = ref(serializeCurrent());
  /** The text the host has confirmed writing; set only on success, so a failed write is retried. */
  const autosavedText = ref<string | null>(null);
  /** The text being written now, so overlapping flushes do not write it twice. */
  let autosaving: string | null = null;

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

  // Getters
  const currentText = computed(() => serializeCurrent());
  const dirty = computed(() => currentText.value !== savedText.value);
  /** The autosave also keeps the name (an extra field the file parser ignores), so a reload keeps it. */
  const autosaveText = computed(() => JSON.stringify({ name: name.value, ...(JSON.parse(currentText.value) as object) }));
  const autosaved = computed(() => autosavedText.value === autosaveText.value);

  function serializeCurrent(): string {
    return serializeProject({ graph: graphStore.graph, trainConfig: training.config });
  }

  // Actions
  /** Restores the autosaved project, if any. Returns true when something was restored; never throws. */
  async function restore(): Promise<boolean> {
    try {
      const text = await useHost().loadAutosave();
      if (!text) return false;
      const p = parseProject(text);
      const saved = (JSON.parse(text) as { name?: unknown }).name;
      if (typeof saved === 'string' && saved.trim()) name.value = saved;
      graphStore.load(p.graph, false);
      training.setConfig(p.trainConfig);
      autosavedText.value = text;
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
    savedText.value = currentText.value;
  }

  /** Loads a template; `perRow` wraps its chain into rows that fit the canvas (default: one line). */
  function loadTemplate(id: string, perRow = Infinity): boolean {
    const t = templateById(id);
    if (!t) return false;
    const g = wrapChain(instantiate(t), perRow);
    nameOf.set(g, t.name); // before load, so the graph watcher gives it the template's name
    graphStore.load(g);
    path.value = undefined;
    return true;
  }

  /** Opens a project file; throws the parser's user-readable error. False when cancelled. */
  async function open(): Promise<boolean> {
    if (!(await confirmDiscard('Discard the current network and open another project?'))) return false;
    const file = await useHost().openFile({ title: 'Open project', filters: FILTERS });
    if (!file) return false;
    const p = parseProject(new TextDecoder().decode(file.data));
    graphStore.load(p.graph, false);
    training.setConfig(p.trainConfig);
    name.value = file.name.replace(/\.netwright\.json$|\.json$/i, '');
    path.value = file.path;
    savedText.value = currentText.value;
    return true;
  }

  async function save(): Promise<boolean> {
    const text = currentText.value;
    const saved = await useHost().saveFile({
      suggestedName: `${name.value || 'network'}.${PROJECT_EXTENSION}`, data: text, filters: FILTERS, path: path.value,
    });
    if (!saved) return false;
    name.value = saved.name.replace(/\.netwright\.json$|\.json$/i, '');
    path.value = saved.path;
    savedText.value = text;
    return true;
  }

  return { name, path, dirty, autosaved, currentText, restore, autosave, confirmDiscard, newProject, loadTemplate, open, save };
});
