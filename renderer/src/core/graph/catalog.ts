// The block catalog: one declarative entry per block type, with its parameters (type, default,
// range, help), its shape function and its parameter count. Shapes follow Keras conventions
// (channels last, batch dimension omitted) so counts match model.summary().
import type { Block, BlockDef, BlockType, ParamSpec, Params, Shape, ShapeResult } from './types';

const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'normal', 'zeros'] as const;
const PADDINGS = ['same', 'valid'] as const;

const int = (key: string, label: string, def: number, min: number, max: number, help: string): ParamSpec => ({
  key, label, kind: 'int', default: def, min, max, step: 1, help,
});
const float = (key: string, label: string, def: number, min: number, max: number, step: number, help: string): ParamSpec => ({
  key, label, kind: 'float', default: def, min, max, step, help,
});
const choice = (key: string, label: string, options: readonly string[], def: string, help: string): ParamSpec => ({
  key, label, kind: 'enum', default: def, options, help,
});
const bool = (key: string, label: string, def: boolean, help: string): ParamSpec => ({ key, label, kind: 'bool', default: def, help });

const activation = (def: string) =>
  choice('activation', 'Activation', ACTIVATIONS, def, 'Non-linearity applied to the output: relu = max(0, x); linear = none.');
const initializer = (def: string) =>
  choice('initializer', 'Initializer', INITIALIZERS, def,
    'How weights start. He suits ReLU, Glorot suits tanh/sigmoid (both scale to the layer size); normal uses the std you pick; zeros makes every unit identical, so they never learn different features.');
const initStd = float('initStd', 'Initial std', 0.05, 0.0001, 10, 0.01, 'Standard deviation of the normal initializer: too small and signals fade layer by layer, too large and they explode.');

/**
 * Parameters shown only for some values of the others (the rest are always shown). The compiler
 * reads them only in the same case.
 */
const SHOWN_WHEN: Record<string, (p: Params) => boolean> = {
  initStd: (p) => p.initializer === 'normal',
};
const useBias = bool('useBias', 'Use bias', true, 'Add a learned bias per output channel.');

const poolParams = (padDefault: string): ParamSpec[] => [
  int('poolSize', 'Pool size', 2, 1, 32, 'Width and height of the pooling window.'),
  int('stride', 'Stride', 2, 1, 32, 'Step between windows; equal to the pool size for non-overlapping pooling.'),
  choice('padding', 'Padding', PADDINGS, padDefault, "'valid' drops border cells that do not fill a window; 'same' keeps ceil(size / stride)."),
];

const num = (p: Params, key: string): number => Number(p[key]);
const str = (p: Params, key: string): string => String(p[key]);

/** Output length of a sliding window along one axis, as Keras computes it. */
export function windowOutput(size: number, kernel: number, stride: number, padding: string): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** Shared checks for blocks that take one image tensor [H, W, C]. */
function needsImage(label: string, inputs: Shape[]): ShapeResult | undefined {
  const s = inputs[0];
  if (s.length !== 3) {
    return {
      error: `${label} needs an image input (H×W×C) but gets a vector of ${s.join('×')}.`,
      hint: 'Move this block before the Flatten/Dense blocks, or use an image Input.',
    };
  }
  return undefined;
}

function slidingShape(label: string, inputs: Shape[], kernel: number, stride: number, padding: string, channels?: number): ShapeResult {
  const bad = needsImage(label, inputs);
  if (bad) return bad;
  const [h, w, c] = inputs[0];
  if (padding === 'valid' && (kernel > h || kernel > w)) {
    return {
      error: `${label} window ${kernel}×${kernel} is larger than its ${h}×${w} input.`,
      hint: "Use a smaller window, padding 'same', or remove a pooling step before this block.",
    };
  }
  return { shape: [windowOutput(h, kernel, stride, padding), windowOutput(w, kernel, stride, padding), channels ?? c] };
}

const poolShape = (label: string) => (p: Params, inputs: Shape[]): ShapeResult =>
  slidingShape(label, inputs, num(p, 'poolSize'), num(p, 'stride'), str(p, 'padding'));

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
const noParams = (): number => 0;

function needsVector(label: string, inputs: Shape[]): ShapeResult | undefined {
  const s = inputs[0];
  if (s.length !== 1) {
    return {
      error: `${label} needs a vector input but gets a ${s.length}-D tensor ${s.join('×')}.`,
      hint: 'Insert a Flatten block before this block.',
    };
  }
  return undefined;
}

const DEFS: BlockDef[] = [
  {
    type: 'Input', label: 'Input', category: 'Input', inputs: 0,
    description: 'The network input: an image (height × width × channels) or a vector.',
    params: [
      choice('kind', 'Kind', ['image', 'vector'], 'image', 'Image data (H×W×C) or a flat feature vector.'),
      int('height', 'Height', 28, 1, 4096, 'Image height in pixels. Smaller than the data: random crops while training, centre crops when testing.'),
      int('width', 'Width', 28, 1, 4096, 'Image width in pixels.'),
      int('channels', 'Channels', 1, 1, 64, '1 for greyscale, 3 for RGB.'),
      int('length', 'Length', 784, 1, 1_000_000, 'Vector length (kind = vector).'),
    ],
    shape: (p) => ({ shape: str(p, 'kind') === 'vector' ? [num(p, 'length')] : [num(p, 'height'), num(p, 'width'), num(p, 'channels')] }),
    paramCount: noParams,
  },
  {
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
    ],
    shape: (p, inputs) =>
      slidingShape('Conv2D', inputs, num(p, 'kernelSize'), num(p, 'stride'), str(p, 'padding'), num(p, 'filters')),
    paramCount: (p, inputs) => {
      const k = num(p, 'kernelSize');
      const cin = inputs[0][2];
      const f = num(p, 'filters');
      return k * k * cin * f + (p.useBias ? f : 0);
    },
  },
  {
    type: 'MaxPool2D', label: 'Max pool', category: 'Pooling', inputs: 1,
    description: 'Keeps the largest value in each window: shrinks the map, adds a little shift invariance.',
    params: poolParams('valid'), shape: poolShape('Max pool'), paramCount: noParams,
  },
  {
    type: 'AvgPool2D', label: 'Average pool', category: 'Pooling', inputs: 1,
    description: 'Averages each window (with padding, only the cells inside the image count).',
    params: poolParams('valid'), shape: poolShape('Average pool'), paramCount: noParams,
  },
  {
    type: 'L2Pool2D', label: 'L2 pool', category: 'Pooling', inputs: 1,
    description: 'Square root of the mean of squares in each window: between average and max pooling.',
    params: poolParams('valid'), shape: poolShape('L2 pool'), paramCount: noParams,
  },
  {
    type: 'LocalContrastNorm', label: 'Local contrast norm', category: 'Normalization', inputs: 1,
    description: 'Subtracts a Gaussian-weighted local mean, then divides by the local standard deviation (Jarrett et al. 2009).',
    params: [
      int('kernelSize', 'Window', 9, 3, 31, 'Size of the Gaussian window (odd).'),
      float('sigma', 'Sigma', 2, 0.5, 16, 0.5, 'Standard deviation of the Gaussian window, in pixels.'),
    ],
    shape: (_p, inputs) => needsImage('Local contrast norm', inputs) ?? { shape: [...inputs[0]] },
    paramCount: noParams,
    checkParams: (p) => (num(p, 'kernelSize') % 2 === 1 ? undefined : 'Window must be odd so it has a centre pixel.'),
  },
  {
    type: 'Dropout', label: 'Dropout', category: 'Core', inputs: 1,
    description: 'While training, zeroes a random fraction of activations to fight overfitting.',
    params: [float('rate', 'Rate', 0.5, 0, 0.95, 0.05, 'Fraction of activations dropped while training.')],
    shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
    paramCount: noParams,
  },
  {
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
  },
  {
    type: 'Flatten', label: 'Flatten', category: 'Core', inputs: 1,
    description: 'Unrolls an image tensor into a vector, for Dense layers.',
    params: [],
    shape: (_p, inputs) => ({ shape: [size(inputs[0])] }),
    paramCount: noParams,
  },
  {
    type: 'Activation', label: 'Activation', category: 'Core', inputs: 1,
    description: 'Applies a non-linearity element by element.',
    params: [choice('fn', 'Function', ACTIVATIONS, 'relu', 'relu = max(0, x); sigmoid squashes to (0, 1); tanh to (−1, 1).')],
    shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
    paramCount: noParams,
  },
  {
    type: 'BatchNorm', label: 'Batch norm', category: 'Normalization', inputs: 1,
    description: 'Normalises each channel over the batch, then scales and shifts it (learned).',
    params: [
      float('momentum', 'Momentum', 0.99, 0, 0.9999, 0.01, 'How slowly the running mean and variance follow the batches.'),
      float('epsilon', 'Epsilon', 0.001, 1e-6, 1, 0.0001, 'Added to the variance to avoid dividing by zero.'),
    ],
    shape: (_p, inputs) => ({ shape: [...inputs[0]] }),
    // gamma, beta (trainable) + moving mean, moving variance (not trainable), as Keras counts them.
    paramCount: (_p, inputs) => 4 * inputs[0][inputs[0].length - 1],
  },
  {
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
  },
  {
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
  },
  {
    type: 'Classifier', label: 'Softmax classifier', category: 'Output', inputs: 1,
    description: 'Dense layer with softmax over the classes, trained with cross-entropy.',
    params: [int('classes', 'Classes', 10, 2, 100000, 'Number of classes (10 for MNIST digits).')],
    shape: (p, inputs) => needsVector('Classifier', inputs) ?? { shape: [num(p, 'classes')] },
    paramCount: (p, inputs) => inputs[0][0] * num(p, 'classes') + num(p, 'classes'),
  },
];

export const BLOCK_LIST: readonly BlockDef[] = DEFS;
export const BLOCKS = Object.fromEntries(DEFS.map((d) => [d.type, d])) as Record<BlockType, BlockDef>;

export function isBlockType(type: unknown): type is BlockType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(BLOCKS, type);
}

/** The block's parameters with catalog defaults filled in (unknown keys dropped). */
export function resolveParams(block: Pick<Block, 'type' | 'params'>): Params {
  const def = BLOCKS[block.type];
  const out: Params = {};
  for (const spec of def.params) out[spec.key] = block.params[spec.key] ?? spec.default;
  return out;
}

/** The block's parameters that apply with these values (e.g. the std only for the normal initializer), in catalog order. */
export function visibleParams(def: Pick<BlockDef, 'params'>, params: Params): ParamSpec[] {
  return def.params.filter((spec) => SHOWN_WHEN[spec.key]?.(params) ?? true);
}

/** Error text for a parameter value that is out of its spec, or undefined when it is fine. */
export function checkParam(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : `${spec.label} must be on or off.`;
    case 'enum':
      return typeof value === 'string' && spec.options?.includes(value)
        ? undefined
        : `${spec.label} must be one of ${spec.options?.join(', ')}.`;
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.label} must be a number.`;
      if (spec.kind === 'int' && !Number.isInteger(value)) return `${spec.label} must be a whole number.`;
      if (spec.min !== undefined && value < spec.min) return `${spec.label} must be at least ${spec.min}.`;
      if (spec.max !== undefined && value > spec.max) return `${spec.label} must be at most ${spec.max}.`;
      return undefined;
    }
  }
}
