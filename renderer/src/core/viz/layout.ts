// Canvas layout helpers. Templates are long left-to-right chains; wrapped into rows they stay
// readable at a normal zoom instead of shrinking to fit one line.
import type { Graph } from '../graph/types';

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
