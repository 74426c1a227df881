// Multiply-adds and reachable parameters, against numbers worked out by hand for the templates.
import { describe, expect, it } from 'vitest';
import { analyze } from '../../renderer/src/core/graph/analyze';
import { blocksReachingOutput, multiplyAdds, reachableParams } from '../../renderer/src/core/graph/cost';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { Graph } from '../../renderer/src/core/graph/types';

const template = (id: string): Graph => instantiate(templateById(id)!);

describe('multiplyAdds on the templates', () => {
  it('logistic regression: 784 inputs × 10 classes', () => {
    const r = multiplyAdds(template('logistic-regression'));
    expect(r.perBlock).toEqual({ input_1: 0, flatten_1: 0, classifier_1: 7840 });
    expect(r.total).toBe(7840);
  });

  it('ConvNetJS MNIST', () => {
    const r = multiplyAdds(template('convnetjs-mnist'));
    expect(r.perBlock).toEqual({
      input_1: 0,
      conv2d_1: 115_200, //   24·24 outputs · 5·5 · 1 in · 8 filters
      maxpool2d_1: 4_608, //  12·12·8 outputs · 2·2 window
      conv2d_2: 460_800, //   12·12 · 5·5 · 8 in · 16 filters
      maxpool2d_2: 2_304, //  4·4·16 · 3·3
      flatten_1: 0,
      classifier_1: 2_560, // 256 · 10
    });
    expect(r.total).toBe(585_472);
  });

  it('LeNet-5', () => {
    const r = multiplyAdds(template('lenet-5'));
    expect(r.perBlock).toEqual({
      input_1: 0,
      conv2d_1: 117_600, //   28·28 ('same') · 5·5 · 1 · 6
      avgpool2d_1: 4_704, //  14·14·6 · 2·2
      conv2d_2: 240_000, //   10·10 ('valid') · 5·5 · 6 · 16
      avgpool2d_2: 1_600, //  5·5·16 · 2·2
      flatten_1: 0,
      dense_1: 48_000, //     400 · 120
      dense_2: 10_080, //     120 · 84
      classifier_1: 840, //   84 · 10
    });
    expect(r.total).toBe(422_824);
  });

  it('Small AlexNet with LCN', () => {
    const r = multiplyAdds(template('small-alexnet-lcn'));
    expect(r.perBlock).toEqual({
      input_1: 0,
      conv2d_1: 627_200, //             28·28 · 5·5 · 1 · 32
      localcontrastnorm_1: 103_488, //  28·28 · (2·(32 + 2·9) + 32)
      maxpool2d_1: 56_448, //           14·14·32 · 3·3
      conv2d_2: 10_035_200, //          14·14 · 5·5 · 32 · 64
      localcontrastnorm_2: 44_688, //   14·14 · (2·(64 + 18) + 64)
      maxpool2d_2: 28_224, //           7·7·64 · 3·3
      flatten_1: 0,
      dense_1: 802_816, //              3136 · 256
      dropout_1: 0,
      classifier_1: 2_560, //           256 · 10
    });
    expect(r.total).toBe(11_700_624);
  });
});

/** ConvNetJS with a dead branch (conv → dense that reaches nothing) and a BatchNorm on the way. */
function withBranch(): Graph {
  const g = template('convnetjs-mnist');
  const at = { x: 0, y: 0 };
  g.blocks.push(
    { id: 'bn_1', type: 'BatchNorm', params: {}, position: at },
    { id: 'dead_conv', type: 'Conv2D', params: { filters: 4, kernelSize: 3 }, position: at },
    { id: 'dead_flat', type: 'Flatten', params: {}, position: at },
    { id: 'dead_dense', type: 'Dense', params: { units: 50 }, position: at },
  );
  // conv2d_1 → bn_1 → maxpool2d_1 instead of conv2d_1 → maxpool2d_1.
  const e = g.edges.find((x) => x.source === 'conv2d_1' && x.target === 'maxpool2d_1')!;
  e.target = 'bn_1';
  g.edges.push(
    { id: 'e_bn', source: 'bn_1', target: 'maxpool2d_1' },
    { id: 'e_d1', source: 'maxpool2d_1', target: 'dead_conv' },
    { id: 'e_d2', source: 'dead_conv', target: 'dead_flat' },
    { id: 'e_d3', source: 'dead_flat', target: 'dead_dense' },
  );
  return g;
}

describe('only blocks that reach the classifier count', () => {
  it('a dead branch adds neither multiply-adds nor parameters; BatchNorm counts one per element', () => {
    const g = withBranch();
    expect(analyze(g).ok).toBe(true);
    expect([...blocksReachingOutput(g)].sort()).toEqual(['bn_1', 'classifier_1', 'conv2d_1', 'conv2d_2', 'flatten_1', 'input_1', 'maxpool2d_1', 'maxpool2d_2']);
    const r = multiplyAdds(g);
    expect(r.perBlock.bn_1).toBe(24 * 24 * 8);
    expect(r.perBlock).not.toHaveProperty('dead_conv');
    expect(r.perBlock).not.toHaveProperty('dead_dense');
    expect(r.total).toBe(585_472 + 24 * 24 * 8);
    // conv 5·5·1·8+8, conv 5·5·8·16+16, classifier 256·10+10, BatchNorm 4·8.
    expect(reachableParams(g)).toBe(208 + 3216 + 2570 + 32);
    // analyze() itself counts the dead branch too.
    expect(analyze(g).totalParams).toBeGreaterThan(reachableParams(g));
  });

  it('reachable parameters of the templates', () => {
    expect(reachableParams(template('logistic-regression'))).toBe(7850);
    expect(reachableParams(template('convnetjs-mnist'))).toBe(5994);
    // 156 + 2416 + 48120 + 10164 + 850
    expect(reachableParams(template('lenet-5'))).toBe(61_706);
  });

  it('no classifier: nothing reaches the output', () => {
    const g = template('logistic-regression');
    g.blocks = g.blocks.filter((b) => b.type !== 'Classifier');
    g.edges = g.edges.filter((e) => e.target !== 'classifier_1');
    expect(multiplyAdds(g)).toEqual({ total: 0, perBlock: {} });
    expect(reachableParams(g)).toBe(0);
  });
});
