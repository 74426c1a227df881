// Max pooling. With 'same' padding the padded cells never win: -inf pads in PyTorch, ONNX MaxPool
// ignores its pads.
import { noParams, num, str, type BlockSpec } from './spec';
import { onnxPoolAttrs, poolFromTfjs, poolGeometry, poolMultiplyAdds, poolParams, poolShape, poolWindow, torchPads } from './pooling';

export const maxPool2d: BlockSpec = {
  type: 'MaxPool2D', label: 'Max pool', category: 'Pooling', inputs: 1,
  description: 'Keeps the largest value in each window: shrinks the map, adds a little shift invariance.',
  params: poolParams('valid'), shape: poolShape('Max pool'), paramCount: noParams,
  multiplyAdds: poolMultiplyAdds,
  geometry: poolGeometry,
  layer: ({ tf, name, params: p }) =>
    tf.layers.maxPooling2d({ name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride'), padding: str(p, 'padding') as 'same' | 'valid' }),
  tfjs: (p) => ({
    className: 'MaxPooling2D',
    config: { pool_size: [num(p, 'poolSize'), num(p, 'poolSize')], strides: [num(p, 'stride'), num(p, 'stride')], padding: str(p, 'padding'), data_format: 'channels_last' },
  }),
  tfjsImport: { classNames: ['MaxPooling2D'], read: poolFromTfjs },
  onnx: (ctx) => {
    const { k, s, pads } = poolWindow(ctx.params, ctx.inputShapes[0]);
    ctx.node('MaxPool', ctx.inputs, [ctx.output], onnxPoolAttrs(k, s, pads));
  },
  torch: (ctx) => {
    const { k, s, pads, padded } = poolWindow(ctx.params, ctx.inputShapes[0]);
    return { forward: ([x]) => `F.max_pool2d(${padded ? `F.pad(${x}, ${torchPads(pads)}, value=float('-inf'))` : x}, ${k}, ${s})` };
  },
};
