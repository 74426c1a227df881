// Dense: fully connected. tfjs kernels are [in, out]: ONNX Gemm takes them as they are, PyTorch's
// Linear wants [out, in].
import {
  activation, initializer, initStd, int, needsVector, noGeometry, num, onnxApplyActivation, py, str, torchActivation, transpose2d, useBias,
  type BlockSpec, type OnnxLowering, type TorchBlock, type TorchLowering, type WeightTensor,
} from './spec';
import { activationOf, initializerOf } from './tfjs-import';

/** out = act(x·W + b) as ONNX Gemm (or MatMul without a bias). */
export function onnxDense(ctx: OnnxLowering, fn: string, bias: boolean): void {
  const w = ctx.weight('kernel');
  const W = ctx.constant(`${ctx.id}_W`, w.shape, w.values);
  const pre = ctx.tmp(`${ctx.id}_gemm`);
  if (bias) {
    const b = ctx.weight('bias');
    ctx.node('Gemm', [ctx.inputs[0], W, ctx.constant(`${ctx.id}_B`, b.shape, b.values)], [pre]);
  } else {
    ctx.node('MatMul', [ctx.inputs[0], W], [pre]);
  }
  if (fn === 'softmax') ctx.node('Softmax', [pre], [ctx.output], { axis: { i: 1 } });
  else onnxApplyActivation(ctx, fn, pre, ctx.output);
}

/** nn.Linear with the kernel transposed, then the activation. */
export function torchDense(ctx: TorchLowering, units: number, fn: string, bias: boolean): TorchBlock {
  const state: Record<string, WeightTensor> = { weight: transpose2d(ctx.weight('kernel')) };
  if (bias) state.bias = ctx.weight('bias');
  return {
    module: `nn.Linear(${ctx.inputShapes[0][0]}, ${units}, bias=${py(bias)})`,
    forward: ([x], m) => torchActivation(fn, `${m}(${x})`),
    state,
  };
}

export const dense: BlockSpec = {
  type: 'Dense', label: 'Dense', category: 'Core', inputs: 1,
  description: 'Fully connected layer: every output sees every input.',
  params: [
    int('units', 'Units', 128, 1, 65536, 'Number of outputs.'),
    activation('relu'),
    initializer('glorotUniform'),
    initStd,
    useBias,
  ],
  shape: (p, inputs) => needsVector('Dense', inputs) ?? { shape: [num(p, 'units')] },
  paramCount: (p, inputs) => inputs[0][0] * num(p, 'units') + (p.useBias ? num(p, 'units') : 0),
  multiplyAdds: (p, inputs) => inputs[0][0] * num(p, 'units'),
  geometry: noGeometry,
  layer: ({ tf, name, params: p, init }) =>
    tf.layers.dense({
      name,
      units: num(p, 'units'),
      activation: str(p, 'activation') as 'relu',
      kernelInitializer: init(str(p, 'initializer')),
      useBias: Boolean(p.useBias),
    }),
  tfjs: (p) => ({ className: 'Dense', config: { units: num(p, 'units'), activation: str(p, 'activation'), use_bias: Boolean(p.useBias) } }),
  tfjsImport: {
    classNames: ['Dense'],
    // A softmax Dense is the Classifier.
    read: ({ name, config: c }) => c.activation === 'softmax' ? null : {
      params: { units: Number(c.units), activation: activationOf(c.activation, name), useBias: c.use_bias !== false, ...initializerOf(c.kernel_initializer) },
    },
    weightKeys: (p) => (p.useBias ? ['kernel', 'bias'] : ['kernel']),
  },
  onnx: (ctx) => onnxDense(ctx, str(ctx.params, 'activation'), Boolean(ctx.params.useBias)),
  torch: (ctx) => torchDense(ctx, num(ctx.params, 'units'), str(ctx.params, 'activation'), Boolean(ctx.params.useBias)),
};
