// Pure graph edits. Each returns a new Graph (inputs are never mutated), so the store can keep
// an undo history by reference and Vue sees a fresh object.
import { BLOCKS, resolveParams } from './catalog';
import { OUTPUT_TYPES } from '../blocks/index';
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
  const next: Graph = {
    ...graph,
    blocks: graph.blocks.filter((b) => !gone.has(b.id)),
    edges: graph.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
  if (!graph.units?.length) return next;
  // Units lose the deleted blocks; a unit left empty goes.
  const units = graph.units.map((u) => ({ ...u, blockIds: u.blockIds.filter((id) => !gone.has(id)) })).filter((u) => u.blockIds.length > 0);
  const { units: _drop, ...rest } = next;
  return units.length ? { ...rest, units } : rest;
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

/** Output blocks (the classifier, an autoencoder's reconstruction): nothing follows them. */
const isOutput = (type: BlockType) => OUTPUT_TYPES.includes(type);
const outputName = (type: BlockType) => (type === 'Classifier' ? 'The classifier' : `The ${BLOCKS[type].label.toLowerCase()}`);
const outputFollowed = (type: BlockType) => `${outputName(type)} is the network output: nothing can follow it.`;

/** Connects source's output to target's input, or says why it cannot. */
export function connect(graph: Graph, sourceId: string, targetId: string): { graph: Graph } | { error: string } {
  const source = graph.blocks.find((b) => b.id === sourceId);
  const target = graph.blocks.find((b) => b.id === targetId);
  if (!source || !target) return { error: 'Both ends of a connection must be blocks.' };
  if (sourceId === targetId) return { error: 'A block cannot feed itself.' };
  if (isOutput(source.type)) return { error: outputFollowed(source.type) };
  const def = BLOCKS[target.type];
  if (def.inputs === 0) return { error: 'The Input block cannot receive connections.' };
  if (graph.edges.some((e) => e.source === sourceId && e.target === targetId)) return { error: 'These blocks are already connected.' };
  if (def.inputs === 1 && graph.edges.some((e) => e.target === targetId)) {
    return { error: `${def.label} takes one input and already has one. Delete that connection first, or merge branches with Add or Concatenate.` };
  }
  const next: Graph = { ...graph, edges: [...graph.edges, { id: edgeId(graph, sourceId, targetId), source: sourceId, target: targetId, targetPort: 'in' }] };
  if (topologicalOrder(next).length !== next.blocks.length) return { error: 'That connection would make a loop.' };
  return { graph: next };
}

/**
 * A connection id that cannot collide: the source id is length-prefixed, so `a`→`b_c` and
 * `a_b`→`c` differ; an id already taken (a hand-edited file) gets a numeric suffix.
 */
export function edgeId(graph: Pick<Graph, 'edges'>, sourceId: string, targetId: string): string {
  const base = `e${sourceId.length}_${sourceId}_${targetId}`;
  const taken = new Set(graph.edges.map((e) => e.id));
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}~${i}`)) return `${base}~${i}`;
}

/** Block footprint on the canvas, for overlap checks (a node is 196 wide, ~80–110 tall). */
export const BLOCK_SIZE = { w: 196, h: 110 } as const;
const GAP = 34;

const overlaps = (a: Position, b: Position): boolean =>
  Math.abs(a.x - b.x) < BLOCK_SIZE.w + GAP / 2 && Math.abs(a.y - b.y) < BLOCK_SIZE.h;

/**
 * The free spot nearest to `wanted` (searched on rings of grid steps), so a new block never lands
 * on top of another.
 */
export function freeSpot(graph: Graph, wanted: Position, step = 32): Position {
  const taken = graph.blocks.map((b) => b.position);
  const free = (p: Position) => !taken.some((t) => overlaps(p, t));
  if (free(wanted)) return { ...wanted };
  for (let r = 1; r < 200; r++) {
    for (let dx = -r; dx <= r; dx++) {
      for (const dy of Math.abs(dx) === r ? range(-r, r) : [-r, r]) {
        const p = { x: wanted.x + dx * step, y: wanted.y + dy * step };
        if (free(p)) return p;
      }
    }
  }
  return { ...wanted };
}

function range(a: number, b: number): number[] {
  const out: number[] = [];
  for (let i = a; i <= b; i++) out.push(i);
  return out;
}

/** Every block downstream of `id` (not `id` itself). */
function downstream(graph: Graph, id: string): Set<string> {
  const next = new Map<string, string[]>();
  for (const e of graph.edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const seen = new Set<string>();
  const stack = [...(next.get(id) ?? [])];
  while (stack.length) {
    const t = stack.pop() as string;
    if (seen.has(t)) continue;
    seen.add(t);
    stack.push(...(next.get(t) ?? []));
  }
  return seen;
}

/** Shifts `ids` right by `dx` (making room for an inserted block). */
function shiftRight(graph: Graph, ids: Set<string>, dx: number): Graph {
  if (!ids.size) return graph;
  return { ...graph, blocks: graph.blocks.map((b) => (ids.has(b.id) ? { ...b, position: { x: b.position.x + dx, y: b.position.y } } : b)) };
}

export const INSERT_DX = BLOCK_SIZE.w + GAP;

/**
 * Inserts a new block of `type` right after `afterId`: it takes over afterId's outgoing
 * connections and afterId feeds it. Blocks downstream move right by one column so nothing
 * overlaps. One pure edit, so the store records one undo step. An error when it cannot be wired
 * (e.g. after an output block — the Classifier or a Reconstruction — or an Input).
 */
export function insertAfter(graph: Graph, afterId: string, type: BlockType): { graph: Graph; block: Block } | { error: string } {
  const prev = graph.blocks.find((b) => b.id === afterId);
  if (!prev) return { error: `No block ${afterId}.` };
  if (isOutput(prev.type)) return { error: outputFollowed(prev.type) };
  if (BLOCKS[type].inputs === 0) return { error: 'The Input block cannot receive connections.' };
  const outs = graph.edges.filter((e) => e.source === afterId);
  if (isOutput(type) && outs.length) return { error: `${outputName(type)} must be the last block: add it after the end of the chain.` };
  let g = shiftRight(graph, downstream(graph, afterId), INSERT_DX);
  const spot = { x: prev.position.x + INSERT_DX, y: prev.position.y };
  // Side blocks (not downstream) may sit where the new one goes: keep the column, find a free row.
  const added = addBlock(g, type, freeSpot(g, spot));
  g = added.graph;
  const id = added.block.id;
  // Re-source afterId's connections in place (keeps each target's input order, for Concatenate).
  const moved = new Set(outs.map((e) => e.id));
  const kept = g.edges.filter((e) => !moved.has(e.id));
  const edges = g.edges.map((e) => (moved.has(e.id) ? { ...e, id: edgeId({ edges: kept }, id, e.target), source: id } : e));
  const wired = connect({ ...g, edges }, afterId, id);
  if ('error' in wired) return wired;
  g = wired.graph;
  return { graph: g, block: added.block };
}

/**
 * Puts a new block of `type` on a connection: source → new → target, at `position` (or between
 * the two ends). Downstream blocks move right when the gap is too narrow.
 */
export function insertOnEdge(graph: Graph, edgeIdToSplit: string, type: BlockType, position?: Position): { graph: Graph; block: Block } | { error: string } {
  const edge = graph.edges.find((e) => e.id === edgeIdToSplit);
  if (!edge) return { error: 'That connection no longer exists.' };
  if (BLOCKS[type].inputs === 0) return { error: 'The Input block cannot receive connections.' };
  if (isOutput(type)) return { error: `${outputName(type)} must be the last block, not in the middle of a chain.` };
  const src = graph.blocks.find((b) => b.id === edge.source) as Block;
  const dst = graph.blocks.find((b) => b.id === edge.target) as Block;
  let g = graph;
  if (dst.position.x - src.position.x < 2 * INSERT_DX - GAP) {
    g = shiftRight(g, new Set([edge.target, ...downstream(g, edge.target)]), INSERT_DX);
  }
  const at = position ?? { x: src.position.x + INSERT_DX, y: src.position.y };
  const added = addBlock(g, type, at);
  g = removeEdges(added.graph, [edge.id]);
  const a = connect(g, edge.source, added.block.id);
  if ('error' in a) return a;
  // Keep the target's input order (Concatenate): put the new edge where the old one was.
  const b = connect(a.graph, added.block.id, edge.target);
  if ('error' in b) return b;
  const newEdge = b.graph.edges[b.graph.edges.length - 1];
  const edges = a.graph.edges.slice();
  const oldIndex = graph.edges.findIndex((e) => e.id === edge.id);
  edges.splice(Math.min(oldIndex, edges.length), 0, newEdge);
  return { graph: { ...b.graph, edges }, block: added.block };
}
