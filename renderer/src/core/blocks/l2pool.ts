// L2 pooling: sqrt(mean of x² over each window + ε); the mean counts only cells inside the input
// with 'same' padding. Standard operators in ONNX (Mul, AveragePool, Add, Sqrt) and PyTorch.
import { noParams, num, str, type BlockSpec } from './spec';
import { close } from './tfjs-import';
import { JS_POOL_HELPERS, onnxPoolAttrs, poolFromTfjs, poolGeometry, poolMultiplyAdds, poolParams, poolShape, poolWindow, PY_POOL_HELPERS, torchPads } from './pooling';

/** The L2Pool2D layer's default ε (compile/layers/l2pool.ts); the compiler does not change it. */
export const L2_POOL_EPSILON = 1e-6;

export const l2Pool2d: BlockSpec = {
  type: 'L2Pool2D', label: 'L2 pool', category: 'Pooling', inputs: 1,
  description: 'Square root of the mean of squares in each window: between average and max pooling.',
  params: poolParams('valid'), shape: poolShape('L2 pool'), paramCount: noParams,
  multiplyAdds: poolMultiplyAdds,
  geometry: poolGeometry,
  layer: ({ name, params: p, custom }) =>
    new custom.L2Pool2D({ name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride'), padding: str(p, 'padding') as 'same' | 'valid' }),
  tfjs: (p) => ({
    className: 'L2Pool2D',
    config: { pool_size: num(p, 'poolSize'), strides: num(p, 'stride'), padding: str(p, 'padding'), epsilon: L2_POOL_EPSILON },
  }),
  tfjsRegistration: {
    className: 'L2Pool2D',
    helpers: JS_POOL_HELPERS,
    source: `class L2Pool2D extends PoolBase {
  static className = 'L2Pool2D';
  constructor(args) {
    super(args, 'valid');
    this.epsilon = args.epsilon ?? 1e-6;
  }
  call(inputs) {
    return tf.tidy(() => {
      const meanSquare = avgPool2d(tf.square(single(inputs)), this.poolSize, this.strides, this.padding);
      return tf.sqrt(tf.add(meanSquare, this.epsilon));
    });
  }
  getConfig() {
    return { ...super.getConfig(), epsilon: this.epsilon };
  }
}
tf.serialization.registerClass(L2Pool2D);`,
  },
  tfjsImport: {
    classNames: ['L2Pool2D'],
    read: (layer) => {
      close(layer.config.epsilon, L2_POOL_EPSILON, 'epsilon', layer.name);
      return poolFromTfjs(layer);
    },
  },
  onnx: (ctx) => {
    const { k, s, pads } = poolWindow(ctx.params, ctx.inputShapes[0]);
    const sq = ctx.tmp(`${ctx.id}_sq`);
    const mean = ctx.tmp(`${ctx.id}_mean`);
    const shifted = ctx.tmp(`${ctx.id}_eps`);
    ctx.node('Mul', [ctx.inputs[0], ctx.inputs[0]], [sq]);
    ctx.node('AveragePool', [sq], [mean], { ...onnxPoolAttrs(k, s, pads), count_include_pad: { i: 0 } });
    ctx.node('Add', [mean, ctx.constant(`${ctx.id}_epsilon`, [], [L2_POOL_EPSILON])], [shifted]);
    ctx.node('Sqrt', [shifted], [ctx.output]);
  },
  torch: (ctx) => {
    const { k, s, pads, padded } = poolWindow(ctx.params, ctx.inputShapes[0]);
    const mean = (sq: string) => (padded ? `avg_pool_same(${sq}, ${k}, ${s}, ${torchPads(pads)})` : `F.avg_pool2d(${sq}, ${k}, ${s})`);
    return {
      forward: ([x]) => `torch.sqrt(${mean(`${x} * ${x}`)} + ${L2_POOL_EPSILON})`,
      helpers: padded ? ['avg_pool_same'] : [],
    };
  },
  pythonHelpers: PY_POOL_HELPERS,
};
