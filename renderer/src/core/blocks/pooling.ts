// What the pooling blocks (max, average, L2) share: parameters, shape, cost, geometry, explicit
// pads, and the JavaScript and Python helpers their exports use. Not a block itself.
import type { ParamSpec, Params, Shape, ShapeResult } from '../graph/types';
import { choice, explicitPads, int, num, PADDINGS, size, slidingShape, str, type Geometry, type TfjsImported, type TfjsLayerIn } from './spec';
import { channelsLast, padding, square } from './tfjs-import';

export const poolParams = (padDefault: string): ParamSpec[] => [
  int('poolSize', 'Pool size', 2, 1, 32, 'Width and height of the pooling window.'),
  int('stride', 'Stride', 2, 1, 32, 'Step between windows; equal to the pool size for non-overlapping pooling.'),
  choice('padding', 'Padding', PADDINGS, padDefault, "'valid' drops border cells that do not fill a window; 'same' keeps ceil(size / stride)."),
];

export const poolShape = (label: string) => (p: Params, inputs: Shape[]): ShapeResult =>
  slidingShape(label, inputs, num(p, 'poolSize'), num(p, 'stride'), str(p, 'padding'));

/** Each window cell is visited once (compare, add, or square-and-add): outH·outW·C·k·k. */
export const poolMultiplyAdds = (p: Params, _inputs: Shape[], output: Shape): number => size(output) * num(p, 'poolSize') ** 2;

export const poolGeometry = (p: Params): Geometry => ({
  kernel: num(p, 'poolSize'), stride: num(p, 'stride'), padding: str(p, 'padding') === 'same' ? 'same' : 'valid', dilation: 1,
});

/** A Keras pooling layer's window, stride (default: the window) and padding (default 'valid'). */
export function poolFromTfjs({ name, config: c }: TfjsLayerIn): TfjsImported {
  channelsLast(c, name);
  const k = square(c.pool_size ?? 2, 'pool size', name);
  return { params: { poolSize: k, stride: c.strides == null ? k : square(c.strides, 'stride', name), padding: padding(c.padding ?? 'valid', name) } };
}

/** Window, stride and explicit pads [top, left, bottom, right] of a pooling block on its input. */
export function poolWindow(p: Params, input: Shape): { k: number; s: number; pads: [number, number, number, number]; padded: boolean } {
  const k = num(p, 'poolSize');
  const s = num(p, 'stride');
  const pads = explicitPads(input, k, s, str(p, 'padding'));
  return { k, s, pads, padded: pads.some((v) => v > 0) };
}

/** ONNX pooling attributes (pads as ONNX orders them: begins then ends). */
export function onnxPoolAttrs(k: number, s: number, pads: [number, number, number, number]) {
  return { kernel_shape: { ints: [k, k] }, strides: { ints: [s, s] }, pads: { ints: pads } };
}

/** PyTorch F.pad's order: (left, right, top, bottom). */
export const torchPads = ([top, left, bottom, right]: [number, number, number, number]): string => `(${left}, ${right}, ${top}, ${bottom})`;

// ---------------------------------------------------------------- export helpers

/** JavaScript helpers of the TF.js registration module for the custom pooling layers. */
export const JS_POOL_HELPERS: Record<string, string> = {
  single: `const single = (inputs) => (Array.isArray(inputs) ? inputs[0] : inputs);`,
  samePad: `// TF/Keras 'same' padding along one axis: [before, after]; an odd extra cell goes after.
function samePad(size, kernel, stride) {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}`,
  avgPool2d: `// Average pooling; 'same' averages only the cells inside the input (and has a correct gradient).
function avgPool2d(x, poolSize, stride, padding) {
  if (padding !== 'same') return tf.avgPool(x, poolSize, stride, 'valid');
  return tf.tidy(() => {
    const [, height, width] = x.shape;
    const [top, bottom] = samePad(height, poolSize, stride);
    const [left, right] = samePad(width, poolSize, stride);
    const counts = (size, before) => {
      const out = [];
      for (let o = 0; o < Math.ceil(size / stride); o++) {
        const start = o * stride - before;
        out.push(Math.max(Math.min(start + poolSize, size) - Math.max(start, 0), 1));
      }
      return out;
    };
    const rows = counts(height, top);
    const cols = counts(width, left);
    const map = new Float32Array(rows.length * cols.length);
    for (let i = 0; i < rows.length; i++) for (let j = 0; j < cols.length; j++) map[i * cols.length + j] = (poolSize * poolSize) / (rows[i] * cols[j]);
    const mean = tf.avgPool(tf.pad(x, [[0, 0], [top, bottom], [left, right], [0, 0]]), poolSize, stride, 'valid');
    return tf.mul(mean, tf.tensor4d(map, [1, rows.length, cols.length, 1]));
  });
}`,
  PoolBase: `// Window, stride, padding, output shape and config of the custom pooling layers.
class PoolBase extends Layer {
  constructor(args, defaultPadding) {
    super(args);
    this.poolSize = args.poolSize;
    this.strides = args.strides ?? args.poolSize;
    this.padding = args.padding ?? defaultPadding;
  }
  computeOutputShape(inputShape) {
    const s = Array.isArray(inputShape[0]) ? inputShape[0] : inputShape;
    const out = (n) => (n === null ? null : this.padding === 'same' ? Math.ceil(n / this.strides) : Math.floor((n - this.poolSize) / this.strides) + 1);
    return [s[0], out(s[1]), out(s[2]), s[3]];
  }
  getConfig() {
    return { ...super.getConfig(), poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}`,
};

/** Python helpers of model.py for 'same' average pooling (and L2 pooling built on it). */
export const PY_POOL_HELPERS: Record<string, string> = {
  avg_pool_same: `def avg_pool_same(x, k, s, pads):
    """Average over the cells of each window that lie inside the input (TF 'same' padding)."""
    total = F.avg_pool2d(F.pad(x, pads), k, s)
    inside = F.avg_pool2d(F.pad(torch.ones_like(x[:1, :1]), pads), k, s)
    return total / inside`,
};
