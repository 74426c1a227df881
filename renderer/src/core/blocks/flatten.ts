// Flatten: unrolls [H, W, C] into a vector in channels-last order (as tfjs does), so the next
// Dense kernel stays as trained: NCHW exports transpose back to NHWC before flattening.
import { noCost, noGeometry, noParams, size, type BlockSpec } from './spec';

export const flatten: BlockSpec = {
  type: 'Flatten', label: 'Flatten', category: 'Core', inputs: 1,
  description: 'Unrolls an image tensor into a vector, for Dense layers.',
  params: [],
  shape: (_p, inputs) => ({ shape: [size(inputs[0])] }),
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  layer: ({ tf, name }) => tf.layers.flatten({ name }),
  tfjs: () => ({ className: 'Flatten', config: {} }),
  tfjsImport: { classNames: ['Flatten'], read: () => ({ params: {} }) },
  onnx: (ctx) => {
    if (ctx.inputShapes[0].length !== 3) {
      ctx.node('Identity', ctx.inputs, [ctx.output]);
      return;
    }
    const nhwc = ctx.tmp(`${ctx.id}_nhwc`);
    ctx.node('Transpose', ctx.inputs, [nhwc], { perm: { ints: [0, 2, 3, 1] } });
    ctx.node('Flatten', [nhwc], [ctx.output], { axis: { i: 1 } });
  },
  torch: (ctx) => ({ forward: ([x]) => (ctx.inputShapes[0].length === 3 ? `${x}.permute(0, 2, 3, 1).flatten(1)` : x) }),
};
