// The project as a document: graph + training settings, opened, saved and autosaved through the Host.
import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import { emptyGraph } from '../core/graph/edit';
import { PROJECT_EXTENSION, parseProject, serializeProject } from '../core/graph/project';
import { instantiate, templateById } from '../core/graph/templates';
import { wrapChain } from '../core/viz/layout';
import { DEFAULT_TRAIN_CONFIG } from '../core/train/protocol';
import { useHost } from '../composables/useHost';
import { useGraphStore } from './graph';
import { useTrainingStore } from './training';

const FILTERS = [{ name: 'Netwright project', extensions: [PROJECT_EXTENSION.split('.').pop() as string] }];

export const useProjectStore = defineStore('project', () => {
  const graphStore = useGraphStore();
  const training = useTrainingStore();

  // State
  const name = ref('Untitled');
  const path = ref<string | undefined>(undefined);
  /** The serialized text last written to a file; dirty = the current text differs. */
  const savedText = ref(serializeCurrent());
  const lastAutosaved = ref<string | null>(null);
  /** The text the host has confirmed writing (lastAutosaved is set before the write finishes). */
  const autosavedText = ref<string | null>(null);

  // Getters
  const currentText = computed(() => serializeCurrent());
  const dirty = computed(() => currentText.value !== savedText.value);
  const autosaved = computed(() => autosavedText.value === currentText.value);

  function serializeCurrent(): string {
    return serializeProject({ graph: graphStore.graph, trainConfig: training.config });
  }

  // Actions
  /** Restores the autosaved project, if any. Returns true when something was restored. */
  async function restore(): Promise<boolean> {
    const text = await useHost().loadAutosave();
    if (!text) return false;
    try {
      const p = parseProject(text);
      graphStore.load(p.graph, false);
      training.setConfig(p.trainConfig);
      lastAutosaved.value = text;
      autosavedText.value = text;
      return true;
    } catch {
      return false; // a broken autosave must not block the start screen
    }
  }

  /** Writes the autosave now (the debounce lives in useAutosave). Skips unchanged text. */
  async function autosave(): Promise<void> {
    const text = currentText.value;
    if (text === lastAutosaved.value) return;
    lastAutosaved.value = text;
    await useHost().storeAutosave(text);
    autosavedText.value = text;
  }

  function newProject(): void {
    graphStore.load(emptyGraph());
    training.setConfig({ ...DEFAULT_TRAIN_CONFIG });
    name.value = 'Untitled';
    path.value = undefined;
    savedText.value = currentText.value;
  }

  /** Loads a template; `perRow` wraps its chain into rows that fit the canvas (default: one line). */
  function loadTemplate(id: string, perRow = Infinity): boolean {
    const t = templateById(id);
    if (!t) return false;
    graphStore.load(wrapChain(instantiate(t), perRow));
    name.value = t.name;
    path.value = undefined;
    return true;
  }

  /** Opens a project file; throws the parser's user-readable error. False when cancelled. */
  async function open(): Promise<boolean> {
    const file = await useHost().openFile({ title: 'Open project', filters: FILTERS });
    if (!file) return false;
    const p = parseProject(new TextDecoder().decode(file.data));
    graphStore.load(p.graph);
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

  return { name, path, dirty, autosaved, currentText, restore, autosave, newProject, loadTemplate, open, save };
});
