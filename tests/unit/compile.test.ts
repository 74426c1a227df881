import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError, type CompiledModel } from '../../renderer/src/core/compile/compiler';
import { SameAvgPool2D } from '../../renderer/src/core/compile/layers/avgpool';
import { L2Pool2D } from '../../renderer/src/core/compile/layers/l2pool';
import { LocalContrastNorm } from '../../renderer/src/core/compile/layers/lcn';
import { analyze } from '../../renderer/src/core/graph/analyze';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import type { BlockType, Graph, Params } from '../../renderer/src/core/graph/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type B = [id: string, type: BlockType, params?: Params];

/** A graph from blocks and [source, target] edges (edge order = input order). */
function graph(blocks: B[], edges: [string, string][]): Graph {
  return {
    version: 1,
    blocks: blocks.map(([id, type, params = {}]) => ({ id, type, params, position: { x: 0, y: 0 } })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
  };
}

/** A straight chain. */
function chain(...blocks: B[]): Graph {
  return graph(blocks, blocks.slice(1).map((b, i) => [blocks[i][0], b[0]]));
}

const IMG = (h: number, w: number, c: number): Params => ({ kind: 'image', height: h, width: w, channels: c });

function withModel(g: Graph, check: (c: CompiledModel) => void): void {
  const compiled = compile(g);
  try {
    check(compiled);
  } finally {
    compiled.model.dispose();
  }
}

describe('compile', () => {
  it('honours a strided conv: its config, and output shapes equal to analyze()', () => {
    const g = chain(
      ['in', 'Input', IMG(15, 15, 1)],
      ['conv1', 'Conv2D', { filters: 3, kernelSize: 3, stride: 2, padding: 'same' }],
      ['conv2', 'Conv2D', { filters: 2, kernelSize: 3, stride: 2, padding: 'valid' }],
      ['flat', 'Flatten'],
      ['out', 'Classifier', { classes: 10 }],
    );
    withModel(g, ({ model }) => {
      expect(model.getLayer('conv1').getConfig()).toMatchObject({ strides: [2, 2] });
      expect(model.getLayer('conv2').getConfig()).toMatchObject({ strides: [2, 2] });
      const a = analyze(g);
      // 15 → ceil(15/2) = 8 ('same'), then floor((8-3)/2)+1 = 3 ('valid').
      expect(model.getLayer('conv1').outputShape).toEqual([null, ...a.blocks.conv1.shape!]);
      expect(model.getLayer('conv2').outputShape).toEqual([null, 3, 3, 2]);
      expect(a.blocks.conv2.shape).toEqual([3, 3, 2]);
    });
  });

  it('compiles a chain: names, output shape, parameter counts', () => {
    const g = chain(
      ['in', 'Input', IMG(8, 8, 1)],
      ['conv1', 'Conv2D', { filters: 4, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu', initializer: 'heNormal', useBias: true }],
      ['pool1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
      ['flat', 'Flatten'],
      ['fc1', 'Dense', { units: 16, activation: 'tanh', initializer: 'glorotNormal', useBias: true }],
      ['drop', 'Dropout', { rate: 0.25 }],
      ['out', 'Classifier', { classes: 10 }],
    );
    withModel(g, ({ model, inputBlockId, classifierBlockId, inputShape, classes, convBlockIds }) => {
      expect(model.outputs[0].shape).toEqual([null, 10]);
      expect(model.inputs[0].shape).toEqual([null, 8, 8, 1]);
      expect(model.layers.map((l) => l.name)).toEqual(['in', 'conv1', 'pool1', 'flat', 'fc1', 'drop', 'out']);
      for (const b of g.blocks) expect(model.getLayer(b.id).name).toBe(b.id);
      expect({ inputBlockId, classifierBlockId, inputShape, classes, convBlockIds }).toEqual({
        inputBlockId: 'in', classifierBlockId: 'out', inputShape: [8, 8, 1], classes: 10, convBlockIds: ['conv1'],
      });
      // conv 3·3·1·4 + 4 = 40; 4×4×4 = 64 after pooling; dense 64·16 + 16 = 1040; classifier 16·10 + 10 = 170.
      expect(model.getLayer('conv1').countParams()).toBe(40);
      expect(model.getLayer('fc1').countParams()).toBe(1040);
      expect(model.getLayer('out').countParams()).toBe(170);
      expect(model.countParams()).toBe(1250);
      expect(model.countParams()).toBe(analyze(g).totalParams);

      const conv = model.getLayer('conv1').getConfig();
      expect(conv).toMatchObject({ filters: 4, kernelSize: [3, 3], strides: [1, 1], padding: 'same', activation: 'relu', useBias: true });
      // tfjs stores the named initializers as VarianceScaling: He = scale 2, fan in.
      expect(conv.kernelInitializer).toMatchObject({ config: { scale: 2, mode: 'fanIn', distribution: 'normal' } });
      const fc = model.getLayer('fc1').getConfig();
      expect(fc).toMatchObject({ units: 16, activation: 'tanh' });
      expect(fc.kernelInitializer).toMatchObject({ config: { scale: 1, mode: 'fanAvg', distribution: 'normal' } });
      expect(model.getLayer('out').getConfig()).toMatchObject({ units: 10, activation: 'softmax' });
      expect(model.getLayer('drop').getConfig()).toMatchObject({ rate: 0.25 });

      const p = tf.tidy(() => model.predict(tf.randomUniform([2, 8, 8, 1])) as tf.Tensor);
      expect(p.shape).toEqual([2, 10]);
      const rows = p.sum(-1).dataSync();
      p.dispose();
      for (const r of rows) expect(r).toBeCloseTo(1, 5);
    });
  });

  it('fills catalog defaults for missing params and honours useBias = false', () => {
    const g = chain(['x', 'Input', IMG(6, 6, 2)], ['c', 'Conv2D', { filters: 3, useBias: false }], ['f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]);
    withModel(g, ({ model }) => {
      // Default kernel 5, 'same' padding: 5·5·2·3 = 150 weights, no bias; 6·6·3·2 + 2 = 218.
      expect(model.getLayer('c').countParams()).toBe(150);
      expect(model.countParams()).toBe(150 + 218);
      expect(model.getLayer('c').getConfig()).toMatchObject({ kernelSize: [5, 5], padding: 'same', useBias: false });
    });
  });

  it('compiles a DAG with Add and Concatenate, inputs in edge order', () => {
    const conv = (filters: number): Params => ({ filters, kernelSize: 3, stride: 1, padding: 'same' });
    const g = graph(
      [
        ['img', 'Input', IMG(8, 8, 3)],
        ['convA', 'Conv2D', conv(4)],
        ['convB', 'Conv2D', conv(4)],
        ['res', 'Add'],
        ['side', 'Conv2D', conv(2)],
        ['cat', 'Concatenate'],
        ['l2', 'L2Pool2D', { poolSize: 3, stride: 2, padding: 'same' }],
        ['bn', 'BatchNorm'],
        ['act', 'Activation', { fn: 'tanh' }],
        ['flat', 'Flatten'],
        ['head', 'Classifier', { classes: 3 }],
      ],
      [
        ['img', 'convA'], ['convA', 'convB'], ['convA', 'res'], ['convB', 'res'],
        ['img', 'side'], ['side', 'cat'], ['res', 'cat'], // side first: its 2 channels come first
        ['cat', 'l2'], ['l2', 'bn'], ['bn', 'act'], ['act', 'flat'], ['flat', 'head'],
      ],
    );
    withModel(g, ({ model, convBlockIds }) => {
      expect(model.getLayer('res').outputShape).toEqual([null, 8, 8, 4]);
      expect(model.getLayer('cat').outputShape).toEqual([null, 8, 8, 6]);
      expect(model.getLayer('l2').outputShape).toEqual([null, 4, 4, 6]);
      expect(model.getLayer('l2')).toBeInstanceOf(L2Pool2D);
      expect(model.outputs[0].shape).toEqual([null, 3]);
      expect(model.getLayer('cat').inboundNodes[0].inboundLayers.map((l) => l.name)).toEqual(['side', 'res']);
      expect(model.getLayer('res').inboundNodes[0].inboundLayers.map((l) => l.name)).toEqual(['convA', 'convB']);
      expect(new Set(convBlockIds)).toEqual(new Set(['convA', 'convB', 'side']));
      expect(convBlockIds.indexOf('convA')).toBeLessThan(convBlockIds.indexOf('convB'));
      // convA 3·3·3·4+4 = 112, convB 3·3·4·4+4 = 148, side 3·3·3·2+2 = 56, BN 4·6 = 24, head 96·3+3 = 291.
      expect(model.countParams()).toBe(112 + 148 + 56 + 24 + 291);
      expect(model.countParams()).toBe(analyze(g).totalParams);
      const y = tf.tidy(() => (model.predict(tf.randomNormal([1, 8, 8, 3])) as tf.Tensor).dataSync());
      expect(Array.from(y).every(Number.isFinite)).toBe(true);
    });
  });

  it('uses the corrected layer for same-padded average pooling and the stock one for valid', () => {
    const g = graph(
      [
        ['x', 'Input', IMG(7, 7, 1)],
        ['lcn', 'LocalContrastNorm', { kernelSize: 5, sigma: 1.5 }],
        ['same', 'AvgPool2D', { poolSize: 3, stride: 2, padding: 'same' }],
        ['valid', 'AvgPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
        ['f', 'Flatten'],
        ['y', 'Classifier', { classes: 2 }],
      ],
      [['x', 'lcn'], ['lcn', 'same'], ['same', 'valid'], ['valid', 'f'], ['f', 'y']],
    );
    withModel(g, ({ model }) => {
      expect(model.getLayer('lcn')).toBeInstanceOf(LocalContrastNorm);
      expect(model.getLayer('same')).toBeInstanceOf(SameAvgPool2D);
      expect(model.getLayer('same').outputShape).toEqual([null, 4, 4, 1]);
      expect(model.getLayer('valid').getClassName()).toBe('AveragePooling2D');
      expect(model.getLayer('valid').outputShape).toEqual([null, 2, 2, 1]);
    });
  });

  it('gives finite, non-zero gradients to every trainable weight through the custom layers', () => {
    const g = chain(
      ['x', 'Input', IMG(8, 8, 1)],
      ['c1', 'Conv2D', { filters: 2, kernelSize: 3 }],
      ['lcn', 'LocalContrastNorm', { kernelSize: 3, sigma: 1 }],
      ['l2', 'L2Pool2D', { poolSize: 3, stride: 2, padding: 'same' }],
      ['avg', 'AvgPool2D', { poolSize: 2, stride: 2, padding: 'same' }],
      ['f', 'Flatten'],
      ['y', 'Classifier', { classes: 3 }],
    );
    withModel(g, ({ model }) => {
      let norms: Record<string, number> = {};
      tf.tidy(() => {
        const xs = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 5);
        const ys = tf.oneHot([0, 2], 3).toFloat();
        const { grads } = tf.variableGrads(() => {
          const p = model.apply(xs, { training: true }) as tf.Tensor;
          return tf.losses.softmaxCrossEntropy(ys, tf.log(p)) as tf.Scalar;
        });
        norms = Object.fromEntries(Object.entries(grads).map(([name, t]) => [name, t.norm().dataSync()[0]]));
      });
      // tfjs makes variable names unique per session (y/kernel_2, ...): match the prefixes.
      expect(Object.keys(norms).map((n) => n.replace(/_\d+$/, '')).sort()).toEqual(['c1/bias', 'c1/kernel', 'y/bias', 'y/kernel']);
      for (const [name, n] of Object.entries(norms)) {
        expect(Number.isFinite(n), name).toBe(true);
        expect(n, name).toBeGreaterThan(0);
      }
    });
  });

  it('leaves blocks whose output is unused out of the model', () => {
    const g = graph(
      [['x', 'Input', IMG(4, 4, 1)], ['dead', 'Conv2D', { filters: 2, kernelSize: 3 }], ['f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]],
      [['x', 'dead'], ['x', 'f'], ['f', 'y']],
    );
    expect(analyze(g).ok).toBe(true);
    withModel(g, ({ model, convBlockIds }) => {
      expect(model.layers.map((l) => l.name)).toEqual(['x', 'f', 'y']);
      expect(convBlockIds).toEqual([]);
    });
  });

  it('compiles a vector input network', () => {
    const g = chain(['v', 'Input', { kind: 'vector', length: 5 }], ['h', 'Dense', { units: 3 }], ['o', 'Classifier', { classes: 2 }]);
    withModel(g, ({ model, inputShape }) => {
      expect(inputShape).toEqual([5]);
      expect(model.countParams()).toBe(5 * 3 + 3 + 3 * 2 + 2);
    });
  });

  it('throws CompileError with the block id for a bad graph', () => {
    const tooBig = chain(['x', 'Input', IMG(8, 8, 1)], ['big', 'Conv2D', { kernelSize: 9, padding: 'valid' }], ['f', 'Flatten'], ['y', 'Classifier']);
    const err = (() => {
      try {
        compile(tooBig);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).blockId).toBe('big');
    expect((err as CompileError).message).toMatch(/larger than/);

    const unknown = chain(['x', 'Input', IMG(4, 4, 1)], ['weird', 'Pixelate' as BlockType], ['y', 'Classifier']);
    expect(() => compile(unknown)).toThrow(CompileError);
    try {
      compile(unknown);
    } catch (e) {
      expect((e as CompileError).blockId).toBe('weird');
    }

    const headless = chain(['x', 'Input', IMG(4, 4, 1)], ['f', 'Flatten']);
    expect(() => compile(headless)).toThrow(CompileError);
  });

  it('rejects block ids that cannot be layer names', () => {
    const g = chain(['in put', 'Input', IMG(4, 4, 1)], ['f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]);
    expect(() => compile(g)).toThrow(expect.objectContaining({ name: 'CompileError', blockId: 'in put' }));
  });

  it('compiles every template with the parameter count analyze() predicts', () => {
    for (const t of TEMPLATES) {
      withModel(t.graph, ({ model, classes }) => {
        expect(model.countParams(), t.id).toBe(analyze(t.graph).totalParams);
        expect(model.outputs[0].shape, t.id).toEqual([null, classes]);
      });
    }
  });

  it('frees the layers already built when a later block fails to build', () => {
    const ok = chain(['x', 'Input', IMG(6, 6, 1)], ['c', 'Conv2D', { filters: 2, kernelSize: 3 }], ['f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]);
    withModel(ok, () => {}); // warm up tfjs' one-off tensors
    const before = tf.memory().numTensors;
    // "f f" is no valid layer name: Flatten fails after the Conv2D made its weights.
    const bad = chain(['x', 'Input', IMG(6, 6, 1)], ['c', 'Conv2D', { filters: 2, kernelSize: 3 }], ['f f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]);
    expect(() => compile(bad)).toThrow(expect.objectContaining({ name: 'CompileError', blockId: 'f f' }));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('seeds the initializers: the same seed gives the same weights, another seed others', () => {
    const graph = structuredClone(TEMPLATES.find((t) => t.id === 'lenet-5')!.graph);
    const weights = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));
    const [a, b, c, d] = [compile(graph, { seed: 7 }), compile(graph, { seed: 7 }), compile(graph, { seed: 8 }), compile(graph)];
    expect(weights(a.model)).toEqual(weights(b.model));
    expect(weights(a.model)[0]).not.toEqual(weights(c.model)[0]);
    // Each layer has its own seed: the first 25 values of LeNet's two 5×5 conv kernels differ.
    expect(weights(a.model)[0].slice(0, 25)).not.toEqual(weights(a.model)[2].slice(0, 25));
    expect(weights(d.model)[0]).not.toEqual(weights(a.model)[0]);
    for (const x of [a, b, c, d]) x.model.dispose();
  });

  it('does not leak tensors across compile and dispose', () => {
    const g = chain(['x', 'Input', IMG(6, 6, 1)], ['c', 'Conv2D', { filters: 2, kernelSize: 3 }], ['f', 'Flatten'], ['y', 'Classifier', { classes: 2 }]);
    withModel(g, () => {}); // warm up tfjs' one-off tensors
    const before = tf.memory().numTensors;
    withModel(g, () => {});
    expect(tf.memory().numTensors).toBe(before);
  });
});
