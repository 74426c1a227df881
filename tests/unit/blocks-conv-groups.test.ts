// Conv2D's `groups`: shapes, parameters and multiply-adds divided by the groups, the error (with its
// fix) on the block when channels do not split, and the compiled model's own parameter count.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SPEC } from '../../renderer/src/core/blocks/index';
import { compile } from '../../renderer/src/core/compile/compiler';
import { analyze } from '../../renderer/src/core/graph/analyze';
import { multiplyAdds } from '../../renderer/src/core/graph/cost';
import type { Graph, Params } from '../../renderer/src/core/graph/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const conv = BLOCK_SPEC.Conv2D;
const params = (extra: Params): Params => ({ ...Object.fromEntries(conv.params.map((p) => [p.key, p.default])), ...extra });

function net(groups: number, filters = 8, channels = 4): Graph {
  return {
    version: 1,
    blocks: [
      { id: 'img', type: 'Input', params: { kind: 'image', height: 10, width: 10, channels }, position: { x: 0, y: 0 } },
      { id: 'g', type: 'Conv2D', params: { filters, kernelSize: 3, padding: 'same', groups }, position: { x: 0, y: 0 } },
      { id: 'flat', type: 'Flatten', params: {}, position: { x: 0, y: 0 } },
      { id: 'head', type: 'Classifier', params: { classes: 2 }, position: { x: 0, y: 0 } },
    ],
    edges: [['img', 'g'], ['g', 'flat'], ['flat', 'head']].map(([source, target], i) => ({ id: `e${i}`, source, target })),
  };
}

describe('Conv2D groups', () => {
  it('defaults to 1 (a dense conv), and old projects without the key count as 1', () => {
    expect(conv.params.find((p) => p.key === 'groups')?.default).toBe(1);
    const p = params({ filters: 8, kernelSize: 3 });
    delete p.groups;
    expect(conv.paramCount(p, [[10, 10, 4]], [10, 10, 8])).toBe(3 * 3 * 4 * 8 + 8);
  });

  it('keeps the output shape and divides kernel parameters and multiply-adds by the groups', () => {
    for (const g of [1, 2, 4]) {
      const p = params({ filters: 8, kernelSize: 3, stride: 2, padding: 'same', groups: g });
      const out = conv.shape(p, [[10, 10, 4]]);
      expect(out.shape).toEqual([5, 5, 8]);
      expect(conv.paramCount(p, [[10, 10, 4]], [5, 5, 8])).toBe((3 * 3 * 4 * 8) / g + 8);
      expect(conv.multiplyAdds(p, [[10, 10, 4]], [5, 5, 8])).toBe((5 * 5 * 3 * 3 * 4 * 8) / g);
    }
  });

  it('is an error on the block, with a fix-it, when filters or input channels do not split', () => {
    const bad = conv.shape(params({ filters: 6, kernelSize: 3, groups: 4 }), [[10, 10, 4]]);
    expect(bad.error).toMatch(/6 filters into 4 equal groups/);
    expect(bad.hint).toMatch(/divide both/);
    const badIn = conv.shape(params({ filters: 8, kernelSize: 3, groups: 2 }), [[10, 10, 3]]);
    expect(badIn.error).toMatch(/3 input channels/);
    const a = analyze(net(3, 6, 4));
    expect(a.ok).toBe(false);
    const issue = a.issues.find((i) => i.blockId === 'g');
    expect(issue?.severity).toBe('error');
    expect(issue?.hint).toMatch(/1, 2/);
    expect(conv.checkParams?.(params({ preset: 'sobel', kernelSize: 3, groups: 2 }))).toMatch(/cannot be grouped/);
  });

  it('the compiled model has exactly the parameters the analysis counts, and half a dense conv’s MACs at groups 2', () => {
    for (const g of [1, 2, 4]) {
      const graph = net(g);
      const a = analyze(graph);
      expect(a.ok).toBe(true);
      const { model } = compile(graph, { seed: 1 });
      expect(model.countParams()).toBe(a.totalParams);
      model.dispose();
    }
    expect(multiplyAdds(net(2)).perBlock.g * 2).toBe(multiplyAdds(net(1)).perBlock.g);
  });
});
