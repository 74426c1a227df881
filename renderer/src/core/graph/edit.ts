// Pure graph edits. Each returns a new Graph (inputs are never mutated), so the store can keep
// an undo history by reference and Vue sees a fresh object.
import { BLOCKS, resolveParams } from './catalog';
import { topologicalOrder } from './analyze';
import type { Block, BlockType, Graph, ParamValue, Position } from './types';

export const emptyGraph = (): Graph => ({ version: 1, blocks: [], edges: [] });

/** A fresh id like conv2d_3: lowercase type name + the first free number. */
export function newBlockId(graph: Graph, type: BlockType): string {
  const base = type.toLowerCase();
  const taken = new Set(graph.blocks.map((b) => b.id));
  for (let i = 1; ; i++) if (!taken.has(`${base}_${i}`)) return `${base}_${i}`;
}

export function addBlock(graph: Graph, type: BlockType, position: Position, params: Block['params'] = {}): { graph: Graph; block: Block } {
  const block: Block = { id: newBlockId(graph, type), type, params: resolveParams({ type, params }), position: { ...position } };
  return { graph: { ...graph, blocks: [...graph.blocks, block] }, block };
}

export function removeBlocks(graph: Graph, ids: readonly string[]): Graph {
  const gone = new Set(ids);
  return {
    ...graph,
    blocks: graph.blocks.filter((b) => !gone.has(b.id)),
    edges: graph.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

export function removeEdges(graph: Graph, ids: readonly string[]): Graph {
  const gone = new Set(ids);
  return { ...graph, edges: graph.edges.filter((e) => !gone.has(e.id)) };
}

function updateBlock(graph: Graph, id: string, change: (b: Block) => Block): Graph {
  return { ...graph, blocks: graph.blocks.map((b) => (b.id === id ? change(b) : b)) };
}

export function moveBlock(graph: Graph, id: string, position: Position): Graph {
  return updateBlock(graph, id, (b) => ({ ...b, position: { ...position } }));
}

export function setParam(graph: Graph, id: string, key: string, value: ParamValue): Graph {
  return updateBlock(graph, id, (b) => ({ ...b, params: { ...b.params, [key]: value } }));
}

export function renameBlock(graph: Graph, id: string, label: string | undefined): Graph {
  return updateBlock(graph, id, (b) => ({ ...b, label: label?.trim() || undefined }));
}

/** Connects source's output to target's input, or says why it cannot. */
export function connect(graph: Graph, sourceId: string, targetId: string): { graph: Graph } | { error: string } {
  const source = graph.blocks.find((b) => b.id === sourceId);
  const target = graph.blocks.find((b) => b.id === targetId);
  if (!source || !target) return { error: 'Both ends of a connection must be blocks.' };
  if (sourceId === targetId) return { error: 'A block cannot feed itself.' };
  if (source.type === 'Classifier') return { error: 'The classifier is the network output: nothing can follow it.' };
  const def = BLOCKS[target.type];
  if (def.inputs === 0) return { error: 'The Input block cannot receive connections.' };
  if (graph.edges.some((e) => e.source === sourceId && e.target === targetId)) return { error: 'These blocks are already connected.' };
  if (def.inputs === 1 && graph.edges.some((e) => e.target === targetId)) {
    return { error: `${def.label} takes one input and already has one. Delete that connection first, or merge branches with Add or Concatenate.` };
  }
  const next: Graph = { ...graph, edges: [...graph.edges, { id: `e_${sourceId}_${targetId}`, source: sourceId, target: targetId, targetPort: 'in' }] };
  if (topologicalOrder(next).length !== next.blocks.length) return { error: 'That connection would make a loop.' };
  return { graph: next };
}
