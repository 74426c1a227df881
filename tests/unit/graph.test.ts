import { describe, expect, it } from 'vitest';
import { analyze, issuesOf } from '../../renderer/src/core/graph/analyze';
import { BLOCK_LIST, BLOCKS, checkParam, resolveParams } from '../../renderer/src/core/graph/catalog';
import { addBlock, connect, emptyGraph, removeBlocks, setParam } from '../../renderer/src/core/graph/edit';
import { TEMPLATES, instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { expandUnits } from '../../renderer/src/core/graph/units';
import type { BlockType, Graph, Params } from '../../renderer/src/core/graph/types';

/** Builds a chain graph quickly: [type, params][] connected in order. */
function chain(...steps: [BlockType, Params?][]): Graph {
  let g = emptyGraph();
  let prev: string | undefined;
  for (const [type, params] of steps) {
    const r = addBlock(g, type, { x: 0, y: 0 }, params);
    g = r.graph;
    if (prev) {
      const c = connect(g, prev, r.block.id);
      if ('error' in c) throw new Error(c.error);
      g = c.graph;
    }
    prev = r.block.id;
  }
  return g;
}

function connectOrThrow(g: Graph, a: string, b: string): Graph {
  const c = connect(g, a, b);
  if ('error' in c) throw new Error(c.error);
  return c.graph;
}

describe('catalog', () => {
  it('covers every block of the product card with typed, documented parameters', () => {
    const types = BLOCK_LIST.map((d) => d.type).sort();
    expect(types).toEqual(
      ['Activation', 'Add', 'AvgPool2D', 'BatchNorm', 'Classifier', 'Concatenate', 'Conv2D', 'Dense', 'Dropout', 'Flatten', 'Input', 'L2Pool2D', 'LocalContrastNorm', 'MaxPool2D', 'Upsample2D', 'Reconstruction'].sort(),
    );
    for (const def of BLOCK_LIST) {
      expect(def.description.length).toBeGreaterThan(10);
      for (const spec of def.params) {
        expect(spec.help.length, `${def.type}.${spec.key} help`).toBeGreaterThan(5);
        expect(checkParam(spec, spec.default), `${def.type}.${spec.key} default`).toBeUndefined();
        if (spec.kind === 'int' || spec.kind === 'float') {
          expect(spec.min).toBeDefined();
          expect(spec.max).toBeDefined();
        }
      }
    }
  });

  it('checks parameter values against their specs', () => {
    const filters = BLOCKS.Conv2D.params.find((p) => p.key === 'filters')!;
    expect(checkParam(filters, 0)).toMatch(/at least 1/);
    expect(checkParam(filters, 2.5)).toMatch(/whole number/);
    expect(checkParam(filters, 'x')).toMatch(/number/);
    const padding = BLOCKS.Conv2D.params.find((p) => p.key === 'padding')!;
    expect(checkParam(padding, 'full')).toMatch(/one of same, valid/);
    expect(resolveParams({ type: 'Conv2D', params: { filters: 3 } })).toMatchObject({ filters: 3, kernelSize: 5, padding: 'same', useBias: true });
  });

  it('counts Conv2D parameters as Keras does (5×5, 1→8 with bias = 208)', () => {
    const g = chain(['Input', { height: 28, width: 28, channels: 1 }], ['Conv2D', { filters: 8, kernelSize: 5 }]);
    const a = analyze(g);
    expect(a.blocks.conv2d_1).toEqual({ shape: [28, 28, 8], params: 208 });
    const noBias = analyze(setParam(g, 'conv2d_1', 'useBias', false));
    expect(noBias.blocks.conv2d_1.params).toBe(200);
  });

  it('computes valid/same output sizes with strides', () => {
    const g = chain(['Input', { height: 28, width: 27, channels: 3 }], ['Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'valid' }], ['MaxPool2D', { poolSize: 2, stride: 2, padding: 'same' }], ['BatchNorm']);
    const a = analyze(g);
    expect(a.blocks.conv2d_1.shape).toEqual([13, 13, 4]);
    expect(a.blocks.conv2d_1.params).toBe(3 * 3 * 3 * 4 + 4);
    expect(a.blocks.maxpool2d_1.shape).toEqual([7, 7, 4]);
    expect(a.blocks.batchnorm_1.params).toBe(16);
  });
});

describe('templates match hand-computed Keras numbers', () => {
  const expected: Record<string, { shapes: Record<string, number[]>; params: Record<string, number>; total: number }> = {
    'logistic-regression': { shapes: { flatten_1: [784], classifier_1: [10] }, params: { classifier_1: 7850 }, total: 7850 },
    'convnetjs-mnist': {
      shapes: { input_1: [24, 24, 1], conv2d_1: [24, 24, 8], maxpool2d_1: [12, 12, 8], conv2d_2: [12, 12, 16], maxpool2d_2: [4, 4, 16], flatten_1: [256], classifier_1: [10] },
      params: { conv2d_1: 208, conv2d_2: 3216, classifier_1: 2570 },
      total: 5994,
    },
    'lenet-5': {
      shapes: { conv2d_1: [28, 28, 6], avgpool2d_1: [14, 14, 6], conv2d_2: [10, 10, 16], avgpool2d_2: [5, 5, 16], flatten_1: [400], dense_1: [120], dense_2: [84], classifier_1: [10] },
      params: { conv2d_1: 156, conv2d_2: 2416, dense_1: 48120, dense_2: 10164, classifier_1: 850 },
      total: 61706,
    },
    'small-alexnet-lcn': {
      shapes: { conv2d_1: [28, 28, 32], localcontrastnorm_1: [28, 28, 32], maxpool2d_1: [14, 14, 32], conv2d_2: [14, 14, 64], maxpool2d_2: [7, 7, 64], flatten_1: [3136], dense_1: [256] },
      params: { conv2d_1: 832, conv2d_2: 51264, dense_1: 803072, classifier_1: 2570 },
      total: 857738,
    },
    // 3·3·1·16+16 = 160; 3·3·16·16+16 = 2320 (twice); Add, ReLU: 0; 14·14·16 = 3136 → 3136·10+10 = 31370.
    'small-resnet': {
      shapes: { conv2d_1: [28, 28, 16], conv2d_3: [28, 28, 16], add_1: [28, 28, 16], maxpool2d_1: [14, 14, 16], flatten_1: [3136], classifier_1: [10] },
      params: { conv2d_1: 160, conv2d_2: 2320, conv2d_3: 2320, add_1: 0, classifier_1: 31370 },
      total: 36170,
    },
    // The unit runs twice: 320 + 9248, then its copy 9248 + 9248; 7·7·32 = 1568 → 1568·128+128 = 200832; 128·10+10 = 1290.
    'vgg-unit': {
      shapes: { maxpool2d_1: [14, 14, 32], maxpool2d_1_r2: [7, 7, 32], flatten_1: [1568], dense_1: [128] },
      params: { conv2d_1: 320, conv2d_2: 9248, conv2d_1_r2: 9248, conv2d_2_r2: 9248, dense_1: 200832, classifier_1: 1290 },
      total: 230186,
    },
    // 160, 2320 (stride 2 → 14×14), 4640, 9248 (→ 7×7), 1×1: 32·10+10 = 330, global 7×7 average → 10 → 10·10+10 = 110.
    'all-conv': {
      shapes: { conv2d_2: [14, 14, 16], conv2d_4: [7, 7, 32], conv2d_5: [7, 7, 10], avgpool2d_1: [1, 1, 10], flatten_1: [10] },
      params: { conv2d_1: 160, conv2d_2: 2320, conv2d_3: 4640, conv2d_4: 9248, conv2d_5: 330, classifier_1: 110 },
      total: 16808,
    },
  };
  for (const t of TEMPLATES) {
    it(t.name, () => {
      const e = expected[t.id];
      expect(e, `expected numbers for ${t.id}`).toBeDefined();
      const a = analyze(expandUnits(instantiate(t)));
      expect(a.issues).toEqual([]);
      expect(a.ok).toBe(true);
      for (const [id, shape] of Object.entries(e.shapes)) expect(a.blocks[id].shape, id).toEqual(shape);
      for (const [id, n] of Object.entries(e.params)) expect(a.blocks[id].params, id).toBe(n);
      expect(a.totalParams).toBe(e.total);
    });
  }

  it('instantiate returns a copy', () => {
    const t = templateById('lenet-5')!;
    const g = instantiate(t);
    g.blocks[0].params.height = 5;
    expect(t.graph.blocks[0].params.height).toBe(28);
  });
});

describe('validation', () => {
  const codes = (g: Graph, blockId?: string) => analyze(g).issues.filter((i) => blockId === undefined || i.blockId === blockId).map((i) => i.code);

  it('reports a graph without input or classifier', () => {
    const a = analyze(emptyGraph());
    expect(a.ok).toBe(false);
    expect(a.issues.map((i) => i.code)).toEqual(['no-input', 'no-classifier']);
    expect(a.issues[0].hint).toMatch(/Input block/);
  });

  it('puts "Dense fed a 3-D tensor" on the Dense block with a Flatten hint', () => {
    const g = chain(['Input'], ['Conv2D'], ['Dense'], ['Classifier']);
    const [issue] = issuesOf(analyze(g), 'dense_1');
    expect(issue.code).toBe('shape');
    expect(issue.message).toBe('Dense needs a vector input but gets a 3-D tensor 28×28×8.');
    expect(issue.hint).toMatch(/Flatten/);
    // Downstream blocks get no shape but no duplicate error either.
    expect(codes(g, 'classifier_1')).toEqual([]);
  });

  it('reports Add of unequal shapes and Concatenate of unequal sizes', () => {
    let g = chain(['Input'], ['Conv2D', { filters: 4 }]);
    g = addBlock(g, 'Conv2D', { x: 0, y: 0 }, { filters: 8 }).graph;
    g = addBlock(g, 'Add', { x: 0, y: 0 }).graph;
    g = connectOrThrow(g, 'input_1', 'conv2d_2');
    g = connectOrThrow(g, 'conv2d_1', 'add_1');
    g = connectOrThrow(g, 'conv2d_2', 'add_1');
    expect(issuesOf(analyze(g), 'add_1')[0].message).toBe('Add needs equal shapes but gets 28×28×4 and 28×28×8.');
    g = setParam(g, 'conv2d_2', 'filters', 4);
    expect(analyze(g).blocks.add_1.shape).toEqual([28, 28, 4]);

    let c = chain(['Input'], ['Conv2D', { filters: 4 }]);
    c = addBlock(c, 'MaxPool2D', { x: 0, y: 0 }).graph;
    c = addBlock(c, 'Concatenate', { x: 0, y: 0 }).graph;
    c = connectOrThrow(c, 'input_1', 'maxpool2d_1');
    c = connectOrThrow(c, 'conv2d_1', 'concatenate_1');
    c = connectOrThrow(c, 'maxpool2d_1', 'concatenate_1');
    expect(issuesOf(analyze(c), 'concatenate_1')[0].message).toMatch(/differ only in channels.*28×28×4 and 14×14×1/);
    c = setParam(c, 'maxpool2d_1', 'stride', 1);
    c = setParam(c, 'maxpool2d_1', 'padding', 'same');
    expect(analyze(c).blocks.concatenate_1.shape).toEqual([28, 28, 5]);
  });

  it('reports a kernel larger than its input', () => {
    const g = chain(['Input', { height: 4, width: 4 }], ['Conv2D', { kernelSize: 5, padding: 'valid' }], ['Flatten'], ['Classifier']);
    const [issue] = issuesOf(analyze(g), 'conv2d_1');
    expect(issue.message).toBe('Conv2D window 5×5 is larger than its 4×4 input.');
  });

  it('reports invalid parameters on the block', () => {
    const g = setParam(chain(['Input'], ['Conv2D'], ['Flatten'], ['Classifier']), 'conv2d_1', 'filters', -3);
    const [issue] = issuesOf(analyze(g), 'conv2d_1');
    expect(issue).toMatchObject({ code: 'bad-param', message: 'Filters must be at least 1.' });
    const lcn = setParam(chain(['Input'], ['LocalContrastNorm'], ['Flatten'], ['Classifier']), 'localcontrastnorm_1', 'kernelSize', 8);
    expect(issuesOf(analyze(lcn), 'localcontrastnorm_1')[0].message).toMatch(/odd/);
  });

  it('reports unconnected blocks and unused outputs', () => {
    let g = chain(['Input'], ['Flatten'], ['Classifier']);
    g = addBlock(g, 'Dense', { x: 0, y: 0 }).graph;
    expect(codes(g, 'dense_1')).toEqual(['missing-input']);
    g = connectOrThrow(g, 'flatten_1', 'dense_1');
    const issues = issuesOf(analyze(g), 'dense_1');
    expect(issues.map((i) => [i.code, i.severity])).toEqual([['unconnected', 'warning']]);
    expect(analyze(g).ok).toBe(true);
  });

  it('reports cycles on the blocks of the loop only; blocks after it are told their input comes through one', () => {
    const g = chain(['Input'], ['Add'], ['Conv2D'], ['Flatten'], ['Classifier']);
    // connect() refuses loops, so build one by hand as a corrupted file would.
    const looped: Graph = { ...g, edges: [...g.edges, { id: 'e_loop', source: 'conv2d_1', target: 'add_1' }] };
    const a = analyze(looped);
    expect(a.ok).toBe(false);
    expect(a.issues.filter((i) => i.code === 'cycle').map((i) => i.blockId).sort()).toEqual(['add_1', 'conv2d_1']);
    expect(a.issues.filter((i) => i.code === 'unreachable').map((i) => [i.blockId, i.severity]).sort()).toEqual([['classifier_1', 'warning'], ['flatten_1', 'warning']]);
    expect(a.order).toEqual([]);
  });

  it('reports a Conv2D after Flatten and too much pooling', () => {
    const g = chain(['Input'], ['Flatten'], ['Conv2D'], ['Classifier']);
    expect(issuesOf(analyze(g), 'conv2d_1')[0].message).toMatch(/needs an image input/);
    const tiny = chain(['Input', { height: 2, width: 2 }], ['MaxPool2D', { poolSize: 3, stride: 3 }], ['Flatten'], ['Classifier']);
    expect(issuesOf(analyze(tiny), 'maxpool2d_1')[0].message).toMatch(/larger than its 2×2 input/);
  });
});

describe('edits', () => {
  it('refuses self-loops, duplicates, loops and a second input into a single-input block', () => {
    const g = chain(['Input'], ['Conv2D'], ['Conv2D']);
    expect(connect(g, 'conv2d_1', 'conv2d_1')).toEqual({ error: 'A block cannot feed itself.' });
    expect(connect(g, 'input_1', 'conv2d_1')).toHaveProperty('error', 'These blocks are already connected.');
    expect(connect(g, 'conv2d_2', 'input_1')).toHaveProperty('error', 'The Input block cannot receive connections.');
    expect((connect(g, 'input_1', 'conv2d_2') as { error: string }).error).toMatch(/takes one input/);
    const add = chain(['Input'], ['Add'], ['Conv2D']);
    expect(connect(add, 'conv2d_1', 'add_1')).toHaveProperty('error', 'That connection would make a loop.');
  });

  it('removing a block removes its connections and never mutates the input', () => {
    const g = chain(['Input'], ['Conv2D'], ['Flatten']);
    const before = JSON.stringify(g);
    const h = removeBlocks(g, ['conv2d_1']);
    expect(h.blocks.map((b) => b.id)).toEqual(['input_1', 'flatten_1']);
    expect(h.edges).toEqual([]);
    expect(JSON.stringify(g)).toBe(before);
  });

  it('numbers new blocks by the first free id', () => {
    let g = chain(['Input'], ['Conv2D'], ['Conv2D']);
    g = removeBlocks(g, ['conv2d_1']);
    expect(addBlock(g, 'Conv2D', { x: 0, y: 0 }).block.id).toBe('conv2d_1');
  });
});
