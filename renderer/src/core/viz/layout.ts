// Canvas layout helpers. Templates are long left-to-right chains; wrapped into rows they stay
// readable at a normal zoom instead of shrinking to fit one line. Any graph: autoLayout (dagre).
import dagre from '@dagrejs/dagre';
import type { Graph, Position } from '../graph/types';

export interface WrapOptions {
  dx?: number;
  dy?: number;
  x0?: number;
  y0?: number;
}

/** The blocks of a single straight chain in data-flow order, or null when the graph branches. */
export function chainOrder(graph: Graph): string[] | null {
  const { blocks, edges } = graph;
  if (blocks.length === 0 || edges.length !== blocks.length - 1) return null;
  const next = new Map<string, string>();
  const hasInput = new Set<string>();
  for (const e of edges) {
    if (next.has(e.source) || hasInput.has(e.target)) return null;
    next.set(e.source, e.target);
    hasInput.add(e.target);
  }
  const starts = blocks.filter((b) => !hasInput.has(b.id));
  if (starts.length !== 1) return null;
  const order = [starts[0].id];
  while (next.has(order[order.length - 1])) order.push(next.get(order[order.length - 1]) as string);
  return order.length === blocks.length ? order : null;
}

/**
 * Lays a straight chain out in rows of at most `perRow` blocks, balanced so the last row is not
 * a lone block. Other graphs (and chains that already fit) come back unchanged.
 */
export function wrapChain(graph: Graph, perRow: number, opts: WrapOptions = {}): Graph {
  const { dx = 230, dy = 150, x0 = 40, y0 = 40 } = opts;
  const order = chainOrder(graph);
  const limit = Math.max(1, Math.floor(perRow));
  if (!order || order.length <= limit) return graph;
  const rows = Math.ceil(order.length / limit);
  const cols = Math.ceil(order.length / rows);
  const index = new Map(order.map((id, i) => [id, i]));
  return {
    ...graph,
    blocks: graph.blocks.map((b) => {
      const i = index.get(b.id) as number;
      return { ...b, position: { x: x0 + (i % cols) * dx, y: y0 + Math.floor(i / cols) * dy } };
    }),
  };
}

export interface AutoLayoutOptions {
  /** Node footprint; blocks are 196 wide and about 80–110 tall. */
  width?: number;
  height?: number;
  /** Gap between layers (columns) and between blocks in one layer. */
  rankSep?: number;
  nodeSep?: number;
}

/**
 * Layered (Sugiyama) layout by dagre: data flows left to right, branches stack vertically, edge
 * crossings are minimised. Positions are the block's top-left corner, snapped to 16 px, with the
 * top-left block at (40, 40). Only positions change, so it is one undoable edit.
 */
export function autoLayout(graph: Graph, opts: AutoLayoutOptions = {}): Graph {
  const { width = 196, height = 110, rankSep = 60, nodeSep = 40 } = opts;
  if (graph.blocks.length === 0) return graph;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', ranksep: rankSep, nodesep: nodeSep, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const b of graph.blocks) g.setNode(b.id, { width, height });
  for (const e of graph.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const raw = new Map(graph.blocks.map((b) => {
    const n = g.node(b.id);
    return [b.id, { x: n.x - width / 2, y: n.y - height / 2 }];
  }));
  const minX = Math.min(...[...raw.values()].map((p) => p.x));
  const minY = Math.min(...[...raw.values()].map((p) => p.y));
  const snap = (v: number) => Math.round(v / 16) * 16;
  return {
    ...graph,
    blocks: graph.blocks.map((b) => {
      const p = raw.get(b.id) as Position;
      return { ...b, position: { x: 40 + snap(p.x - minX), y: 40 + snap(p.y - minY) } };
    }),
  };
}
