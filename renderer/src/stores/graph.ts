// The network being edited: the one copy of the graph, the selection and the undo history.
// Graphs are immutable values (core/graph/edit returns new ones), so history is a list of references.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { analyze, trainabilityIssues } from '../core/graph/analyze';
import { BLOCKS } from '../core/graph/catalog';
import { type Clip, copyBlocks, pasteClip } from '../core/graph/clipboard';
import { multiplyAdds, reachableParams } from '../core/graph/cost';
import * as edit from '../core/graph/edit';
import type { Analysis, BlockType, Graph, Issue, ParamValue, Position, Unit } from '../core/graph/types';
import * as units from '../core/graph/units';
import { autoLayout as layoutGraph } from '../core/viz/layout';
import { checkDataFit } from '../core/data/sources';
import { useDatasetStore } from './dataset';
import { useTrainingStore } from './training';

/** Bundled MNIST as the fit check sees it: 28×28 grey images (smaller inputs are cropped), 10 classes. */
const MNIST_SHAPE = { height: 28, width: 28, channels: 1, classes: 10 };

const HISTORY_LIMIT = 200;

export type ConnectResult = { ok: true } | { ok: false; error: string };

export const useGraphStore = defineStore('graph', () => {
  // State
  const graph = shallowRef<Graph>(edit.emptyGraph());
  const selectedBlockIds = ref<string[]>([]);
  const selectedEdgeIds = ref<string[]>([]);
  const past = shallowRef<Graph[]>([]);
  const future = shallowRef<Graph[]>([]);
  /** Bumped on every change to the graph; autosave and "dirty" watch it. */
  const revision = ref(0);
  /** Bumped when a whole graph is loaded (template, file, autosave), so the canvas re-frames. */
  const loadCount = ref(0);

  /**
   * The graph as analysis sees it: replaced only when something other than block positions
   * changes, so dragging (hundreds of moves) never re-runs validation and shape inference.
   */
  const structure = shallowRef<Graph>(graph.value);
  const clipboard = shallowRef<Clip | null>(null);

  // Getters
  /** Units expanded (repeats copied): what is analysed, and what training must compile. */
  const expansion = computed(() => units.expandUnitsDetailed(structure.value));
  const analysis = computed<Analysis>(() => {
    const { graph: g, origin } = expansion.value;
    const a = analyze(g);
    const extra = [...trainabilityIssues(g), ...(a.ok ? dataFitIssues(g) : [])];
    // Issues of repeated copies show on the block they were copied from.
    const issues = [...a.issues, ...extra].map((i) => (i.blockId && origin.has(i.blockId) ? { ...i, blockId: origin.get(i.blockId), message: `In a repeat of its unit: ${i.message}` } : i));
    return { ...a, issues, ok: a.ok && !extra.length };
  });
  /** The network against the dataset training will use (MNIST or an import): errors with their fix. */
  function dataFitIssues(g: Graph): Issue[] {
    // Looked up lazily: the training and dataset stores use this one.
    const training = useTrainingStore();
    const fits = training.dataset === 'mnist' ? checkDataFit(g, MNIST_SHAPE) : useDatasetStore().fitIssues(g);
    return fits.map((f) => ({ blockId: f.blockId, severity: 'error', code: f.code, message: f.message, hint: `Fix: ${f.fix.label}.` }));
  }
  /** Issues per block, errors first (one pass, so 300 nodes do not each scan every issue). */
  const issuesByBlock = computed(() => {
    const map = new Map<string, Issue[]>();
    for (const i of analysis.value.issues) if (i.blockId) map.set(i.blockId, [...(map.get(i.blockId) ?? []), i]);
    for (const list of map.values()) list.sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    return map;
  });
  /** Parameters that take part in the model: only blocks that reach the classifier (as compiled). */
  const totalParams = computed(() =>
    expansion.value.graph.blocks.some((b) => b.type === 'Classifier') ? reachableParams(expansion.value.graph, analysis.value) : analysis.value.totalParams,
  );
  const cost = computed(() => multiplyAdds(expansion.value.graph, analysis.value));
  const blockById = computed(() => new Map(graph.value.blocks.map((b) => [b.id, b])));
  const selectedBlock = computed(() =>
    selectedBlockIds.value.length === 1 ? blockById.value.get(selectedBlockIds.value[0]) : undefined,
  );
  const graphIssues = computed<Issue[]>(() => analysis.value.issues.filter((i) => !i.blockId));
  const isEmpty = computed(() => graph.value.blocks.length === 0);
  const canUndo = computed(() => past.value.length > 0);
  const canRedo = computed(() => future.value.length > 0);
  /** The block the Filters panel shows: the first Conv2D in data-flow order. */
  const firstConvId = computed(() => {
    const order = analysis.value.order.length ? analysis.value.order : graph.value.blocks.map((b) => b.id);
    return order.find((id) => blockById.value.get(id)?.type === 'Conv2D');
  });

  function issuesFor(blockId: string): Issue[] {
    return issuesByBlock.value.get(blockId) ?? [];
  }

  /** True when `next` differs from `prev` only in block positions (a drag or a nudge). */
  function positionsOnly(prev: Graph, next: Graph): boolean {
    if (prev.edges !== next.edges || prev.units !== next.units || prev.blocks.length !== next.blocks.length) return false;
    return prev.blocks.every((a, i) => {
      const b = next.blocks[i];
      return a === b || (a.id === b.id && a.type === b.type && a.params === b.params && a.label === b.label);
    });
  }

  function setGraph(next: Graph): void {
    if (!positionsOnly(structure.value, next)) structure.value = next;
    graph.value = next;
  }

  // Actions
  /** Replaces the graph, recording the old one for undo unless `record` is false. */
  function commit(next: Graph, record = true): void {
    if (next === graph.value) return;
    if (record) past.value = [...past.value.slice(-HISTORY_LIMIT + 1), graph.value];
    // Even an unrecorded change (a drag's later moves) branches off: a redo would silently drop it.
    future.value = [];
    setGraph(next);
    revision.value++;
    pruneSelection();
  }

  function pruneSelection(): void {
    const blocks = blockById.value;
    const edges = new Set(graph.value.edges.map((e) => e.id));
    if (selectedBlockIds.value.some((id) => !blocks.has(id))) selectedBlockIds.value = selectedBlockIds.value.filter((id) => blocks.has(id));
    if (selectedEdgeIds.value.some((id) => !edges.has(id))) selectedEdgeIds.value = selectedEdgeIds.value.filter((id) => edges.has(id));
  }

  function addBlock(type: BlockType, position: Position): string {
    const { graph: next, block } = edit.addBlock(graph.value, type, position);
    commit(next);
    select([block.id]);
    return block.id;
  }

  function connect(sourceId: string, targetId: string): ConnectResult {
    const result = edit.connect(graph.value, sourceId, targetId);
    if ('error' in result) return { ok: false, error: result.error };
    commit(result.graph);
    return { ok: true };
  }

  function removeBlocks(ids: readonly string[]): void {
    if (ids.length) commit(edit.removeBlocks(graph.value, ids));
  }

  function removeEdges(ids: readonly string[]): void {
    if (ids.length) commit(edit.removeEdges(graph.value, ids));
  }

  /** Deletes selected blocks and connections as one undo step. */
  function deleteSelection(): boolean {
    if (!selectedBlockIds.value.length && !selectedEdgeIds.value.length) return false;
    const next = edit.removeBlocks(edit.removeEdges(graph.value, selectedEdgeIds.value), selectedBlockIds.value);
    commit(next);
    clearSelection();
    return true;
  }

  let dragCheckpoint = false;
  /** Call when a drag starts: the first real move records one undo step for the whole drag. */
  function checkpoint(): void {
    dragCheckpoint = true;
  }

  function moveBlock(id: string, position: Position, record = true): void {
    const b = blockById.value.get(id);
    if (!b || (b.position.x === position.x && b.position.y === position.y)) return;
    if (!record && dragCheckpoint) {
      dragCheckpoint = false;
      record = true;
    }
    commit(edit.moveBlock(graph.value, id, position), record);
  }

  /** Moves several blocks as one undo step (the selection nudged with the arrow keys). */
  function moveBlocks(moves: readonly { id: string; position: Position }[]): void {
    let next = graph.value;
    for (const { id, position } of moves) {
      const b = blockById.value.get(id);
      if (b && (b.position.x !== position.x || b.position.y !== position.y)) next = edit.moveBlock(next, id, position);
    }
    commit(next);
  }

  function setParam(id: string, key: string, value: ParamValue): void {
    const b = blockById.value.get(id);
    if (!b || b.params[key] === value) return;
    commit(edit.setParam(graph.value, id, key, value));
  }

  function renameBlock(id: string, label: string): void {
    const b = blockById.value.get(id);
    if (!b || (b.label ?? '') === label.trim()) return;
    commit(edit.renameBlock(graph.value, id, label));
  }

  function select(blockIds: string[], edgeIds: string[] = []): void {
    selectedBlockIds.value = blockIds;
    selectedEdgeIds.value = edgeIds;
  }

  function clearSelection(): void {
    select([]);
  }

  function undo(): void {
    const prev = past.value[past.value.length - 1];
    if (!prev) return;
    past.value = past.value.slice(0, -1);
    future.value = [...future.value, graph.value];
    setGraph(prev);
    revision.value++;
    pruneSelection();
  }

  function redo(): void {
    const next = future.value[future.value.length - 1];
    if (!next) return;
    future.value = future.value.slice(0, -1);
    past.value = [...past.value, graph.value];
    setGraph(next);
    revision.value++;
    pruneSelection();
  }

  /** Loads a whole graph (template, file, autosave). `record` keeps it undoable. */
  function load(next: Graph, record = true): void {
    clearSelection();
    loadCount.value++;
    if (record) commit(next);
    else {
      setGraph(next);
      past.value = [];
      future.value = [];
      revision.value++;
    }
  }

  // ------------------------------------------------------------ editing beyond single blocks

  /**
   * Palette click: with one block selected, the new block goes into the chain after it (rewired,
   * downstream blocks shifted, one undo step); otherwise at the free spot nearest `where`.
   */
  function addFromPalette(type: BlockType, where: Position): { id: string; error?: string } {
    const prev = selectedBlock.value;
    if (prev) {
      const r = edit.insertAfter(graph.value, prev.id, type);
      if (!('error' in r)) {
        commit(r.graph);
        select([r.block.id]);
        return { id: r.block.id };
      }
      const id = addBlock(type, edit.freeSpot(graph.value, { x: prev.position.x, y: prev.position.y + 160 }));
      return { id, error: r.error };
    }
    return { id: addBlock(type, edit.freeSpot(graph.value, where)) };
  }

  /** Drop on a connection: the new block is spliced into it (one undo step). */
  function insertOnEdge(edgeId: string, type: BlockType, position: Position): ConnectResult {
    const r = edit.insertOnEdge(graph.value, edgeId, type, position);
    if ('error' in r) return { ok: false, error: r.error };
    commit(r.graph);
    select([r.block.id]);
    return { ok: true };
  }

  function selectAll(): void {
    select(graph.value.blocks.map((b) => b.id), graph.value.edges.map((e) => e.id));
  }

  function copySelection(): number {
    if (!selectedBlockIds.value.length) return 0;
    clipboard.value = copyBlocks(graph.value, selectedBlockIds.value);
    return clipboard.value.blocks.length;
  }

  function cutSelection(): number {
    const n = copySelection();
    if (n) deleteSelection();
    return n;
  }

  let pasteCount = 0;
  /** Pastes the clipboard offset from the copied blocks (further on each paste); selects the copies. */
  function paste(offset?: Position): string[] {
    const clip = clipboard.value;
    if (!clip?.blocks.length) return [];
    pasteCount++;
    const r = pasteClip(graph.value, clip, offset ?? { x: 32 * pasteCount, y: 160 * pasteCount });
    commit(r.graph);
    const ids = [...r.ids.values()];
    select(ids);
    return ids;
  }

  function duplicateSelection(): string[] {
    if (!copySelection()) return [];
    pasteCount = 0;
    return paste();
  }

  /** Moves the selected blocks by (dx, dy) as one undo step (arrow keys). */
  function nudge(dx: number, dy: number): void {
    const ids = new Set(selectedBlockIds.value);
    moveBlocks(graph.value.blocks.filter((b) => ids.has(b.id)).map((b) => ({ id: b.id, position: { x: b.position.x + dx, y: b.position.y + dy } })));
  }

  /** Lays the whole graph out with dagre (one undo step). */
  function autoLayout(): void {
    commit(layoutGraph(graph.value));
  }

  // ------------------------------------------------------------ units

  const unitList = computed<Unit[]>(() => graph.value.units ?? []);

  function makeUnit(name: string, repeat = 1): { ok: true; unit: Unit } | { ok: false; error: string } {
    const r = units.makeUnit(graph.value, selectedBlockIds.value, name, repeat);
    if ('error' in r) return { ok: false, error: r.error };
    commit(r.graph);
    return { ok: true, unit: r.unit };
  }

  function updateUnit(id: string, patch: Partial<Pick<Unit, 'name' | 'repeat' | 'collapsed'>>): void {
    commit(units.updateUnit(graph.value, id, patch));
  }

  function ungroup(id: string): void {
    commit(units.ungroup(graph.value, id));
  }

  return {
    structure, expansion, issuesByBlock, totalParams, cost, clipboard, unitList,
    addFromPalette, insertOnEdge, selectAll, copySelection, cutSelection, paste, duplicateSelection, nudge, autoLayout,
    makeUnit, updateUnit, ungroup,
    graph, selectedBlockIds, selectedEdgeIds, revision, loadCount,
    analysis, blockById, selectedBlock, graphIssues, isEmpty, canUndo, canRedo, firstConvId, issuesFor,
    addBlock, connect, removeBlocks, removeEdges, deleteSelection, checkpoint, moveBlock, moveBlocks, setParam, renameBlock,
    select, clearSelection, undo, redo, load,
  };
});

/** The catalog entry for a block type (re-exported for components that only need the store module). */
export const blockDef = (type: BlockType) => BLOCKS[type];
