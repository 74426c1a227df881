// Conv2D: learned filters slid over the image. TF 'same' padding (the odd extra cell after) is
// written as explicit pads in ONNX and PyTorch.
import {
  activation, choice, convKernelToOIHW, explicitPads, initializer, initStd, int, num, onnxApplyActivation, PADDINGS, py,
  slidingShape, str, torchActivation, useBias, type BlockSpec,
} from './spec';
import type { Params } from '../graph/types';
import { checkPreset, FILTER_PRESETS, presetFilterCount, presetKernel } from './filterbanks';

/** Output channels: the filter bank's size when a preset is chosen, else `filters`. */
const filtersOf = (p: Params): number => (p.preset && p.preset !== 'none' ? presetFilterCount(str(p, 'preset')) : num(p, 'filters'));

export const conv2d: BlockSpec = {
  type: 'Conv2D', label: 'Conv2D', category: 'Convolution', inputs: 1,
  description: 'Learned filters slid over the image; each filter makes one output channel.',
  params: [
    int('filters', 'Filters', 8, 1, 4096, 'Number of filters = output channels.'),
    int('kernelSize', 'Kernel size', 5, 1, 64, 'Width and height of each filter.'),
    int('stride', 'Stride', 1, 1, 32, 'Step between filter positions.'),
    choice('padding', 'Padding', PADDINGS, 'same', "'same' pads so the output keeps ceil(size / stride); 'valid' does not pad."),
    activation('relu'),
    initializer('heUniform'),
    initStd,
    useBias,
    choice('preset', 'Filter bank', FILTER_PRESETS, 'none',
      'A fixed hand-made bank instead of learned filters, never trained: oriented gradients (8), Gabor (8) or Sobel (4, 3×3). It sets the number of filters.'),
  ],
  checkParams: (p) => checkPreset(str(p, 'preset'), num(p, 'kernelSize')),
  shape: (p, inputs) => slidingShape('Conv2D', inputs, num(p, 'kernelSize'), num(p, 'stride'), str(p, 'padding'), filtersOf(p)),
  paramCount: (p, inputs) => {
    const k = num(p, 'kernelSize');
    const cin = inputs[0][2];
    const f = filtersOf(p);
    return k * k * cin * f + (p.useBias ? f : 0);
  },
  multiplyAdds: (p, inputs, output) => output[0] * output[1] * num(p, 'kernelSize') ** 2 * inputs[0][2] * filtersOf(p),
  geometry: (p) => ({ kernel: num(p, 'kernelSize'), stride: num(p, 'stride'), padding: str(p, 'padding') === 'same' ? 'same' : 'valid', dilation: 1 }),
  layer: ({ tf, name, params: p, init }) => {
    const preset = p.preset && p.preset !== 'none' ? str(p, 'preset') : null;
    let kernelInitializer = init(str(p, 'initializer'));
    if (preset) {
      // The bank as the kernel's initial value (its input channels are known only at build time); frozen below.
      kernelInitializer = tf.initializers.zeros();
      kernelInitializer.apply = (shape) => tf.tensor(presetKernel(preset, num(p, 'kernelSize'), Number(shape[2])).values, shape as number[]);
    }
    return tf.layers.conv2d({
      name,
      filters: filtersOf(p),
      kernelSize: num(p, 'kernelSize'),
      strides: num(p, 'stride'),
      padding: str(p, 'padding') as 'same' | 'valid',
      activation: str(p, 'activation') as 'relu',
      kernelInitializer,
      useBias: Boolean(p.useBias),
      ...(preset ? { trainable: false } : {}),
    });
  },
  tfjs: (p) => ({
    className: 'Conv2D',
    config: {
      filters: filtersOf(p), kernel_size: [num(p, 'kernelSize'), num(p, 'kernelSize')], strides: [num(p, 'stride'), num(p, 'stride')],
      padding: str(p, 'padding'), data_format: 'channels_last', dilation_rate: [1, 1], activation: str(p, 'activation'), use_bias: Boolean(p.useBias),
    },
  }),
  onnx: (ctx) => {
    const p = ctx.params;
    const k = num(p, 'kernelSize');
    const s = num(p, 'stride');
    const w = convKernelToOIHW(ctx.weight('kernel'));
    const inputs = [ctx.inputs[0], ctx.constant(`${ctx.id}_W`, w.shape, w.values)];
    if (p.useBias) {
      const b = ctx.weight('bias');
      inputs.push(ctx.constant(`${ctx.id}_B`, b.shape, b.values));
    }
    const pre = ctx.tmp(`${ctx.id}_conv`);
    ctx.node('Conv', inputs, [pre], {
      kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: explicitPads(ctx.inputShapes[0], k, s, str(p, 'padding')) }, dilations: { ints: [1, 1] },
    });
    onnxApplyActivation(ctx, str(p, 'activation'), pre, ctx.output);
  },
  torch: (ctx) => {
    const p = ctx.params;
    const k = num(p, 'kernelSize');
    const s = num(p, 'stride');
    const [top, left, bottom, right] = explicitPads(ctx.inputShapes[0], k, s, str(p, 'padding'));
    const padded = top + left + bottom + right > 0;
    const state: Record<string, ReturnType<typeof convKernelToOIHW>> = { weight: convKernelToOIHW(ctx.weight('kernel')) };
    if (p.useBias) state.bias = ctx.weight('bias');
    return {
      module: `nn.Conv2d(${ctx.inputShapes[0][2]}, ${filtersOf(p)}, ${k}, stride=${s}, bias=${py(Boolean(p.useBias))})`,
      forward: ([x], m) => torchActivation(str(p, 'activation'), `${m}(${padded ? `F.pad(${x}, (${left}, ${right}, ${top}, ${bottom}))` : x})`),
      state,
    };
  },
};
