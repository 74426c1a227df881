// Conv2D: learned filters slid over the image. TF 'same' padding (the odd extra cell after) is
// written as explicit pads in ONNX and PyTorch. `groups` > 1 is a grouped convolution (AlexNet's
// towers): channels split into equal groups, each group's filters see only its own input channels;
// tfjs has none, so it compiles to the GroupedConv2D custom layer (compile/layers/groupedconv.ts),
// and lowers to ONNX Conv(group) and nn.Conv2d(groups=…). Its kernel is [k, k, C/groups, filters].
import {
  activation, choice, convKernelToOIHW, explicitPads, initializer, initStd, int, num, onnxApplyActivation, PADDINGS, py,
  slidingShape, str, torchActivation, useBias, type BlockSpec,
} from './spec';
import type { Params, ShapeResult } from '../graph/types';
import { JS_POOL_HELPERS } from './pooling';
import { checkPreset, FILTER_PRESETS, presetFilterCount, presetKernel } from './filterbanks';
import { activationOf, channelsLast, ImportError, initializerOf, padding, square } from './tfjs-import';

/** Output channels: the filter bank's size when a preset is chosen, else `filters`. */
const filtersOf = (p: Params): number => (p.preset && p.preset !== 'none' ? presetFilterCount(str(p, 'preset')) : num(p, 'filters'));
/** Channel groups (1 = a dense conv; absent in older projects). */
const groupsOf = (p: Params): number => (p.groups === undefined ? 1 : num(p, 'groups'));

/** Error (with its fix) when the filters or the input channels do not split into the groups. */
function groupsProblem(p: Params, channels: number): ShapeResult | undefined {
  const g = groupsOf(p);
  if (g === 1) return undefined;
  const f = filtersOf(p);
  const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0 && f % d === 0);
  if (f % g !== 0 || channels % g !== 0) {
    const what = f % g !== 0 ? `its ${f} filters` : `its ${channels} input channels`;
    return {
      error: `Conv2D with ${g} groups cannot split ${what} into ${g} equal groups.`,
      hint: `Use groups that divide both the filters (${f}) and the input channels (${channels}): ${divisors(channels).join(', ')}; or change the filters to a multiple of ${g}.`,
    };
  }
  return undefined;
}

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
    int('groups', 'Groups', 1, 1, 64,
      'Split the channels into this many groups, each convolved separately (AlexNet’s two towers = 2): parameters and multiply-adds divide by it. Must divide the filters and the input channels.'),
    choice('preset', 'Filter bank', FILTER_PRESETS, 'none',
      'A fixed hand-made bank instead of learned filters, never trained: oriented gradients (8), Gabor (8) or Sobel (4, 3×3). It sets the number of filters.'),
  ],
  checkParams: (p) =>
    (groupsOf(p) > 1 && p.preset && p.preset !== 'none' ? 'A filter bank cannot be grouped: set Groups to 1 or the filter bank to none.' : undefined)
    ?? checkPreset(str(p, 'preset'), num(p, 'kernelSize')),
  shape: (p, inputs) => {
    const s = slidingShape('Conv2D', inputs, num(p, 'kernelSize'), num(p, 'stride'), str(p, 'padding'), filtersOf(p));
    return s.error ? s : groupsProblem(p, inputs[0][2]) ?? s;
  },
  paramCount: (p, inputs) => {
    const k = num(p, 'kernelSize');
    const cin = inputs[0][2] / groupsOf(p);
    const f = filtersOf(p);
    return k * k * cin * f + (p.useBias ? f : 0);
  },
  multiplyAdds: (p, inputs, output) => output[0] * output[1] * num(p, 'kernelSize') ** 2 * (inputs[0][2] / groupsOf(p)) * filtersOf(p),
  geometry: (p) => ({ kernel: num(p, 'kernelSize'), stride: num(p, 'stride'), padding: str(p, 'padding') === 'same' ? 'same' : 'valid', dilation: 1 }),
  layer: ({ tf, name, params: p, init, custom }) => {
    if (groupsOf(p) > 1) {
      return new custom.GroupedConv2D({
        name, filters: filtersOf(p), kernelSize: num(p, 'kernelSize'), strides: num(p, 'stride'), padding: str(p, 'padding') as 'same' | 'valid',
        groups: groupsOf(p), activation: str(p, 'activation') as 'relu', useBias: Boolean(p.useBias), kernelInitializer: init(str(p, 'initializer')),
      });
    }
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
  tfjs: (p) => groupsOf(p) > 1 ? {
    className: 'GroupedConv2D',
    config: {
      filters: filtersOf(p), kernel_size: num(p, 'kernelSize'), strides: num(p, 'stride'), padding: str(p, 'padding'), groups: groupsOf(p),
      activation: str(p, 'activation'), use_bias: Boolean(p.useBias),
    },
  } : ({
    className: 'Conv2D',
    config: {
      filters: filtersOf(p), kernel_size: [num(p, 'kernelSize'), num(p, 'kernelSize')], strides: [num(p, 'stride'), num(p, 'stride')],
      padding: str(p, 'padding'), data_format: 'channels_last', dilation_rate: [1, 1], activation: str(p, 'activation'), use_bias: Boolean(p.useBias),
    },
  }),
  tfjsRegistration: {
    className: 'GroupedConv2D',
    helpers: { single: JS_POOL_HELPERS.single, samePad: JS_POOL_HELPERS.samePad },
    source: `// Conv2D with groups: each group of C/groups input channels has its own filters/groups filters.
class GroupedConv2D extends Layer {
  static className = 'GroupedConv2D';
  constructor(args) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? 'valid';
    this.groups = args.groups;
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
  }
  build(inputShape) {
    const c = inputShape[inputShape.length - 1];
    const k = this.kernelSize;
    this.kernel = this.addWeight('kernel', [k, k, c / this.groups, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.built = true;
  }
  computeOutputShape(inputShape) {
    const out = (s) => (s === null ? null : this.padding === 'same' ? Math.ceil(s / this.strides) : Math.floor((s - this.kernelSize) / this.strides) + 1);
    return [inputShape[0], out(inputShape[1]), out(inputShape[2]), this.filters];
  }
  call(inputs) {
    return tf.tidy(() => {
      let x = single(inputs);
      const k = this.kernelSize;
      if (this.padding === 'same') {
        const [top, bottom] = samePad(x.shape[1], k, this.strides);
        const [left, right] = samePad(x.shape[2], k, this.strides);
        x = tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]);
      }
      const xs = tf.split(x, this.groups, 3);
      const ws = tf.split(this.kernel.read(), this.groups, 3);
      let y = tf.concat(xs.map((xi, i) => tf.conv2d(xi, ws[i], this.strides, 'valid')), 3);
      if (this.bias) y = tf.add(y, this.bias.read());
      const act = { relu: tf.relu, sigmoid: tf.sigmoid, tanh: tf.tanh }[this.activation];
      return act ? act(y) : y;
    });
  }
  getConfig() {
    return {
      ...super.getConfig(), filters: this.filters, kernelSize: this.kernelSize, strides: this.strides, padding: this.padding,
      groups: this.groups, activation: this.activation, useBias: this.useBias,
    };
  }
}
tf.serialization.registerClass(GroupedConv2D);`,
  },
  tfjsImport: {
    classNames: ['Conv2D', 'GroupedConv2D'],
    read: ({ name, config: c }) => {
      channelsLast(c, name);
      if (square(c.dilation_rate ?? 1, 'dilation', name) !== 1) throw new ImportError(`Layer "${name}" is a dilated convolution, which Netwright has no block for.`);
      const groups = c.groups === undefined || c.groups === null ? 1 : Number(c.groups);
      if (!Number.isInteger(groups) || groups < 1) throw new ImportError(`Layer "${name}": groups ${String(c.groups)} is not a whole number.`);
      return {
        params: {
          filters: Number(c.filters), kernelSize: square(c.kernel_size, 'kernel size', name), stride: square(c.strides ?? 1, 'stride', name),
          padding: padding(c.padding ?? 'valid', name), activation: activationOf(c.activation, name), useBias: c.use_bias !== false,
          ...(groups > 1 ? { groups } : {}), ...initializerOf(c.kernel_initializer),
        },
      };
    },
    weightKeys: (p) => (p.useBias ? ['kernel', 'bias'] : ['kernel']),
  },
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
      ...(groupsOf(p) > 1 ? { group: { i: groupsOf(p) } } : {}),
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
      module: `nn.Conv2d(${ctx.inputShapes[0][2]}, ${filtersOf(p)}, ${k}, stride=${s}, bias=${py(Boolean(p.useBias))}${groupsOf(p) > 1 ? `, groups=${groupsOf(p)}` : ''})`,
      forward: ([x], m) => torchActivation(str(p, 'activation'), `${m}(${padded ? `F.pad(${x}, (${left}, ${right}, ${top}, ${bottom}))` : x})`),
      state,
    };
  },
};
