// The editor's pure graph operations: ids, insertion into a chain, clipboard, units, layout.
import { describe, expect, it } from 'vitest';
import { analyze, blocksOnCycles, trainabilityIssues } from '../../renderer/src/core/graph/analyze';
import { copyBlocks, duplicateBlocks, pasteClip } from '../../renderer/src/core/graph/clipboard';
import { BLOCK_SIZE, addBlock, connect, edgeId, emptyGraph, freeSpot, insertAfter, insertOnEdge, removeBlocks } from '../../renderer/src/core/graph/edit';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { Block, BlockType, Graph } from '../../renderer/src/core/graph/types';
import { expandUnits, expandUnitsDetailed, makeUnit, ungroup, unitBoundary, updateUnit } from '../../renderer/src/core/graph/units';
import { autoLayout } from '../../renderer/src/core/viz/layout';

function chain(...types: BlockType[]): Graph {
  let g = emptyGraph();
  types.forEach((t, i) => {
    g = addBlock(g, t, { x: i * 230, y: 0 }).graph;
    if (i > 0) {
      const r = connect(g, g.blocks[i - 1].id, g.blocks[i].id);
      if ('error' in r) throw new Error(r.error);
      g = r.graph;
    }
  });
  return g;
}

const overlapping = (g: Graph): [string, string][] => {
  const out: [string, string][] = [];
  for (const a of g.blocks) for (const b of g.blocks) {
    if (a.id < b.id && Math.abs(a.position.x - b.position.x) < BLOCK_SIZE.w && Math.abs(a.position.y - b.position.y) < BLOCK_SIZE.h) out.push([a.id, b.id]);
  }
  return out;
};
const pairs = (g: Graph) => g.edges.map((e) => `${e.source}>${e.target}`);
const must = <T>(r: T | { error: string }): T => {
  if (r && typeof r === 'object' && 'error' in r) throw new Error((r as { error: string }).error);
  return r as T;
};

describe('connection ids', () => {
  it('never collide: a→b_c and a_b→c get different ids', () => {
    let g = emptyGraph();
    for (const id of ['a', 'b_c', 'a_b', 'c']) g = { ...g, blocks: [...g.blocks, { id, type: 'Dense', params: {}, position: { x: 0, y: 0 } } as Block] };
    g = must(connect(g, 'a', 'b_c')).graph;
    g = must(connect(g, 'a_b', 'c')).graph;
    expect(new Set(g.edges.map((e) => e.id)).size).toBe(2);
    // An id already taken (a hand-edited file) is avoided too.
    expect(edgeId({ edges: [{ id: 'e1_a_b', source: 'x', target: 'y' }] }, 'a', 'b')).not.toBe('e1_a_b');
  });
});

describe('insert into a chain', () => {
  it('puts a clicked block between the selected block and the one it fed, as one edit, without overlaps', () => {
    const g = chain('Input', 'Flatten', 'Classifier');
    const r = must(insertAfter(g, 'flatten_1', 'Dropout'));
    expect(pairs(r.graph).sort()).toEqual(['dropout_1>classifier_1', 'flatten_1>dropout_1', 'input_1>flatten_1']);
    expect(overlapping(r.graph)).toEqual([]);
    // The classifier moved one column right; the new block sits where it was.
    const pos = new Map(r.graph.blocks.map((b) => [b.id, b.position]));
    expect(pos.get('dropout_1')!.x).toBeGreaterThan(pos.get('flatten_1')!.x);
    expect(pos.get('classifier_1')!.x).toBeGreaterThan(pos.get('dropout_1')!.x);
    expect(analyze(r.graph).ok).toBe(true);
    expect(g.blocks.length).toBe(3); // the input graph is untouched
  });

  it('keeps the merge input order when the selected block fed a Concatenate', () => {
    let g = chain('Input', 'Conv2D');
    g = addBlock(g, 'Conv2D', { x: 230, y: 200 }).graph;
    g = addBlock(g, 'Concatenate', { x: 460, y: 0 }).graph;
    g = must(connect(g, 'input_1', 'conv2d_2')).graph;
    g = must(connect(g, 'conv2d_1', 'concatenate_1')).graph;
    g = must(connect(g, 'conv2d_2', 'concatenate_1')).graph;
    const r = must(insertAfter(g, 'conv2d_1', 'BatchNorm')).graph;
    expect(r.edges.filter((e) => e.target === 'concatenate_1').map((e) => e.source)).toEqual(['batchnorm_1', 'conv2d_2']);
    expect(overlapping(r)).toEqual([]);
  });

  it('refuses to add after the classifier and places a free block away from others', () => {
    const g = chain('Input', 'Flatten', 'Classifier');
    expect(insertAfter(g, 'classifier_1', 'Dense')).toHaveProperty('error');
    const spot = freeSpot(g, { x: 230, y: 0 });
    expect(overlapping(addBlock(g, 'Dense', spot).graph)).toEqual([]);
  });

  it('treats a Reconstruction as an output: nothing follows it, it goes only at the end of a chain', () => {
    const g = chain('Input', 'Conv2D', 'Reconstruction');
    const after = insertAfter(g, 'reconstruction_1', 'Conv2D');
    expect(after).toEqual({ error: 'The reconstruction is the network output: nothing can follow it.' });
    g.blocks.push(addBlock(g, 'Dense', { x: 900, y: 300 }).block);
    expect(connect(g, 'reconstruction_1', 'dense_1')).toHaveProperty('error', 'The reconstruction is the network output: nothing can follow it.');
    // Not in the middle of a chain, neither after a block that feeds another nor on a connection.
    expect(insertAfter(g, 'input_1', 'Reconstruction')).toHaveProperty('error', 'The reconstruction must be the last block: add it after the end of the chain.');
    expect(insertOnEdge(g, g.edges[0].id, 'Reconstruction')).toHaveProperty('error', 'The reconstruction must be the last block, not in the middle of a chain.');
    // At the end of a chain it is fine.
    const open = chain('Input', 'Conv2D');
    expect(pairs(must(insertAfter(open, 'conv2d_1', 'Reconstruction')).graph)).toContain('conv2d_1>reconstruction_1');
  });

  it('drops a block onto a connection: source → new → target', () => {
    const g = chain('Input', 'Flatten', 'Classifier');
    const e = g.edges.find((x) => x.source === 'flatten_1')!;
    const r = must(insertOnEdge(g, e.id, 'Dense')).graph;
    expect(pairs(r).sort()).toEqual(['dense_1>classifier_1', 'flatten_1>dense_1', 'input_1>flatten_1']);
    expect(overlapping(r)).toEqual([]);
  });
});

describe('loops', () => {
  it('finds only the blocks on a cycle, not those downstream of it', () => {
    const g = chain('Input', 'Add', 'Dense', 'Dense', 'Classifier');
    const looped: Graph = { ...g, edges: [...g.edges, { id: 'x', source: 'dense_1', target: 'add_1' }] };
    expect([...blocksOnCycles(looped)].sort()).toEqual(['add_1', 'dense_1']);
  });
});

describe('the vector Input', () => {
  it('is reported as untrainable with a clear fix', () => {
    const g = chain('Input', 'Dense', 'Classifier');
    const v: Graph = { ...g, blocks: g.blocks.map((b) => (b.type === 'Input' ? { ...b, params: { ...b.params, kind: 'vector' } } : b)) };
    expect(trainabilityIssues(g)).toEqual([]);
    const [issue] = trainabilityIssues(v);
    expect(issue).toMatchObject({ blockId: 'input_1', severity: 'error' });
    expect(issue.message).toContain('cannot be trained');
  });
});

describe('clipboard', () => {
  it('pastes copies with fresh ids, keeps internal connections only, and remaps them', () => {
    const g = chain('Input', 'Conv2D', 'MaxPool2D', 'Flatten', 'Classifier');
    const clip = copyBlocks(g, ['conv2d_1', 'maxpool2d_1']);
    expect(clip.edges.map((e) => `${e.source}>${e.target}`)).toEqual(['conv2d_1>maxpool2d_1']);
    const { graph, ids } = pasteClip(g, clip, { x: 0, y: 200 });
    expect(Object.fromEntries(ids)).toEqual({ conv2d_1: 'conv2d_2', maxpool2d_1: 'maxpool2d_2' });
    expect(pairs(graph)).toContain('conv2d_2>maxpool2d_2');
    expect(graph.edges.filter((e) => e.source === 'conv2d_2' || e.target === 'conv2d_2').length).toBe(1);
    expect(new Set(graph.edges.map((e) => e.id)).size).toBe(graph.edges.length);
    expect(graph.blocks.find((b) => b.id === 'conv2d_2')!.position).toEqual({ x: 230, y: 200 });
    // Pasting twice never reuses an id; the clip itself is not changed by edits.
    const twice = pasteClip(graph, clip).graph;
    expect(new Set(twice.blocks.map((b) => b.id)).size).toBe(twice.blocks.length);
    expect(clip.blocks[0].id).toBe('conv2d_1');
  });

  it('duplicates a unit with its blocks', () => {
    let g = chain('Input', 'Conv2D', 'Conv2D', 'Flatten', 'Classifier');
    g = must(makeUnit(g, ['conv2d_1', 'conv2d_2'], 'Pair', 2)).graph;
    const d = duplicateBlocks(g, ['conv2d_1', 'conv2d_2']).graph;
    expect(d.units!.map((u) => u.blockIds)).toEqual([['conv2d_1', 'conv2d_2'], ['conv2d_3', 'conv2d_4']]);
  });
});

describe('units', () => {
  const base = () => chain('Input', 'Conv2D', 'Conv2D', 'MaxPool2D', 'Flatten', 'Classifier');

  it('needs one way in and one way out', () => {
    const g = base();
    expect(unitBoundary(g, ['conv2d_1', 'conv2d_2', 'maxpool2d_1'])).toEqual({ entry: 'conv2d_1', exit: 'maxpool2d_1' });
    expect(unitBoundary(g, ['input_1', 'conv2d_1'])).toHaveProperty('error');
    expect(makeUnit(g, [], 'x')).toHaveProperty('error');
  });

  it('expands a repeated unit into copies in a row for analysis, and collapses back to one', () => {
    let g = must(makeUnit(base(), ['conv2d_1', 'conv2d_2', 'maxpool2d_1'], 'VGG block', 3)).graph;
    const { graph: x, origin, lastExit } = expandUnitsDetailed(g);
    expect(x.units).toBeUndefined();
    expect(x.blocks.length).toBe(6 + 2 * 3);
    expect(origin.get('conv2d_2_r3')).toBe('conv2d_2');
    expect(lastExit.get('maxpool2d_1')).toBe('maxpool2d_1_r3');
    expect(pairs(x)).toEqual(expect.arrayContaining(['maxpool2d_1>conv2d_1_r2', 'maxpool2d_1_r2>conv2d_1_r3', 'maxpool2d_1_r3>flatten_1']));
    expect(pairs(x)).not.toContain('maxpool2d_1>flatten_1');
    const a = analyze(x);
    expect(a.ok).toBe(true);
    expect(a.blocks.maxpool2d_1_r3.shape).toEqual([3, 3, 8]); // 28 → 14 → 7 → 3
    // Collapsing only changes the drawing; repeat 1 = the graph as drawn.
    g = updateUnit(g, 'unit_1', { collapsed: true });
    expect(expandUnits(g).blocks.length).toBe(12);
    expect(expandUnits(updateUnit(g, 'unit_1', { repeat: 1 })).blocks.length).toBe(6);
    expect(updateUnit(g, 'unit_1', { repeat: 1000 }).units![0].repeat).toBe(32);
  });

  it('ungroups (blocks stay), and deleting blocks prunes the unit', () => {
    const g = must(makeUnit(base(), ['conv2d_1', 'conv2d_2'], 'Pair', 2)).graph;
    const u = ungroup(g, 'unit_1');
    expect(u.units).toBeUndefined();
    expect(u.blocks).toBe(g.blocks);
    expect(removeBlocks(g, ['conv2d_1']).units![0].blockIds).toEqual(['conv2d_2']);
    expect(removeBlocks(g, ['conv2d_1', 'conv2d_2']).units).toBeUndefined();
  });

  it('the VGG template is built from a unit repeated twice', () => {
    const t = instantiate(templateById('vgg-unit')!);
    expect(t.units).toEqual([expect.objectContaining({ name: 'VGG block', repeat: 2 })]);
    expect(analyze(expandUnits(t)).blocks.flatten_1.shape).toEqual([7 * 7 * 32]);
  });
});

describe('auto-layout', () => {
  it('lays a branching graph out left to right without overlaps', () => {
    const t = instantiate(templateById('small-resnet')!);
    const piled: Graph = { ...t, blocks: t.blocks.map((b) => ({ ...b, position: { x: 0, y: 0 } })) };
    const g = autoLayout(piled);
    expect(overlapping(g)).toEqual([]);
    const x = new Map(g.blocks.map((b) => [b.id, b.position.x]));
    for (const e of g.edges) expect(x.get(e.target)!).toBeGreaterThan(x.get(e.source)!);
    expect(g.edges).toBe(piled.edges);
  });
});
