import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { blockGeometry } from '../../renderer/src/core/blocks';
import { compile } from '../../renderer/src/core/compile/compiler';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import type { BlockType, Graph, Params } from '../../renderer/src/core/graph/types';
import { clipRect, receptiveFields, slideAxis, unitRect, type Field, type Rect } from '../../renderer/src/core/viz/receptive';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type B = [id: string, type: BlockType, params?: Params];
function graph(blocks: B[], edges: [string, string][]): Graph {
  return {
    version: 1,
    blocks: blocks.map(([id, type, params = {}]) => ({ id, type, params, position: { x: 0, y: 0 } })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
  };
}
const chain = (...blocks: B[]): Graph => graph(blocks, blocks.slice(1).map((b, i) => [blocks[i][0], b[0]]));
const IMG = (h: number, w: number, c = 1): Params => ({ kind: 'image', height: h, width: w, channels: c });
const conv = (k: number, s: number, padding: string, filters = 2): Params => ({ filters, kernelSize: k, stride: s, padding, activation: 'linear' });
const pool = (k: number, s: number, padding: string): Params => ({ poolSize: k, stride: s, padding });
const fieldOf = (g: Graph, id: string): Field => receptiveFields(g).get(id) as Field;

describe('receptive fields, hand-computed', () => {
  it('stride 2 with same padding: TF puts the odd pad cell at the end', () => {
    // 8 wide: out 4, total pad (4-1)*2+3-8 = 1 -> 0 before, so unit 0 is centred on pixel 1.
    const even = fieldOf(chain(['in', 'Input', IMG(8, 7)], ['c', 'Conv2D', conv(3, 2, 'same')]), 'c');
    expect(even.y).toEqual({ size: 3, jump: 2, start: 1 });
    // 7 wide: out 4, total pad 2 -> 1 before, unit 0 centred on pixel 0 and reaching out to -1.
    expect(even.x).toEqual({ size: 3, jump: 2, start: 0 });
    expect(unitRect(even, 0, 0)).toEqual({ x: -1, y: 0, width: 3, height: 3 });
    expect(unitRect(even, 3, 3)).toEqual({ x: 5, y: 6, width: 3, height: 3 });
    expect(clipRect(unitRect(even, 3, 3), 8, 7)).toEqual({ x: 5, y: 6, width: 2, height: 2 });
  });

  it('stride 2 with valid padding starts inside the image', () => {
    const f = fieldOf(chain(['in', 'Input', IMG(7, 7)], ['c', 'Conv2D', conv(3, 2, 'valid')]), 'c');
    expect(f.x).toEqual({ size: 3, jump: 2, start: 1 });
    expect(unitRect(f, 2, 1)).toEqual({ x: 2, y: 4, width: 3, height: 3 });
  });

  it('a stack of convs and pools (the ConvNetJS net)', () => {
    const g = TEMPLATES.find((t) => t.id === 'convnetjs-mnist')!.graph;
    const fields = receptiveFields(g);
    // conv5 same on 24: pad 2 -> size 5, jump 1, start 0.
    expect(fields.get('conv2d_1')!.x).toEqual({ size: 5, jump: 1, start: 0 });
    // pool 2/2: size 6, jump 2, start 0.5.
    expect(fields.get('maxpool2d_1')!.x).toEqual({ size: 6, jump: 2, start: 0.5 });
    // conv5 same on 12 (pad 2): size 6 + 4·2 = 14, start 0.5 + (2 - 2)·2.
    expect(fields.get('conv2d_2')!.x).toEqual({ size: 14, jump: 2, start: 0.5 });
    // pool 3/3: size 14 + 2·2 = 18, jump 6, start 0.5 + 1·2; unit 0 spans input -6..11.
    expect(fields.get('maxpool2d_2')!.x).toEqual({ size: 18, jump: 6, start: 2.5 });
    expect(unitRect(fields.get('maxpool2d_2')!, 0, 0)).toEqual({ x: -6, y: -6, width: 18, height: 18 });
    expect(fields.get('classifier_1')!.global).toBe(true);
    expect(unitRect(fields.get('classifier_1')!, 0, 0)).toEqual({ x: 0, y: 0, width: 24, height: 24 });
  });

  it('LCN widens the field by its window like a stride-1 same conv, scaled by the jump so far', () => {
    const g = chain(['in', 'Input', IMG(16, 16)], ['c', 'Conv2D', conv(3, 2, 'valid')], ['n', 'LocalContrastNorm', { kernelSize: 5, sigma: 1 }]);
    // The window is the catalog's (see the LCN gradient test below for what it should be).
    const k = blockGeometry({ type: 'LocalContrastNorm', params: { kernelSize: 5 } })!.kernel;
    // conv: size 3, jump 2, start 1; a stride-1 'same' window k keeps the centre: size 3 + (k − 1)·2.
    expect(fieldOf(g, 'n').x).toEqual({ size: 3 + (k - 1) * 2, jump: 2, start: 1 });
  });

  it('element-wise blocks pass the field through', () => {
    const g = chain(['in', 'Input', IMG(9, 9)], ['c', 'Conv2D', conv(3, 1, 'valid')], ['bn', 'BatchNorm'], ['a', 'Activation', { fn: 'relu' }], ['d', 'Dropout', { rate: 0.5 }]);
    const f = receptiveFields(g);
    for (const id of ['bn', 'a', 'd']) expect(f.get(id)).toEqual(f.get('c'));
  });

  it('Add / Concatenate take the union of their branches', () => {
    const g = graph(
      [['in', 'Input', IMG(10, 10)], ['a', 'Conv2D', conv(3, 1, 'same')], ['b', 'Conv2D', conv(5, 1, 'same')], ['s', 'Add'],
        ['p', 'MaxPool2D', pool(2, 2, 'valid')], ['q', 'Conv2D', conv(1, 2, 'valid')], ['cat', 'Concatenate']],
      [['in', 'a'], ['in', 'b'], ['a', 's'], ['b', 's'], ['in', 'p'], ['in', 'q'], ['p', 'cat'], ['q', 'cat']],
    );
    const f = receptiveFields(g);
    expect(f.get('s')!.x).toEqual({ size: 5, jump: 1, start: 0 });
    // pool 2/2 covers pixels 2i..2i+1, the 1×1 stride-2 conv pixel 2i: the union is the pool's.
    expect(f.get('cat')!.x).toEqual({ size: 2, jump: 2, start: 0.5 });
  });

  it('dilation widens the window to d(k−1)+1', () => {
    expect(slideAxis({ size: 1, jump: 1, start: 0 }, 10, 3, 1, 'valid', 2)).toEqual({ size: 5, jump: 1, start: 2 });
  });
});

// ---------------------------------------------------------------- empirical check

/** Bounding box of the non-zero entries of d(unit)/d(input), over `trials` random inputs. */
function gradientBox(g: Graph, id: string, y: number, x: number, trials: number): Rect | null {
  const compiled = compile(g, { seed: 3 });
  const model = compiled.model;
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(id).output as tf.SymbolicTensor });
  const [, h, w, c] = model.inputs[0].shape as number[];
  let box: { y0: number; x0: number; y1: number; x1: number } | null = null;
  try {
    for (let t = 0; t < trials; t++) {
      const grad = tf.tidy(() => {
        const input = tf.randomUniform([1, h, w, c], -1, 1, 'float32', 100 + t);
        return tf.grad((inp: tf.Tensor) => (sub.apply(inp) as tf.Tensor).slice([0, y, x, 0], [1, 1, 1, 1]).sum())(input);
      });
      const v = grad.dataSync();
      grad.dispose();
      for (let yy = 0; yy < h; yy++) {
        for (let xx = 0; xx < w; xx++) {
          let nz = false;
          for (let ch = 0; ch < c; ch++) if (v[(yy * w + xx) * c + ch] !== 0) nz = true;
          if (!nz) continue;
          box = box
            ? { y0: Math.min(box.y0, yy), x0: Math.min(box.x0, xx), y1: Math.max(box.y1, yy), x1: Math.max(box.x1, xx) }
            : { y0: yy, x0: xx, y1: yy, x1: xx };
        }
      }
    }
  } finally {
    model.dispose();
  }
  return box && { x: box.x0, y: box.y0, width: box.x1 - box.x0 + 1, height: box.y1 - box.y0 + 1 };
}

describe('receptive fields against the gradient of one unit', () => {
  // Two branches with different windows, strides and paddings, merged, then pooled; 13×11 so a
  // swapped axis shows. Max pooling routes the gradient to one cell per window: several random
  // inputs together light up the whole field.
  const g = graph(
    [
      ['in', 'Input', IMG(13, 11, 2)],
      ['c1', 'Conv2D', conv(3, 2, 'same')],
      ['p1', 'AvgPool2D', pool(2, 1, 'same')],
      ['c2', 'Conv2D', conv(3, 1, 'valid')],
      ['c3', 'Conv2D', conv(5, 2, 'same')],
      ['p2', 'L2Pool2D', pool(3, 1, 'valid')],
      ['s', 'Add'],
      ['m', 'MaxPool2D', pool(2, 2, 'same')],
      ['f', 'Flatten'],
      ['out', 'Classifier', { classes: 3 }],
    ],
    [['in', 'c1'], ['c1', 'p1'], ['p1', 'c2'], ['in', 'c3'], ['c3', 'p2'], ['c2', 's'], ['p2', 's'], ['s', 'm'], ['m', 'f'], ['f', 'out']],
  );
  const fields = receptiveFields(g);
  const cases: [string, number, number, number][] = [
    ['c1', 0, 0, 1], ['c1', 6, 5, 1], ['p1', 6, 5, 1], ['c2', 2, 1, 1], ['c3', 3, 0, 1], ['p2', 4, 3, 1],
    ['s', 0, 0, 1], ['s', 2, 2, 1], ['m', 0, 0, 24], ['m', 2, 1, 24],
  ];
  it.each(cases)('%s unit (%i, %i): non-zero gradient box = the computed field, clipped', (id, y, x, trials) => {
    const expected = clipRect(unitRect(fields.get(id)!, y, x), 13, 11);
    expect(gradientBox(g, id, y, x, trials)).toEqual(expected);
  });
});


describe('LCN against its gradient', () => {
  // y = v / max(σ, c) with v = x − mean_k(x) and σ² = mean_k(v²): σ at a pixel reads v over a k
  // window, and each v reads x over another, so one output sees 2k − 1 pixels (core/blocks/lcn.ts).
  it('one unit sees 2k − 1 pixels (k = 3: a 5×5 box)', () => {
    const g = chain(['in', 'Input', IMG(15, 15)], ['n', 'LocalContrastNorm', { kernelSize: 3, sigma: 1 }], ['f', 'Flatten'], ['out', 'Classifier', { classes: 2 }]);
    const box = gradientBox(g, 'n', 7, 7, 1);
    expect(box).toEqual({ x: 5, y: 5, width: 5, height: 5 });
    expect(clipRect(unitRect(receptiveFields(g).get('n')!, 7, 7), 15, 15)).toEqual(box);
  });
});
