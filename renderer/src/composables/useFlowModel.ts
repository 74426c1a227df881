// Derives Vue Flow nodes/edges from the graph store and turns Vue Flow's change events back
// into store actions. Vue Flow never holds a second copy of the graph.
import { computed } from 'vue';
import type { Connection, EdgeChange, Edge as FlowEdge, Node as FlowNode, NodeChange } from '@vue-flow/core';
import type { Block, BlockInfo, Issue, Position, Shape, Unit } from '../core/graph/types';
import { unitBoundary } from '../core/graph/units';
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
  /** Share (0–1) of the model's parameters and multiply-adds (blocks that reach the output). */
  paramShare: number;
  maddShare: number;
  /** The unit the block belongs to, if any. */
  unit: Unit | undefined;
}

/** A collapsed unit drawn as one node. */
export interface UnitNodeData {
  unit: Unit;
  /** Output shape of the unit's last repeat. */
  shape: Shape | undefined;
  params: number;
  issues: number;
}

/** Flow node id of a collapsed unit (never a block id: block ids have no colon). */
export const unitNodeId = (unitId: string): string => `unit:${unitId}`;

const formatShape = (s: Shape | undefined): string => (s ? s.join('×') : '?');

export function useFlowModel() {
  const graph = useGraphStore();
  const training = useTrainingStore();
  const ui = useUiStore();

  /** Block id → the collapsed unit that hides it. */
  const hiddenBy = computed(() => {
    const map = new Map<string, Unit>();
    for (const u of graph.unitList) if (u.collapsed) for (const id of u.blockIds) map.set(id, u);
    return map;
  });
  const unitOfBlock = computed(() => {
    const map = new Map<string, Unit>();
    for (const u of graph.unitList) for (const id of u.blockIds) map.set(id, u);
    return map;
  });

  type NodeOut = FlowNode<BlockNodeData | UnitNodeData> & { selected?: boolean };
  const nodes = computed<NodeOut[]>(() => {
    const selected = new Set(graph.selectedBlockIds);
    const analysis = graph.analysis;
    const runErr = training.status === 'error' ? training.error : null;
    const totalParams = graph.totalParams || 1;
    const madds = graph.cost;
    const totalMadds = madds.total || 1;
    const hidden = hiddenBy.value;
    const out: NodeOut[] = graph.graph.blocks.map((block) => ({
      id: block.id,
      type: 'block',
      position: block.position,
      selected: selected.has(block.id),
      hidden: hidden.has(block.id),
      data: {
        block,
        info: analysis.blocks[block.id],
        issue: graph.issuesFor(block.id)[0],
        runError: runErr?.blockId === block.id ? runErr.message : undefined,
        paramShare: madds.perBlock[block.id] === undefined ? 0 : (analysis.blocks[block.id]?.params ?? 0) / totalParams,
        maddShare: (madds.perBlock[block.id] ?? 0) / totalMadds,
        unit: unitOfBlock.value.get(block.id),
      },
    }));
    for (const u of graph.unitList) {
      if (!u.collapsed) continue;
      const first = graph.blockById.get(u.blockIds[0]);
      if (!first) continue;
      const boundary = graph.expansion.lastExit;
      const exit = [...boundary.keys()].find((id) => u.blockIds.includes(id));
      const lastId = exit ? boundary.get(exit) : u.blockIds[u.blockIds.length - 1];
      let params = 0;
      for (const [id, info] of Object.entries(analysis.blocks)) {
        const base = graph.expansion.origin.get(id) ?? id;
        if (u.blockIds.includes(base)) params += info.params;
      }
      out.push({
        id: unitNodeId(u.id),
        type: 'unit',
        position: first.position,
        selected: u.blockIds.every((id) => selected.has(id)),
        data: { unit: u, shape: lastId ? analysis.blocks[lastId]?.shape : undefined, params, issues: u.blockIds.filter((id) => graph.issuesFor(id).length).length },
      });
    }
    return out;
  });

  type EdgeOut = FlowEdge & { selected?: boolean };
  const edges = computed<EdgeOut[]>(() => {
    const selected = new Set(graph.selectedEdgeIds);
    const x = new Map(graph.graph.blocks.map((b) => [b.id, b.position.x]));
    const hidden = hiddenBy.value;
    const shapes = graph.analysis.blocks;
    const lastExit = graph.expansion.lastExit;
    const out: EdgeOut[] = [];
    for (const e of graph.graph.edges) {
      const su = hidden.get(e.source);
      const tu = hidden.get(e.target);
      if (su && su === tu) continue; // inside a collapsed unit
      const source = su ? unitNodeId(su.id) : e.source;
      const target = tu ? unitNodeId(tu.id) : e.target;
      // What flows along the edge: the source's output (after the last repeat when it leaves a unit).
      const shape = shapes[lastExit.get(e.source) ?? e.source]?.shape;
      out.push({
        id: e.id,
        source,
        target,
        sourceHandle: 'out',
        targetHandle: 'in',
        // An edge that runs back to the left (a chain wrapped into rows) reads better with right angles.
        ...((x.get(e.target) ?? 0) < (x.get(e.source) ?? 0) ? { type: 'smoothstep' } : {}),
        selected: selected.has(e.id),
        class: 'nw-edge',
        label: formatShape(shape),
        labelShowBg: true,
        labelBgPadding: [4, 2] as [number, number],
        labelBgBorderRadius: 4,
        labelBgStyle: { fill: 'var(--surface-2)' },
        labelStyle: { fill: 'var(--text-dim)', fontSize: '10px', fontFamily: 'var(--mono)' },
      });
    }
    return out;
  });

  function onNodesChange(changes: NodeChange[]): void {
    let selection: Set<string> | null = null;
    const nudges: { id: string; position: Position }[] = [];
    for (const c of changes) {
      if ('id' in c && typeof c.id === 'string' && c.id.startsWith('unit:')) {
        unitChange(c, nudges);
        if (c.type === 'select') {
          const u = graph.unitList.find((x) => unitNodeId(x.id) === c.id);
          selection ??= new Set(graph.selectedBlockIds);
          for (const id of u?.blockIds ?? []) {
            if (c.selected) selection.add(id);
            else selection.delete(id);
          }
        }
        continue;
      }
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

  /** Moving a collapsed unit moves all its blocks by the same amount. */
  function unitChange(c: NodeChange, nudges: { id: string; position: Position }[]): void {
    if (c.type !== 'position' || !c.position) return;
    const u = graph.unitList.find((x) => unitNodeId(x.id) === c.id);
    const first = u && graph.blockById.get(u.blockIds[0]);
    if (!u || !first) return;
    const dx = Math.round(c.position.x) - first.position.x;
    const dy = Math.round(c.position.y) - first.position.y;
    const moves = u.blockIds.flatMap((id) => {
      const b = graph.blockById.get(id);
      return b ? [{ id, position: { x: b.position.x + dx, y: b.position.y + dy } }] : [];
    });
    if (c.dragging) for (const m of moves) graph.moveBlock(m.id, m.position, false);
    else nudges.push(...moves);
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
    const end = (id: string, side: 'source' | 'target'): string => {
      const u = graph.unitList.find((x) => unitNodeId(x.id) === id);
      if (!u) return id;
      const b = unitBoundary(graph.graph, u.blockIds);
      return 'error' in b ? u.blockIds[0] : side === 'source' ? b.exit : b.entry;
    };
    const result = graph.connect(end(c.source, 'source'), end(c.target, 'target'));
    if (!result.ok) ui.notify(result.error, 'error');
  }

  return { nodes, edges, onNodesChange, onEdgesChange, onConnect };
}
