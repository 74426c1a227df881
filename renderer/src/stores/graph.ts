// The network being edited: the one copy of the graph, the selection and the undo history.
// Graphs are immutable values (core/graph/edit returns new ones), so history is a list of references.
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { analyze, issuesOf } from '../core/graph/analyze';
import { BLOCKS } from '../core/graph/catalog';
import * as edit from '../core/graph/edit';
import type { BlockType, Graph, Issue, ParamValue, Position } from '../core/graph/types';

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

  // Getters
  const analysis = computed(() => analyze(graph.value));
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
    return issuesOf(analysis.value, blockId);
  }

  // Actions
  /** Replaces the graph, recording the old one for undo unless `record` is false. */
  function commit(next: Graph, record = true): void {
    if (next === graph.value) return;
    if (record) past.value = [...past.value.slice(-HISTORY_LIMIT + 1), graph.value];
    // Even an unrecorded change (a drag's later moves) branches off: a redo would silently drop it.
    future.value = [];
    graph.value = next;
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
    graph.value = prev;
    revision.value++;
    pruneSelection();
  }

  function redo(): void {
    const next = future.value[future.value.length - 1];
    if (!next) return;
    future.value = future.value.slice(0, -1);
    past.value = [...past.value, graph.value];
    graph.value = next;
    revision.value++;
    pruneSelection();
  }

  /** Loads a whole graph (template, file, autosave). `record` keeps it undoable. */
  function load(next: Graph, record = true): void {
    clearSelection();
    loadCount.value++;
    if (record) commit(next);
    else {
      graph.value = next;
      past.value = [];
      future.value = [];
      revision.value++;
    }
  }

  return {
    graph, selectedBlockIds, selectedEdgeIds, revision, loadCount,
    analysis, blockById, selectedBlock, graphIssues, isEmpty, canUndo, canRedo, firstConvId, issuesFor,
    addBlock, connect, removeBlocks, removeEdges, deleteSelection, checkpoint, moveBlock, moveBlocks, setParam, renameBlock,
    select, clearSelection, undo, redo, load,
  };
});

/** The catalog entry for a block type (re-exported for components that only need the store module). */
export const blockDef = (type: BlockType) => BLOCKS[type];
