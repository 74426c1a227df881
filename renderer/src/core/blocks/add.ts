// Add: element-wise sum of its inputs (residual connections).
import { noCost, noGeometry, noParams, type BlockSpec } from './spec';

export const add: BlockSpec = {
  type: 'Add', label: 'Add', category: 'Merge', inputs: 'many',
  description: 'Adds its inputs element by element (residual connections). Shapes must be equal.',
  params: [],
  shape: (_p, inputs) => {
    if (inputs.length < 2) return { error: 'Add needs at least two inputs.', hint: 'Connect a second block into this one.' };
    const first = inputs[0].join('×');
    const other = inputs.find((s) => s.join('×') !== first);
    if (other) {
      return {
        error: `Add needs equal shapes but gets ${inputs.map((s) => s.join('×')).join(' and ')}.`,
        hint: "Make the branches match: same filters, and 'same' padding or equal pooling on each branch.",
      };
    }
    return { shape: [...inputs[0]] };
  },
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  layer: ({ tf, name }) => tf.layers.add({ name }),
  tfjs: () => ({ className: 'Add', config: {} }),
  tfjsImport: { classNames: ['Add'], read: () => ({ params: {} }) },
  onnx: (ctx) => ctx.node('Sum', ctx.inputs, [ctx.output]),
  torch: () => ({ forward: (args) => `(${args.join(' + ')})` }),
};
