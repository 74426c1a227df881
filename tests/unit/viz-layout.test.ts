import { describe, expect, it } from 'vitest';
import { chainOrder, wrapChain } from '../../renderer/src/core/viz/layout';
import { TEMPLATES, templateById } from '../../renderer/src/core/graph/templates';
import { addBlock, connect, emptyGraph } from '../../renderer/src/core/graph/edit';
import type { Graph } from '../../renderer/src/core/graph/types';

const lenet = (templateById('lenet-5') as (typeof TEMPLATES)[number]).graph;

describe('wrapChain', () => {
  it('wraps a 9-block chain into balanced rows in data-flow order', () => {
    const g = wrapChain(lenet, 4);
    const pos = new Map(g.blocks.map((b) => [b.id, b.position]));
    const order = chainOrder(g) as string[];
    expect(order[0]).toBe('input_1');
    // 9 blocks, at most 4 per row -> 3 rows of 3.
    const rows = order.map((id) => pos.get(id)!.y);
    expect(rows).toEqual([40, 40, 40, 190, 190, 190, 340, 340, 340]);
    expect(order.slice(0, 3).map((id) => pos.get(id)!.x)).toEqual([40, 270, 500]);
    expect(g.edges).toBe(lenet.edges);
  });

  it('leaves short chains and branching graphs alone', () => {
    const logreg = (templateById('logistic-regression') as (typeof TEMPLATES)[number]).graph;
    expect(wrapChain(logreg, 4)).toBe(logreg);
    let g: Graph = emptyGraph();
    const ids: string[] = [];
    for (const t of ['Input', 'Conv2D', 'Conv2D', 'Add', 'Flatten', 'Classifier'] as const) {
      const r = addBlock(g, t, { x: 0, y: 0 });
      g = r.graph;
      ids.push(r.block.id);
    }
    for (const [a, b] of [[0, 1], [0, 2], [1, 3], [2, 3], [3, 4], [4, 5]]) {
      const r = connect(g, ids[a], ids[b]);
      if ('graph' in r) g = r.graph;
    }
    expect(chainOrder(g)).toBeNull();
    expect(wrapChain(g, 2)).toBe(g);
  });
});
