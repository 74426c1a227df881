// Average pooling. 'same' averages only the cells inside the input (Keras); the app and the TF.js
// export use SameAvgPool2D for it (tfjs' own layer has a wrong 'same' gradient, see
// compile/layers/avgpool.ts); ONNX uses count_include_pad=0.
import { noParams, num, str, type BlockSpec } from './spec';
import { JS_POOL_HELPERS, onnxPoolAttrs, poolFromTfjs, poolGeometry, poolMultiplyAdds, poolParams, poolShape, poolWindow, PY_POOL_HELPERS, torchPads } from './pooling';

export const avgPool2d: BlockSpec = {
  type: 'AvgPool2D', label: 'Average pool', category: 'Pooling', inputs: 1,
  description: 'Averages each window (with padding, only the cells inside the image count).',
  params: poolParams('valid'), shape: poolShape('Average pool'), paramCount: noParams,
  multiplyAdds: poolMultiplyAdds,
  geometry: poolGeometry,
  layer: ({ tf, name, params: p, custom }) => {
    const args = { name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride') };
    return str(p, 'padding') === 'same'
      ? new custom.SameAvgPool2D({ ...args, padding: 'same' })
      : tf.layers.averagePooling2d({ ...args, padding: 'valid' });
  },
  tfjs: (p) =>
    str(p, 'padding') === 'same'
      ? { className: 'SameAvgPool2D', config: { pool_size: num(p, 'poolSize'), strides: num(p, 'stride'), padding: 'same' } }
      : {
          className: 'AveragePooling2D',
          config: { pool_size: [num(p, 'poolSize'), num(p, 'poolSize')], strides: [num(p, 'stride'), num(p, 'stride')], padding: 'valid', data_format: 'channels_last' },
        },
  tfjsRegistration: {
    className: 'SameAvgPool2D',
    helpers: JS_POOL_HELPERS,
    source: `class SameAvgPool2D extends PoolBase {
  static className = 'SameAvgPool2D';
  constructor(args) {
    super(args, 'same');
  }
  call(inputs) {
    return avgPool2d(single(inputs), this.poolSize, this.strides, this.padding);
  }
}
tf.serialization.registerClass(SameAvgPool2D);`,
  },
  tfjsImport: { classNames: ['AveragePooling2D', 'SameAvgPool2D'], read: poolFromTfjs },
  onnx: (ctx) => {
    const { k, s, pads } = poolWindow(ctx.params, ctx.inputShapes[0]);
    ctx.node('AveragePool', ctx.inputs, [ctx.output], { ...onnxPoolAttrs(k, s, pads), count_include_pad: { i: 0 } });
  },
  torch: (ctx) => {
    const { k, s, pads, padded } = poolWindow(ctx.params, ctx.inputShapes[0]);
    return padded
      ? { forward: ([x]) => `avg_pool_same(${x}, ${k}, ${s}, ${torchPads(pads)})`, helpers: ['avg_pool_same'] }
      : { forward: ([x]) => `F.avg_pool2d(${x}, ${k}, ${s})` };
  },
  pythonHelpers: PY_POOL_HELPERS,
};
