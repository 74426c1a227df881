// Derives Vue Flow nodes/edges from the graph store and turns Vue Flow's change events back
// into store actions. Vue Flow never holds a second copy of the graph.
import { computed } from 'vue';
import type { Connection, EdgeChange, Edge as FlowEdge, Node as FlowNode, NodeChange } from '@vue-flow/core';
import type { Block, BlockInfo, Issue, Position } from '../core/graph/types';
import { useGraphStore } from '../stores/graph';
import { useTrainingStore } from '../stores/training';
import { useUiStore } from '../stores/ui';

export interface BlockNodeData {
  block: Block;
  info: BlockInfo | undefined;
  /** The most important issue (errors first), shown on the block. */
  issue: Issue | undefined;
  /** The training worker reported an error on this block. */
  runError: string | undefined;
}

export function useFlowModel() {
  const graph = useGraphStore();
  const training = useTrainingStore();
  const ui = useUiStore();

  const nodes = computed<FlowNode<BlockNodeData>[]>(() => {
    const selected = new Set(graph.selectedBlockIds);
    const analysis = graph.analysis;
    const runErr = training.status === 'error' ? training.error : null;
    return graph.graph.blocks.map((block) => ({
      id: block.id,
      type: 'block',
      position: block.position,
      selected: selected.has(block.id),
      data: {
        block,
        info: analysis.blocks[block.id],
        issue: graph.issuesFor(block.id)[0],
        runError: runErr?.blockId === block.id ? runErr.message : undefined,
      },
    }));
  });

  const edges = computed<FlowEdge[]>(() => {
    const selected = new Set(graph.selectedEdgeIds);
    const x = new Map(graph.graph.blocks.map((b) => [b.id, b.position.x]));
    return graph.graph.edges.map((e) => ({
      id: e.id,
      source: e.source,
      target: e.target,
      sourceHandle: 'out',
      targetHandle: 'in',
      // An edge that runs back to the left (a chain wrapped into rows) reads better with right angles.
      ...((x.get(e.target) ?? 0) < (x.get(e.source) ?? 0) ? { type: 'smoothstep' } : {}),
      selected: selected.has(e.id),
      class: 'nw-edge',
    }));
  });

  function onNodesChange(changes: NodeChange[]): void {
    let selection: Set<string> | null = null;
    const nudges: { id: string; position: Position }[] = [];
    for (const c of changes) {
      if (c.type === 'position' && c.position) {
        const position = { x: Math.round(c.position.x), y: Math.round(c.position.y) };
        // Intermediate drag positions are not undo steps: the drag start made a checkpoint.
        if (c.dragging) graph.moveBlock(c.id, position, false);
        // Anything else (arrow keys move the whole selection) is one undo step per change batch.
        else nudges.push({ id: c.id, position });
      } else if (c.type === 'select') {
        selection ??= new Set(graph.selectedBlockIds);
        if (c.selected) selection.add(c.id);
        else selection.delete(c.id);
      }
      // 'remove' is not handled here: deletion goes through useShortcuts → deleteSelection (one undo step).
    }
    if (nudges.length) graph.moveBlocks(nudges);
    if (selection) graph.select([...selection], graph.selectedEdgeIds);
  }

  function onEdgesChange(changes: EdgeChange[]): void {
    let selection: Set<string> | null = null;
    for (const c of changes) {
      if (c.type !== 'select') continue;
      selection ??= new Set(graph.selectedEdgeIds);
      if (c.selected) selection.add(c.id);
      else selection.delete(c.id);
    }
    if (selection) graph.select(graph.selectedBlockIds, [...selection]);
  }

  function onConnect(c: Connection): void {
    const result = graph.connect(c.source, c.target);
    if (!result.ok) ui.notify(result.error, 'error');
  }

  return { nodes, edges, onNodesChange, onEdgesChange, onConnect };
}
