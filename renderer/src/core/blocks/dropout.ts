// Dropout: zeroes a random fraction while training, the identity at inference. The app's seeded
// compiles use SeededDropout (repeatable masks); exports write a plain Dropout (TF.js, PyTorch)
// or an Identity (ONNX, inference only).
import { float, noCost, noGeometry, noParams, num, type BlockSpec } from './spec';

export const dropout: BlockSpec = {
  type: 'Dropout', label: 'Dropout', category: 'Core', inputs: 1,
  description: 'While training, zeroes a random fraction of activations to fight overfitting.',
  params: [float('rate', 'Rate', 0.5, 0, 0.95, 0.05, 'Fraction of activations dropped while training.')],
  shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  // Seeded: a new mask each step from (seed, step), so a run repeats; tfjs' own seeded Dropout
  // would reuse one mask for the whole run (see compile/layers/dropout.ts).
  layer: ({ tf, name, params: p, seed, custom }) =>
    seed === undefined ? tf.layers.dropout({ name, rate: num(p, 'rate') }) : new custom.SeededDropout({ name, rate: num(p, 'rate'), seed }),
  tfjs: (p) => ({ className: 'Dropout', config: { rate: num(p, 'rate') } }),
  tfjsImport: { classNames: ['Dropout', 'SeededDropout'], read: ({ config: c }) => ({ params: { rate: Number(c.rate ?? 0.5) } }) },
  onnx: (ctx) => ctx.node('Identity', ctx.inputs, [ctx.output]),
  torch: (ctx) => ({ module: `nn.Dropout(${num(ctx.params, 'rate')})`, forward: ([x], m) => `${m}(${x})` }),
};
