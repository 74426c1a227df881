// Units: named groups of blocks (a "VGG block") that can be collapsed on the canvas and repeated.
// A unit has one entry (the only block fed from outside) and one exit (the only block feeding
// outside), so repeating it is well defined: copy k's exit feeds copy k+1's entry.
// Analysis and compilation never see units: callers run `expandUnits(graph)` first.
import type { Block, Edge, Graph, Unit } from './types';
import { edgeId } from './edit';

export const MAX_REPEAT = 32;

export interface UnitBoundary {
  entry: string;
  exit: string;
}

/** The unit's entry and exit blocks, or why these blocks cannot form a unit. */
export function unitBoundary(graph: Graph, blockIds: readonly string[]): UnitBoundary | { error: string } {
  const inside = new Set(blockIds);
  const blocks = graph.blocks.filter((b) => inside.has(b.id));
  if (blocks.length === 0) return { error: 'Select the blocks that make up the unit first.' };
  if (blocks.length !== inside.size) return { error: 'A unit can only contain blocks on the canvas.' };
  if (blocks.some((b) => b.type === 'Input' || b.type === 'Classifier')) {
    return { error: 'A unit cannot contain the Input or the classifier: it must sit between them.' };
  }
  const enter = graph.edges.filter((e) => !inside.has(e.source) && inside.has(e.target));
  const leave = graph.edges.filter((e) => inside.has(e.source) && !inside.has(e.target));
  if (enter.length !== 1) {
    return { error: enter.length ? 'A unit must have one way in: these blocks are fed from several places.' : 'Connect the unit to the block before it first: it needs one way in.' };
  }
  const exits = new Set(leave.map((e) => e.source));
  if (exits.size > 1) return { error: 'A unit must have one way out: several of these blocks feed blocks outside it.' };
  let exit = [...exits][0];
  if (!exit) {
    // Not connected onwards yet: the exit is the one block whose output stays unused inside.
    const feeding = new Set(graph.edges.filter((e) => inside.has(e.source)).map((e) => e.source));
    const ends = blocks.filter((b) => !feeding.has(b.id));
    if (ends.length !== 1) return { error: 'A unit must end in one block.' };
    exit = ends[0].id;
  }
  return { entry: enter[0].target, exit };
}

const unitId = (graph: Graph): string => {
  const taken = new Set((graph.units ?? []).map((u) => u.id));
  for (let i = 1; ; i++) if (!taken.has(`unit_${i}`)) return `unit_${i}`;
};

/** Groups `blockIds` into a new unit (not collapsed). A block belongs to at most one unit. */
export function makeUnit(graph: Graph, blockIds: readonly string[], name: string, repeat = 1): { graph: Graph; unit: Unit } | { error: string } {
  const b = unitBoundary(graph, blockIds);
  if ('error' in b) return b;
  const grouped = new Set((graph.units ?? []).flatMap((u) => u.blockIds));
  if (blockIds.some((id) => grouped.has(id))) return { error: 'Some of these blocks already belong to a unit: ungroup it first.' };
  const unit: Unit = { id: unitId(graph), name: name.trim() || 'Unit', blockIds: [...blockIds], repeat: clampRepeat(repeat) };
  return { graph: { ...graph, units: [...(graph.units ?? []), unit] }, unit };
}

const clampRepeat = (n: number): number => Math.min(MAX_REPEAT, Math.max(1, Math.round(Number.isFinite(n) ? n : 1)));

/** Changes a unit's name, repeat count or collapsed state. */
export function updateUnit(graph: Graph, id: string, patch: Partial<Pick<Unit, 'name' | 'repeat' | 'collapsed'>>): Graph {
  const fixed = { ...patch, ...(patch.repeat !== undefined ? { repeat: clampRepeat(patch.repeat) } : {}) };
  return { ...graph, units: (graph.units ?? []).map((u) => (u.id === id ? { ...u, ...fixed } : u)) };
}

/** Removes the unit; its blocks stay where they are (ungroup). */
export function ungroup(graph: Graph, id: string): Graph {
  const units = (graph.units ?? []).filter((u) => u.id !== id);
  const { units: _drop, ...rest } = graph;
  return units.length ? { ...rest, units } : rest;
}

/** The unit a block belongs to. */
export function unitOf(graph: Graph, blockId: string): Unit | undefined {
  return graph.units?.find((u) => u.blockIds.includes(blockId));
}

export interface Expansion {
  graph: Graph;
  /** Copy id → the block it was copied from (only for copies). */
  origin: Map<string, string>;
  /** Original exit id → the id of the last copy's exit (what feeds the blocks after the unit). */
  lastExit: Map<string, string>;
}

/**
 * The graph as it runs: every unit with repeat n becomes n copies in a row, and the units field
 * is dropped. Copies are named `<id>_r<k>` (k = 2…n). A unit whose boundary is no longer valid
 * is left as one copy. Pure; the input is not changed.
 */
export function expandUnitsDetailed(graph: Graph): Expansion {
  const origin = new Map<string, string>();
  const lastExit = new Map<string, string>();
  const { units, ...base } = graph;
  if (!units?.length) return { graph: base, origin, lastExit };
  let blocks: Block[] = base.blocks;
  let edges: Edge[] = base.edges;
  const taken = new Set(blocks.map((b) => b.id));
  for (const unit of units) {
    if (unit.repeat <= 1) continue;
    const boundary = unitBoundary({ ...base, blocks, edges }, unit.blockIds);
    if ('error' in boundary) continue;
    const inside = new Set(unit.blockIds);
    const internal = edges.filter((e) => inside.has(e.source) && inside.has(e.target));
    const leaving = edges.filter((e) => e.source === boundary.exit && !inside.has(e.target));
    const members = blocks.filter((b) => inside.has(b.id));
    const newBlocks: Block[] = [];
    const newEdges: Edge[] = [];
    let prevExit = boundary.exit;
    for (let k = 2; k <= unit.repeat; k++) {
      const rename = new Map<string, string>();
      for (const m of members) {
        let id = `${m.id}_r${k}`;
        while (taken.has(id)) id += '_';
        taken.add(id);
        rename.set(m.id, id);
        origin.set(id, m.id);
        newBlocks.push({ ...m, params: { ...m.params }, id, position: { x: m.position.x, y: m.position.y + (k - 1) * 160 } });
      }
      const all = { edges: [...edges, ...newEdges] };
      for (const e of internal) {
        const s = rename.get(e.source) as string;
        const t = rename.get(e.target) as string;
        newEdges.push({ ...e, id: edgeId(all, s, t), source: s, target: t });
      }
      const entry = rename.get(boundary.entry) as string;
      newEdges.push({ id: edgeId({ edges: [...edges, ...newEdges] }, prevExit, entry), source: prevExit, target: entry, targetPort: 'in' });
      prevExit = rename.get(boundary.exit) as string;
    }
    lastExit.set(boundary.exit, prevExit);
    const leavingIds = new Set(leaving.map((e) => e.id));
    // The blocks after the unit are now fed by the last copy (same position in their input order).
    edges = edges.map((e) => (leavingIds.has(e.id) ? { ...e, id: `${e.id}~x`, source: prevExit } : e)).concat(newEdges);
    blocks = blocks.concat(newBlocks);
  }
  return { graph: { ...base, blocks, edges }, origin, lastExit };
}

/** `expandUnitsDetailed(graph).graph`: what analyze() and the compiler should be given. */
export function expandUnits(graph: Graph): Graph {
  return expandUnitsDetailed(graph).graph;
}

/** Units from a project file: undefined when absent; entries naming unknown blocks are dropped. */
export function parseUnits(v: unknown, blockIds: ReadonlySet<string>): Unit[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v)) throw new Error('The units of this project are not a list.');
  const units: Unit[] = [];
  for (const [i, u] of v.entries()) {
    const o = u as Partial<Unit> | null;
    if (!o || typeof o.id !== 'string' || typeof o.name !== 'string' || !Array.isArray(o.blockIds)) throw new Error(`Unit ${i + 1} needs an id, a name and its blocks.`);
    const ids = o.blockIds.filter((id): id is string => typeof id === 'string' && blockIds.has(id));
    if (!ids.length) continue;
    units.push({ id: o.id, name: o.name, blockIds: ids, repeat: clampRepeat(Number(o.repeat ?? 1)), ...(o.collapsed ? { collapsed: true } : {}) });
  }
  return units.length ? units : undefined;
}
