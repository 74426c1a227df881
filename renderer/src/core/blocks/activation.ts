// Activation: an element-wise non-linearity.
import { ACTIVATIONS, choice, noCost, noGeometry, noParams, onnxApplyActivation, str, torchActivation, type BlockSpec } from './spec';
import { activationOf } from './tfjs-import';

export const activationBlock: BlockSpec = {
  type: 'Activation', label: 'Activation', category: 'Core', inputs: 1,
  description: 'Applies a non-linearity element by element.',
  params: [choice('fn', 'Function', ACTIVATIONS, 'relu', 'relu = max(0, x); sigmoid squashes to (0, 1); tanh to (−1, 1).')],
  shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  layer: ({ tf, name, params: p }) => tf.layers.activation({ name, activation: str(p, 'fn') as 'relu' }),
  tfjs: (p) => ({ className: 'Activation', config: { activation: str(p, 'fn') } }),
  tfjsImport: { classNames: ['Activation'], read: ({ name, config: c }) => ({ params: { fn: activationOf(c.activation, name) } }) },
  onnx: (ctx) => onnxApplyActivation(ctx, str(ctx.params, 'fn'), ctx.inputs[0], ctx.output),
  torch: (ctx) => ({ forward: ([x]) => torchActivation(str(ctx.params, 'fn'), x) }),
};
