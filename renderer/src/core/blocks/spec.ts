// What one block type is, in one place: its parameters, shape and cost functions, its geometry
// (for receptive fields), how it builds its TensorFlow.js layer, and how it lowers to each export
// format (TF.js Layers JSON, ONNX, PyTorch). One file per block type implements BlockSpec; the
// registry (index.ts) lists them. Adding a block is one file plus its line in the registry (and
// its name in types.ts' BlockType union, which project files store).
//
// No runtime import of TensorFlow.js here or in any block file: the catalog (and so the editor's
// main thread and the CLI's --help) must not load it. The compiler hands the block a LayerKit
// holding its tfjs instance and the custom layer classes.
import type * as tfNs from '@tensorflow/tfjs';
import type { BlockDef, BlockType, ParamSpec, Params, Shape, ShapeResult } from '../graph/types';
import type { SameAvgPool2D } from '../compile/layers/avgpool';
import type { SeededDropout } from '../compile/layers/dropout';
import type { GroupedConv2D } from '../compile/layers/groupedconv';
import type { Upsample2D } from '../compile/layers/upsample';
import type { L2Pool2D } from '../compile/layers/l2pool';
import type { LocalContrastNorm } from '../compile/layers/lcn';

// ---------------------------------------------------------------- geometry

/**
 * How a block slides a window over its input, for receptive fields: window size, stride, TF/Keras
 * padding mode ('same' pads floor(total/2) before and the rest after) and dilation. Blocks that do
 * not slide a window (element-wise, dense, merge) have none.
 */
export interface Geometry {
  kernel: number;
  stride: number;
  padding: 'same' | 'valid';
  dilation: number;
}

// ---------------------------------------------------------------- tfjs layers

export interface CustomLayerClasses {
  SameAvgPool2D: typeof SameAvgPool2D;
  L2Pool2D: typeof L2Pool2D;
  LocalContrastNorm: typeof LocalContrastNorm;
  SeededDropout: typeof SeededDropout;
  GroupedConv2D: typeof GroupedConv2D;
  Upsample2D: typeof Upsample2D;
}

export type Initializer = ReturnType<typeof tfNs.initializers.zeros>;

/** What a block needs to build its tfjs layer (the compiler provides it). */
export interface LayerKit {
  tf: typeof tfNs;
  /** The layer name: the block id. */
  name: string;
  /** Resolved parameters (defaults filled in). */
  params: Params;
  /** This layer's own seed, or undefined for an unseeded compile. */
  seed: number | undefined;
  /** A kernel initializer of the given kind, seeded with the layer's seed. */
  init(kind: string): Initializer;
  custom: CustomLayerClasses;
}

// ---------------------------------------------------------------- export lowering contexts

/** A weight tensor of the trained model, as tfjs holds it (e.g. a conv kernel [kh, kw, in, out]). */
export interface WeightTensor {
  shape: number[];
  values: Float32Array;
}

/** What every lowering is told about the block instance. */
export interface LoweringBase {
  id: string;
  params: Params;
  /** Input shapes (app convention: [H, W, C] or [N]), in edge order. */
  inputShapes: Shape[];
  outputShape: Shape;
  /** The trained weight `<id>/<key>` (kernel, bias, gamma, beta, moving_mean, moving_variance). */
  weight(key: string): WeightTensor;
  /** Whether the trained weights hold `<id>/<key>`. */
  hasWeight(key: string): boolean;
}

/** A TF.js Layers topology entry: Keras class name and its (snake_case) config, without name. */
export interface TfjsLayerJson {
  className: string;
  config: Record<string, unknown>;
}

export type OnnxAttr = { i: number } | { f: number } | { ints: number[] } | { floats: number[] } | { s: string };

/**
 * Building an ONNX graph. Tensors between blocks are NCHW for images and [N, features] for
 * vectors (the Input block transposes the NHWC model input once).
 */
export interface OnnxLowering extends LoweringBase {
  /** Tensor names of the inputs, in edge order. */
  inputs: string[];
  /** The name this block's result must have. */
  output: string;
  node(op: string, inputs: string[], outputs: string[], attrs?: Record<string, OnnxAttr>): void;
  /** Adds a float32 initializer; returns its (unique) name. */
  constant(hint: string, dims: number[], values: Float32Array | number[]): string;
  /** Adds an int64 initializer (shapes, axes); returns its name. */
  constantInt64(hint: string, dims: number[], values: number[]): string;
  /** A fresh intermediate tensor name. */
  tmp(hint: string): string;
}

/** Building the PyTorch model.py and its state dict. */
export interface TorchLowering extends LoweringBase {
  /** The module attribute this block's submodule is kept under (`self.layers[key]`). */
  key: string;
}

export interface TorchBlock {
  /** Python expression that builds the submodule (in __init__), if the block has one. */
  module?: string;
  /** Python expression of the block's output from its argument expressions; `m` is the submodule. */
  forward(args: string[], m: string): string;
  /** State-dict entries of the submodule (suffix → tensor in PyTorch layout). */
  state?: Record<string, WeightTensor | { int64: number }>;
  /** Names of Python helpers (from the block specs' `pythonHelpers`) the code uses. */
  helpers?: string[];
}

// ---------------------------------------------------------------- tfjs import

/** A layer of an imported TF.js Layers model.json, as the import hands it to a block. */
export interface TfjsLayerIn {
  /** Keras class name. */
  className: string;
  /** The layer's name (for messages). */
  name: string;
  /** Its (snake_case) config. */
  config: Record<string, unknown>;
  /** Whether it is the model's output. */
  isOutput: boolean;
}

/** A layer read back as a block. */
export interface TfjsImported {
  /** The block's parameters (unnamed ones take their defaults). */
  params: Params;
  /**
   * The axis the layer works on, for blocks that work on the channels: checked once the shapes
   * are known (it must be -1 or the last axis), then dropped.
   */
  axis?: number;
}

/** How a block reads its layer back from a TF.js Layers model (export/import-tfjs.ts). */
export interface TfjsImport {
  /** The Keras class names it reads (what its `tfjs` writes; stock tfjs' names for the same layer). */
  classNames: readonly string[];
  /**
   * The block's parameters from the layer's config, or null when the layer is another block's
   * with the same class name (a softmax Dense is the Classifier). Throws ImportError
   * (tfjs-import.ts) naming the layer where the config asks for what the block cannot express.
   */
  read(layer: TfjsLayerIn): TfjsImported | null;
  /** The keys of the weights its tfjs layer holds (the compiler's layer makes exactly these); none if absent. */
  weightKeys?(params: Params): string[];
}

// ---------------------------------------------------------------- the spec

export interface BlockSpec extends BlockDef {
  type: BlockType;
  /** Multiply-adds of one example's forward pass (see graph/cost.ts for the convention). */
  multiplyAdds(params: Params, inputs: Shape[], output: Shape): number;
  /** The sliding window this block applies, or null (see Geometry). */
  geometry(params: Params): Geometry | null;
  /** The tfjs layer for this block; absent for Input (the compiler makes tf.input). */
  layer?(kit: LayerKit): tfNs.layers.Layer;
  /** The layer in an exported TF.js Layers model.json. Input: InputLayer. */
  tfjs(params: Params, inputShapes: Shape[], outputShape: Shape): TfjsLayerJson;
  /**
   * Source of the tfjs classes this block needs registered beside model.json (custom layers
   * only): JavaScript statements that run inside `register(tf)` with `tf`, `Layer` (tf.layers.Layer)
   * and its `helpers` (JavaScript function or class definitions by name, shared between blocks and
   * written once) in scope, and register their classes.
   */
  tfjsRegistration?: { className: string; source: string; helpers?: Record<string, string> };
  /** How the layer is read back when a TF.js Layers model is imported; absent: not importable. */
  tfjsImport?: TfjsImport;
  /** ONNX nodes computing this block's output. */
  onnx(ctx: OnnxLowering): void;
  /** PyTorch submodule and forward expression. */
  torch(ctx: TorchLowering): TorchBlock;
  /** Python class or function definitions this block's torch code uses, by name. */
  pythonHelpers?: Record<string, string>;
}

// ---------------------------------------------------------------- parameter helpers

export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'linear'] as const;
export const INITIALIZERS = ['glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'normal', 'zeros'] as const;
export const PADDINGS = ['same', 'valid'] as const;

export const int = (key: string, label: string, def: number, min: number, max: number, help: string): ParamSpec => ({
  key, label, kind: 'int', default: def, min, max, step: 1, help,
});
export const float = (key: string, label: string, def: number, min: number, max: number, step: number, help: string): ParamSpec => ({
  key, label, kind: 'float', default: def, min, max, step, help,
});
export const choice = (key: string, label: string, options: readonly string[], def: string, help: string): ParamSpec => ({
  key, label, kind: 'enum', default: def, options, help,
});
export const bool = (key: string, label: string, def: boolean, help: string): ParamSpec => ({ key, label, kind: 'bool', default: def, help });

export const activation = (def: string) =>
  choice('activation', 'Activation', ACTIVATIONS, def, 'Non-linearity applied to the output: relu = max(0, x); linear = none.');
export const initializer = (def: string) =>
  choice('initializer', 'Initializer', INITIALIZERS, def,
    'How weights start. He suits ReLU, Glorot suits tanh/sigmoid (both scale to the layer size); normal uses the std you pick; zeros makes every unit identical, so they never learn different features.');
export const initStd = float('initStd', 'Initial std', 0.05, 0.0001, 10, 0.01, 'Standard deviation of the normal initializer: too small and signals fade layer by layer, too large and they explode.');
export const useBias = bool('useBias', 'Use bias', true, 'Add a learned bias per output channel.');

/**
 * Parameters shown only for some values of the others (the rest are always shown). The compiler
 * reads them only in the same case.
 */
export const SHOWN_WHEN: Record<string, (p: Params) => boolean> = {
  initStd: (p) => p.initializer === 'normal',
};

export const num = (p: Params, key: string): number => Number(p[key]);
export const str = (p: Params, key: string): string => String(p[key]);
export const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);
export const noParams = (): number => 0;
export const noCost = (): number => 0;
export const noGeometry = (): null => null;

// ---------------------------------------------------------------- shape helpers

/** Output length of a sliding window along one axis, as Keras computes it. */
export function windowOutput(size: number, kernel: number, stride: number, padding: string): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.floor((size - kernel) / stride) + 1;
}

/** TF/Keras 'same' padding along one axis: [before, after]; an odd extra cell goes after. */
export function samePad(size: number, kernel: number, stride: number): [number, number] {
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before];
}

/** Explicit pads [top, left, bottom, right] of a window on an [H, W, C] input ('valid': zeros). */
export function explicitPads(input: Shape, kernel: number, stride: number, padding: string): [number, number, number, number] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const [top, bottom] = samePad(input[0], kernel, stride);
  const [left, right] = samePad(input[1], kernel, stride);
  return [top, left, bottom, right];
}

/** Shared checks for blocks that take one image tensor [H, W, C]. */
export function needsImage(label: string, inputs: Shape[]): ShapeResult | undefined {
  const s = inputs[0];
  if (s.length !== 3) {
    return {
      error: `${label} needs an image input (H×W×C) but gets a vector of ${s.join('×')}.`,
      hint: 'Move this block before the Flatten/Dense blocks, or use an image Input.',
    };
  }
  return undefined;
}

export function needsVector(label: string, inputs: Shape[]): ShapeResult | undefined {
  const s = inputs[0];
  if (s.length !== 1) {
    return {
      error: `${label} needs a vector input but gets a ${s.length}-D tensor ${s.join('×')}.`,
      hint: 'Insert a Flatten block before this block.',
    };
  }
  return undefined;
}

export function slidingShape(label: string, inputs: Shape[], kernel: number, stride: number, padding: string, channels?: number): ShapeResult {
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

// ---------------------------------------------------------------- lowering helpers shared by blocks

/** Python literal of a number (repr-like; integers stay integers). */
export const py = (v: number | boolean | string): string =>
  typeof v === 'boolean' ? (v ? 'True' : 'False') : typeof v === 'string' ? JSON.stringify(v) : String(v);

/** The torch expression of an element-wise activation applied to `x`. */
export function torchActivation(fn: string, x: string): string {
  switch (fn) {
    case 'relu':
      return `torch.relu(${x})`;
    case 'sigmoid':
      return `torch.sigmoid(${x})`;
    case 'tanh':
      return `torch.tanh(${x})`;
    case 'softmax':
      return `torch.softmax(${x}, dim=1)`;
    default:
      return x;
  }
}

/** ONNX op of an element-wise activation; undefined for linear. */
export function onnxActivation(fn: string): string | undefined {
  return ({ relu: 'Relu', sigmoid: 'Sigmoid', tanh: 'Tanh' } as Record<string, string | undefined>)[fn];
}

/** Emits `out = act(x)` (Identity for linear). */
export function onnxApplyActivation(ctx: OnnxLowering, fn: string, x: string, out: string): void {
  const op = onnxActivation(fn);
  ctx.node(op ?? 'Identity', [x], [out]);
}

/** A tfjs conv kernel [kh, kw, in, out] as PyTorch/ONNX's [out, in, kh, kw]. */
export function convKernelToOIHW(w: WeightTensor): WeightTensor {
  const [kh, kw, cin, cout] = w.shape;
  const out = new Float32Array(w.values.length);
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      for (let c = 0; c < cin; c++) {
        for (let o = 0; o < cout; o++) out[((o * cin + c) * kh + i) * kw + j] = w.values[((i * kw + j) * cin + c) * cout + o];
      }
    }
  }
  return { shape: [cout, cin, kh, kw], values: out };
}

/** A 2-D matrix transposed ([in, out] → [out, in]). */
export function transpose2d(w: WeightTensor): WeightTensor {
  const [r, c] = w.shape;
  const out = new Float32Array(w.values.length);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = w.values[i * c + j];
  return { shape: [c, r], values: out };
}
