// Batch normalisation over the last (channel) axis. At inference: (x − mean) / sqrt(var + ε) · γ + β.
// tfjs' momentum m (weight of the old statistics) is PyTorch's 1 − m.
import { float, noGeometry, num, size, type BlockSpec } from './spec';
import { ImportError } from './tfjs-import';

export const batchNorm: BlockSpec = {
  type: 'BatchNorm', label: 'Batch norm', category: 'Normalization', inputs: 1,
  description: 'Normalises each channel over the batch, then scales and shifts it (learned).',
  params: [
    float('momentum', 'Momentum', 0.99, 0, 0.9999, 0.01, 'How slowly the running mean and variance follow the batches.'),
    float('epsilon', 'Epsilon', 0.001, 1e-6, 1, 0.0001, 'Added to the variance to avoid dividing by zero.'),
  ],
  shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
  // gamma, beta (trainable) + moving mean, moving variance (not trainable), as Keras counts them.
  paramCount: (_p, inputs) => 4 * inputs[0][inputs[0].length - 1],
  // One per element (x·scale + shift at inference).
  multiplyAdds: (_p, _inputs, output) => size(output),
  geometry: noGeometry,
  layer: ({ tf, name, params: p }) => tf.layers.batchNormalization({ name, axis: -1, momentum: num(p, 'momentum'), epsilon: num(p, 'epsilon') }),
  tfjs: (p) => ({ className: 'BatchNormalization', config: { axis: -1, momentum: num(p, 'momentum'), epsilon: num(p, 'epsilon'), center: true, scale: true } }),
  tfjsImport: {
    classNames: ['BatchNormalization'],
    read: ({ name, config: c }) => {
      const axis = Array.isArray(c.axis) ? c.axis[0] : c.axis ?? -1;
      if (c.center === false || c.scale === false) throw new ImportError(`Layer "${name}": BatchNormalization without center or scale has no Netwright block.`);
      return { params: { momentum: Number(c.momentum ?? 0.99), epsilon: Number(c.epsilon ?? 1e-3) }, axis: Number(axis) };
    },
    weightKeys: () => ['gamma', 'beta', 'moving_mean', 'moving_variance'],
  },
  onnx: (ctx) => {
    const c = (key: string) => {
      const w = ctx.weight(key);
      return ctx.constant(`${ctx.id}_${key}`, w.shape, w.values);
    };
    ctx.node('BatchNormalization', [ctx.inputs[0], c('gamma'), c('beta'), c('moving_mean'), c('moving_variance')], [ctx.output], {
      epsilon: { f: num(ctx.params, 'epsilon') },
    });
  },
  torch: (ctx) => {
    const image = ctx.inputShapes[0].length === 3;
    const channels = ctx.inputShapes[0][ctx.inputShapes[0].length - 1];
    const momentum = Math.round((1 - num(ctx.params, 'momentum')) * 1e9) / 1e9;
    return {
      module: `nn.BatchNorm${image ? '2d' : '1d'}(${channels}, eps=${num(ctx.params, 'epsilon')}, momentum=${momentum})`,
      forward: ([x], m) => `${m}(${x})`,
      state: {
        weight: ctx.weight('gamma'),
        bias: ctx.weight('beta'),
        running_mean: ctx.weight('moving_mean'),
        running_var: ctx.weight('moving_variance'),
        num_batches_tracked: { int64: 0 },
      },
    };
  },
};
