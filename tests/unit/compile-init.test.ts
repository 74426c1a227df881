// Initializers per block: 'normal' with a chosen std and 'zeros' for Conv2D and Dense, seeded like the others.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { BLOCKS, resolveParams, visibleParams } from '../../renderer/src/core/graph/catalog';
import type { Graph, Params } from '../../renderer/src/core/graph/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function graph(conv: Params, dense: Params): Graph {
  const at = { x: 0, y: 0 };
  return {
    version: 1,
    blocks: [
      { id: 'input', type: 'Input', params: { kind: 'image', height: 12, width: 12, channels: 3 }, position: at },
      { id: 'conv', type: 'Conv2D', params: { filters: 64, kernelSize: 5, ...conv }, position: at },
      { id: 'flat', type: 'Flatten', params: {}, position: at },
      { id: 'fc', type: 'Dense', params: { units: 64, ...dense }, position: at },
      { id: 'head', type: 'Classifier', params: { classes: 10 }, position: at },
    ],
    edges: [['input', 'conv'], ['conv', 'flat'], ['flat', 'fc'], ['fc', 'head']].map(([source, target], i) => ({ id: `e${i}`, source, target })),
  };
}

function stats(t: tf.Tensor): { mean: number; std: number; maxAbs: number } {
  const v = Array.from(t.dataSync());
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  const std = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
  return { mean, std, maxAbs: v.reduce((a, b) => Math.max(a, Math.abs(b)), 0) };
}

const kernel = (m: tf.LayersModel, id: string) => m.getLayer(id).getWeights()[0];

describe('initializers', () => {
  it("'normal' draws kernels with the chosen std (conv 4,800 weights, dense 147,456)", () => {
    for (const seed of [undefined, 3]) {
      const { model } = compile(graph({ initializer: 'normal', initStd: 0.2 }, { initializer: 'normal', initStd: 0.01 }), { seed });
      const c = stats(kernel(model, 'conv'));
      const d = stats(kernel(model, 'fc'));
      expect(c.std).toBeGreaterThan(0.2 * 0.95);
      expect(c.std).toBeLessThan(0.2 * 1.05);
      expect(Math.abs(c.mean)).toBeLessThan(0.02);
      expect(d.std).toBeGreaterThan(0.01 * 0.98);
      expect(d.std).toBeLessThan(0.01 * 1.02);
      model.dispose();
    }
  });

  it("'normal' differs from the default He / Glorot scale", () => {
    const { model } = compile(graph({}, {}), { seed: 1 });
    // He uniform for 5·5·3 = 75 inputs: std sqrt(2/75) ≈ 0.163; Glorot uniform dense: sqrt(2/(9216+64)) ≈ 0.0147.
    expect(stats(kernel(model, 'conv')).std).toBeCloseTo(Math.sqrt(2 / 75), 1);
    expect(stats(kernel(model, 'fc')).std).toBeCloseTo(Math.sqrt(2 / (12 * 12 * 64 + 64)), 2);
    model.dispose();
  });

  it("'zeros' starts every kernel weight at 0", () => {
    const { model } = compile(graph({ initializer: 'zeros' }, { initializer: 'zeros' }), { seed: 2 });
    expect(stats(kernel(model, 'conv')).maxAbs).toBe(0);
    expect(stats(kernel(model, 'fc')).maxAbs).toBe(0);
    model.dispose();
  });

  it("seeded 'normal' repeats with the same seed and changes with another", () => {
    const g = graph({ initializer: 'normal', initStd: 0.1 }, { initializer: 'normal', initStd: 0.1 });
    const a = compile(g, { seed: 5 }).model;
    const b = compile(g, { seed: 5 }).model;
    const c = compile(g, { seed: 6 }).model;
    expect(Array.from(kernel(b, 'conv').dataSync())).toEqual(Array.from(kernel(a, 'conv').dataSync()));
    expect(Array.from(kernel(b, 'fc').dataSync())).toEqual(Array.from(kernel(a, 'fc').dataSync()));
    expect(Array.from(kernel(c, 'conv').dataSync())).not.toEqual(Array.from(kernel(a, 'conv').dataSync()));
    [a, b, c].forEach((m) => m.dispose());
  });

  it('the std is a parameter of Conv2D and Dense, shown only for the normal initializer', () => {
    for (const type of ['Conv2D', 'Dense'] as const) {
      const def = BLOCKS[type];
      expect(def.params.find((p) => p.key === 'initializer')?.options).toEqual(['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'normal', 'zeros']);
      expect(resolveParams({ type, params: {} }).initStd).toBe(0.05);
      const keys = (initializer: string) => visibleParams(def, resolveParams({ type, params: { initializer } })).map((p) => p.key);
      expect(keys('normal')).toContain('initStd');
      expect(keys('zeros')).not.toContain('initStd');
      expect(keys('heUniform')).not.toContain('initStd');
      expect(keys('heUniform')).toContain('initializer');
    }
    expect(visibleParams(BLOCKS.MaxPool2D, resolveParams({ type: 'MaxPool2D', params: {} }))).toEqual(BLOCKS.MaxPool2D.params);
  });
});
