// The worker protocol: the worker is a small job server that keeps trained models by run id and
// serves jobs against them. Messages are a typed union of plain data (structured-clone safe),
// handled exhaustively on both sides (see assertNever). The renderer never touches tensors; the
// worker never touches the DOM or stores.
import type { SourceData } from '../data/dataset';
import type { Graph } from '../graph/types';
import type { LabTask, LabTaskResult } from '../lab/types';
import type { ActivationsPayload, AttributionPayload, FiltersPayload, MaximizePayload, PatchesPayload, VizInput } from '../viz/types';
import type { BackendName, TrainConfig } from './config';

export { BACKEND_CHAIN, DEFAULT_TRAIN_CONFIG } from './config';
export type { BackendName, OptimizerName, TrainConfig } from './config';

/**
 * Where the worker gets its data: the bundled MNIST; a dataset the renderer (or the CLI) imported
 * with core/data/sources and sent once as parsed arrays, cached in the worker by `id` (later
 * messages may leave `data` out while the worker still holds it); or a dataset stored on disk by
 * the import (core/data/store: OPFS in the app) that the worker opens by `id` and streams in batches.
 */
export type DatasetRef =
  | { kind: 'mnist'; baseUrl: string }
  | { kind: 'memory'; id: string; name: string; data?: SourceData }
  | { kind: 'stored'; id: string; name: string };

export type TrainPhase = 'loading-data' | 'compiling' | 'probing' | 'training' | 'evaluating';

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why the backend was skipped (not available, missing kernel, ...). */
  reason?: string;
  /** Measured training throughput of a few real steps, when Auto timed it. */
  examplesPerSec?: number;
}

/** [examples seen, value] — the x axis of every curve is training progress in examples. */
export type CurvePoint = [number, number];

export interface RunCurves {
  trainLoss: CurvePoint[];
  trainAcc: CurvePoint[];
  valLoss: CurvePoint[];
  valAcc: CurvePoint[];
  /** The learning rate in force, one point per epoch start. */
  learningRate: CurvePoint[];
  /** Per-layer gradient norms (block id → norm), when the run recorded them (the renderer keeps these). */
  gradientNorms?: { examplesSeen: number; norms: Record<string, number> }[];
}

export const emptyCurves = (): RunCurves => ({ trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] });

/** Per-layer L2 norms of the raw gradients (before decay and clipping) after `steps` optimizer steps. */
export interface GradientNormsReading {
  steps: number;
  examplesSeen: number;
  /** Layer (block id) → norm of all its trainable weights' gradients. */
  norms: Record<string, number>;
}

/** Named float32 tensors packed into one buffer (little-endian, in `specs` order). */
export interface WeightsBlob {
  specs: { name: string; shape: number[] }[];
  data: ArrayBuffer;
}

/** Learning-rate schedule and early-stopping bookkeeping carried across epochs (and checkpoints). */
export interface ScheduleState {
  learningRate: number;
  bestValLoss: number;
  /** Epochs since the validation loss last improved (plateau and early stopping). */
  badEpochs: number;
  bestEpoch: number;
}

/**
 * Everything needed to continue a run exactly where an epoch ended: written at every epoch end,
 * kept by the renderer (IndexedDB or a file), sent back in a 'train' message after a crash or reload.
 */
export interface Checkpoint {
  runId: string;
  /** Epochs completed; training continues with epoch + 1. */
  epoch: number;
  /**
   * A checkpoint taken at a pause: examples of epoch + 1 already trained, and that epoch's running
   * loss/accuracy sums, so a reload continues mid-epoch exactly. Absent (0) at epoch ends.
   */
  offset?: number;
  partial?: { loss: number; correct: number; n: number };
  examplesSeen: number;
  /** Optimizer steps taken (Dropout masks are seeded from the step). */
  steps: number;
  weights: WeightsBlob;
  /** tf.Optimizer#getWeights(), in order (iteration count first). */
  optimizer: WeightsBlob;
  schedule: ScheduleState;
  /** Weights of the best validation epoch, for early stopping's restore. */
  bestWeights?: WeightsBlob;
  /** Training seconds so far (a resumed run's duration adds to it). */
  seconds: number;
  curves: RunCurves;
  savedAt: number;
}

// ------------------------------------------------------------------ renderer → worker

export type ToWorker =
  /** Start a run (or continue one from `from`, a checkpoint of the same run). */
  | {
      type: 'train';
      runId: string;
      graph: Graph;
      config: TrainConfig;
      dataset: DatasetRef;
      from?: Checkpoint;
      /**
       * Auto only: a backend measured fastest for a model of this size on this machine before. It is
       * tried first, without measuring every backend again (which costs seconds of shader compiles).
       */
      preferBackend?: BackendName;
      /**
       * Absolute URL of the folder holding tfjs-backend-wasm*.wasm (ends with '/'). Optional: the
       * worker falls back to `../wasm/` next to its own script, which is right for built apps only.
       */
      wasmBaseUrl?: string;
      /** Record per-layer gradient norms every this many steps (sent with 'progress'); absent = off. */
      gradientNormsEvery?: number;
    }
  /** End a run's training now (the test pass is skipped); its model stays for evaluation. */
  | { type: 'stop'; runId: string }
  /** Stop at the next batch, keeping model, optimizer and position in the worker for 'resume'. */
  | { type: 'pause'; runId: string }
  | { type: 'resume'; runId: string }
  /** Rebuild a finished run's model in the worker from stored weights (after a reload). */
  | { type: 'load'; jobId: string; runId: string; graph: Graph; config: TrainConfig; dataset: DatasetRef; weights: WeightsBlob; wasmBaseUrl?: string }
  /** Test-set evaluation of a run: the whole test set, or a seeded random sample of `sample` images. */
  | { type: 'evaluate'; jobId: string; runId: string; sample?: number; seed?: number }
  /** Class probabilities for `count` inputs laid out as the model's input shape (float32, already scaled). */
  | { type: 'predict'; jobId: string; runId: string; inputs: Float32Array; count: number }
  /** Raw test (or train) images by index, for galleries. */
  | { type: 'samples'; jobId: string; runId: string; split: 'train' | 'test'; indices: number[] }
  /** The run's current weights (for saving a trained project). */
  | { type: 'weights'; jobId: string; runId: string }
  /** Look inside: every conv layer's kernels. */
  | { type: 'viz-filters'; jobId: string; runId: string }
  /** Top-k patches per filter of `layer` (a block id) over the test (or train) set, or its first `limit` images. */
  | { type: 'viz-patches'; jobId: string; runId: string; layer: string; k?: number; split?: 'test' | 'train'; limit?: number }
  /** Every layer's activation maps for one input. */
  | { type: 'viz-activations'; jobId: string; runId: string; input: VizInput }
  /** Gradient saliency and occlusion sensitivity of class `target` (default: the predicted one). */
  | { type: 'viz-attribution'; jobId: string; runId: string; input: VizInput; target?: number; occlusion?: { size?: number; stride?: number; fill?: number } }
  /** Activation maximization: one synthetic input per filter of `layer` (default all filters). */
  | { type: 'viz-maximize'; jobId: string; runId: string; layer: string; filters?: number[]; steps?: number; range?: [number, number]; seed?: number }
  /** Lab experiments: a linear probe per layer, FGSM over ε, or an ensemble with other runs (core/lab/types.ts). */
  | { type: 'lab'; jobId: string; runId: string; task: LabTask }
  | { type: 'cancel'; jobId: string }
  /** Forget a run's model (frees its tensors). */
  | { type: 'dispose'; runId: string };

// ------------------------------------------------------------------ worker → renderer

export interface EvaluationResult {
  loss: number;
  accuracy: number;
  count: number;
  classes: number;
  /** Test-set indices evaluated, in order. */
  indices: Uint32Array;
  /** True and predicted classes (Int32: any number of classes). */
  labels: Int32Array;
  predicted: Int32Array;
  /** The predicted class's probability. */
  confidence: Float32Array;
  /** confusion[trueClass][predictedClass] = count. */
  confusion: number[][];
}

export type JobResult =
  | { kind: 'load' }
  | { kind: 'evaluate'; evaluation: EvaluationResult }
  | { kind: 'predict'; probabilities: Float32Array; classes: number }
  /**
   * Dataset examples for galleries: `images` are display bytes (0..255; float data scaled back, see
   * data/thumbnails.ts), `values` the stored floats of a float dataset, `labels` any class index.
   */
  | { kind: 'samples'; images: Uint8Array; height: number; width: number; channels: number; labels: Int32Array; values?: Float32Array; classNames?: string[] }
  | { kind: 'weights'; weights: WeightsBlob }
  | ({ kind: 'viz-filters' } & FiltersPayload)
  | ({ kind: 'viz-patches' } & PatchesPayload)
  | ({ kind: 'viz-activations' } & ActivationsPayload)
  | ({ kind: 'viz-attribution' } & AttributionPayload)
  | ({ kind: 'viz-maximize' } & MaximizePayload)
  | { kind: 'lab'; result: LabTaskResult };

export type FromWorker =
  | { type: 'status'; runId: string; phase: TrainPhase; message: string }
  | {
      type: 'backend';
      runId: string;
      backend: BackendName;
      attempts: BackendAttempt[];
      /** How the badge should name it, e.g. 'wasm (1 thread)'. */
      label?: string;
      /** Auto measured every backend this time (so the choice is worth remembering). */
      measured?: boolean;
    }
  | {
      type: 'progress';
      runId: string;
      epoch: number;
      /** Examples seen so far in this run, and in total planned for the run. */
      examplesSeen: number;
      totalExamples: number;
      /** Mean training loss / accuracy over the batches since the last progress message. */
      loss: number;
      accuracy: number;
      examplesPerSec: number;
      /** Per-layer gradient norms read since the last progress message (only when the train message asked). */
      gradientNorms?: GradientNormsReading[];
    }
  | {
      type: 'epoch';
      runId: string;
      epoch: number;
      examplesSeen: number;
      loss: number;
      accuracy: number;
      valLoss: number;
      valAccuracy: number;
      /** The rate used during this epoch. */
      learningRate: number;
    }
  | {
      type: 'filters';
      runId: string;
      /** The Conv2D block whose kernel this is. */
      blockId: string;
      /** Kernel shape [kh, kw, inChannels, filters], as tfjs stores it. */
      shape: [number, number, number, number];
      data: Float32Array;
    }
  | { type: 'checkpoint'; runId: string; checkpoint: Checkpoint }
  | { type: 'paused'; runId: string; epoch: number; examplesSeen: number }
  /** Something the user should know that does not end the run (restored best weights, backend fell back…). */
  | { type: 'notice'; runId: string; message: string }
  | {
      type: 'done';
      runId: string;
      stopped: boolean;
      testLoss: number;
      testAccuracy: number;
      seconds: number;
      examplesSeen: number;
      /** Set when early stopping ended the run and restored the weights of this epoch. */
      restoredEpoch?: number;
    }
  | { type: 'error'; runId: string; message: string; blockId?: string }
  | { type: 'job-progress'; jobId: string; fraction: number; message: string }
  | { type: 'job-result'; jobId: string; result: JobResult }
  | { type: 'job-error'; jobId: string; message: string; cancelled?: boolean };

/** A compile-time check that a switch over a union handled every member. */
export function assertNever(x: never): never {
  throw new Error(`unhandled message ${JSON.stringify(x)}`);
}

/** Buffers a message can hand over instead of copying. */
export function transferables(m: FromWorker): ArrayBuffer[] {
  switch (m.type) {
    case 'filters':
      return [m.data.buffer as ArrayBuffer];
    case 'job-result':
      switch (m.result.kind) {
        case 'predict':
          return [m.result.probabilities.buffer as ArrayBuffer];
        case 'samples':
          return [m.result.images.buffer as ArrayBuffer, m.result.labels.buffer as ArrayBuffer, ...(m.result.values ? [m.result.values.buffer as ArrayBuffer] : [])];
        case 'weights':
          return [m.result.weights.data];
        default:
          return [];
      }
    default:
      return [];
  }
}
