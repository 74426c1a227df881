// Concatenate: stacks its inputs along the channel axis, which is axis 1 in the NCHW exports
// and the last axis in the app.
import { noCost, noGeometry, noParams, type BlockSpec } from './spec';

export const concatenate: BlockSpec = {
  type: 'Concatenate', label: 'Concatenate', category: 'Merge', inputs: 'many',
  description: 'Stacks its inputs along the channel axis. All other dimensions must be equal.',
  params: [],
  shape: (_p, inputs) => {
    if (inputs.length < 2) return { error: 'Concatenate needs at least two inputs.', hint: 'Connect a second block into this one.' };
    const rank = inputs[0].length;
    const lead = inputs[0].slice(0, -1).join('×');
    if (inputs.some((s) => s.length !== rank || s.slice(0, -1).join('×') !== lead)) {
      return {
        error: `Concatenate needs inputs that differ only in channels but gets ${inputs.map((s) => s.join('×')).join(' and ')}.`,
        hint: 'Give the branches the same height and width (padding and pooling), or Flatten each first.',
      };
    }
    const channels = inputs.reduce((a, s) => a + s[rank - 1], 0);
    return { shape: [...inputs[0].slice(0, -1), channels] };
  },
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  layer: ({ tf, name }) => tf.layers.concatenate({ name, axis: -1 }),
  tfjs: () => ({ className: 'Concatenate', config: { axis: -1 } }),
  tfjsImport: { classNames: ['Concatenate'], read: ({ config: c }) => ({ params: {}, axis: Number(c.axis ?? -1) }) },
  onnx: (ctx) => ctx.node('Concat', ctx.inputs, [ctx.output], { axis: { i: 1 } }),
  torch: () => ({ forward: (args) => `torch.cat([${args.join(', ')}], dim=1)` }),
};
