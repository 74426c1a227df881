// Nearest-neighbour upsampling by an integer factor: each cell becomes a factor×factor square (the
// decoder half of an autoencoder). No weights. Compiled as the Upsample2D custom layer (reshapes and
// rank-4 tiles: gradients on every backend, wasm included, where tfjs' UpSampling2D needs
// ResizeNearestNeighborGrad); ONNX Resize (nearest, asymmetric, floor: exact for integer scales);
// PyTorch F.interpolate(mode='nearest').
import { int, needsImage, noCost, noGeometry, noParams, num, type BlockSpec } from './spec';

export const upsample2d: BlockSpec = {
  type: 'Upsample2D', label: 'Upsample', category: 'Pooling', inputs: 1,
  description: 'Repeats each cell into a factor×factor square: the inverse of pooling’s size change (decoders, autoencoders).',
  params: [int('factor', 'Factor', 2, 2, 8, 'Output height and width = input height and width × factor.')],
  shape: (p, inputs) => needsImage('Upsample', inputs) ?? { shape: [inputs[0][0] * num(p, 'factor'), inputs[0][1] * num(p, 'factor'), inputs[0][2]] },
  paramCount: noParams,
  // A copy, no arithmetic.
  multiplyAdds: noCost,
  geometry: noGeometry,
  layer: ({ name, params: p, custom }) => new custom.Upsample2D({ name, factor: num(p, 'factor') }),
  tfjs: (p) => ({ className: 'Upsample2D', config: { factor: num(p, 'factor') } }),
  tfjsImport: { classNames: ['Upsample2D'], read: ({ config: c }) => ({ params: { factor: Number(c.factor ?? 2) } }) },
  tfjsRegistration: {
    className: 'Upsample2D',
    source: `// Nearest-neighbour upsampling by an integer factor (reshapes and rank-4 tiles).
class Upsample2D extends Layer {
  static className = 'Upsample2D';
  constructor(args) {
    super(args);
    this.factor = args.factor ?? 2;
  }
  computeOutputShape(s) {
    const f = this.factor;
    return [s[0], s[1] === null ? null : s[1] * f, s[2] === null ? null : s[2] * f, s[3]];
  }
  call(inputs) {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [n, h, w, c] = x.shape;
      const f = this.factor;
      const wide = tf.reshape(tf.tile(tf.reshape(x, [n * h, w, 1, c]), [1, 1, f, 1]), [n, h, 1, w * f * c]);
      return tf.reshape(tf.tile(wide, [1, 1, f, 1]), [n, h * f, w * f, c]);
    });
  }
  getConfig() {
    return { ...super.getConfig(), factor: this.factor };
  }
}
tf.serialization.registerClass(Upsample2D);`,
  },
  onnx: (ctx) => {
    const f = num(ctx.params, 'factor');
    const roi = ctx.constant(`${ctx.id}_roi`, [0], []);
    const scales = ctx.constant(`${ctx.id}_scales`, [4], [1, 1, f, f]);
    ctx.node('Resize', [ctx.inputs[0], roi, scales], [ctx.output], {
      mode: { s: 'nearest' }, coordinate_transformation_mode: { s: 'asymmetric' }, nearest_mode: { s: 'floor' },
    });
  },
  torch: (ctx) => ({ forward: ([x]) => `F.interpolate(${x}, scale_factor=${num(ctx.params, 'factor')}, mode="nearest")` }),
};
