// Copy, paste and duplicate: pure functions over the graph. A clip holds the copied blocks, the
// connections between them (connections to blocks left behind are dropped) and the units that lie
// wholly inside. Pasting gives every block a fresh id and remaps connections and units to match.
import { edgeId, newBlockId } from './edit';
import type { Block, Edge, Graph, Position, Unit } from './types';

export interface Clip {
  blocks: Block[];
  edges: Edge[];
  units: Unit[];
}

/** The selected blocks with their internal connections (deep copies). */
export function copyBlocks(graph: Graph, blockIds: readonly string[]): Clip {
  const ids = new Set(blockIds);
  return structuredClone({
    blocks: graph.blocks.filter((b) => ids.has(b.id)),
    edges: graph.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
    units: (graph.units ?? []).filter((u) => u.blockIds.every((id) => ids.has(id))),
  });
}

/**
 * Adds the clip's blocks at `offset` from where they were copied, with fresh ids (the first free
 * `<type>_<n>`), connections and units remapped. `ids` maps each copied id to its new id.
 */
export function pasteClip(graph: Graph, clip: Clip, offset: Position = { x: 40, y: 40 }): { graph: Graph; ids: Map<string, string> } {
  const ids = new Map<string, string>();
  let g: Graph = graph;
  const blocks: Block[] = [];
  for (const b of clip.blocks) {
    const id = newBlockId(g, b.type);
    ids.set(b.id, id);
    const block: Block = { ...structuredClone(b), id, position: { x: b.position.x + offset.x, y: b.position.y + offset.y } };
    blocks.push(block);
    g = { ...g, blocks: [...g.blocks, block] };
  }
  const edges: Edge[] = [...g.edges];
  for (const e of clip.edges) {
    const source = ids.get(e.source);
    const target = ids.get(e.target);
    if (!source || !target) continue;
    edges.push({ ...e, id: edgeId({ edges }, source, target), source, target });
  }
  g = { ...g, edges };
  if (clip.units.length) {
    const units = [...(g.units ?? [])];
    for (const u of clip.units) {
      let n = units.length + 1;
      while (units.some((x) => x.id === `unit_${n}`)) n++;
      units.push({ ...u, id: `unit_${n}`, blockIds: u.blockIds.map((id) => ids.get(id) as string) });
    }
    g = { ...g, units };
  }
  return { graph: g, ids };
}

/** Copy + paste in one step (Ctrl+D). */
export function duplicateBlocks(graph: Graph, blockIds: readonly string[], offset?: Position): { graph: Graph; ids: Map<string, string> } {
  return pasteClip(graph, copyBlocks(graph, blockIds), offset);
}
