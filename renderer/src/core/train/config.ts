// Training settings: plain data, stored in run records and project files. Ranges and help texts
// live in settings.ts; this file is only the shape and the defaults.

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export const OPTIMIZERS = ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** How the learning rate changes over epochs. */
export const SCHEDULES = ['constant', 'step', 'cosine', 'plateau'] as const;
export type ScheduleName = (typeof SCHEDULES)[number];

/** Gradient clipping: by the global norm of all gradients, by each value, or none. */
export const CLIP_MODES = ['none', 'norm', 'value'] as const;
export type ClipMode = (typeof CLIP_MODES)[number];

export interface TrainConfig {
  optimizer: OptimizerName;
  learningRate: number;
  /** Used by 'momentum' and 'nesterov'. */
  momentum: number;
  /** L2 weight decay added to every kernel's gradient (0 = off). */
  weightDecay: number;
  schedule: ScheduleName;
  /** 'step': multiply the rate by stepFactor every stepEvery epochs. 'plateau': by stepFactor after plateauPatience epochs without a better validation loss. */
  stepEvery: number;
  stepFactor: number;
  plateauPatience: number;
  /** Floor for 'plateau' and 'step', and the end value of 'cosine'. */
  minLearningRate: number;
  clip: ClipMode;
  /** The global-norm threshold ('norm', the lecture uses 15) or the value bound ('value'). */
  clipValue: number;
  /** Stop when the validation loss has not improved for earlyStoppingPatience epochs, and restore the best weights. */
  earlyStopping: boolean;
  earlyStoppingPatience: number;
  batchSize: number;
  epochs: number;
  /** Fraction (0..0.5) of the training set held out for validation curves. */
  validationSplit: number;
  /** Train on at most this many examples per epoch (quick runs); undefined = all. */
  maxExamples?: number;
  /** Evaluate on at most this many test examples; undefined = the whole test set. */
  maxTestExamples?: number;
  /** Backends to try, in order; undefined = Auto. */
  backends?: BackendName[];
  /** Seed for initial weights, shuffling, crops and Dropout masks, so runs are repeatable. */
  seed: number;
  /** Augmentation (training batches only): mirror half the examples left↔right. Absent = off. */
  flipHorizontal?: boolean;
  /** Augmentation: move each example by up to ±this many pixels in x and y. Absent or 0 = off. */
  shiftPixels?: number;
  /** What fills the border a shift uncovers: zeros (black, the default) or the edge pixels. */
  shiftPadding?: 'zero' | 'edge';
  /** Record each layer's gradient norm every few steps (the per-layer chart). Absent = off. */
  recordGradientNorms?: boolean;
}

export const SHIFT_PADDINGS = ['zero', 'edge'] as const;

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  weightDecay: 0,
  schedule: 'constant',
  stepEvery: 1,
  stepFactor: 0.5,
  plateauPatience: 1,
  minLearningRate: 1e-6,
  clip: 'none',
  clipValue: 15,
  earlyStopping: false,
  earlyStoppingPatience: 2,
  batchSize: 32,
  epochs: 1,
  validationSplit: 0.1,
  seed: 1,
  flipHorizontal: false,
  shiftPixels: 0,
  shiftPadding: 'zero',
  recordGradientNorms: false,
};

/** A config from an older file or a partial patch, completed with the defaults. */
export function withDefaults(partial: Partial<TrainConfig>): TrainConfig {
  const out = { ...DEFAULT_TRAIN_CONFIG } as TrainConfig & Record<string, unknown>;
  for (const [k, v] of Object.entries(partial)) if (v !== undefined || k === 'maxExamples' || k === 'maxTestExamples') out[k] = v;
  return out;
}
