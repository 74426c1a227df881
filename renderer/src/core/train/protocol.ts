// The training worker protocol: a typed union of plain-data messages (structured-clone safe).
// The renderer never touches tensors; the worker never touches the DOM or stores.
import type { Graph } from '../graph/types';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const BACKEND_CHAIN: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export type OptimizerName = 'sgd' | 'momentum' | 'adam';

export interface TrainConfig {
  optimizer: OptimizerName;
  learningRate: number;
  /** Used by 'momentum' only. */
  momentum: number;
  batchSize: number;
  epochs: number;
  /** Fraction (0..0.5) of the training set held out for validation curves. */
  validationSplit: number;
  /** Train on at most this many examples per epoch (quick runs); undefined = all. */
  maxExamples?: number;
  /** Evaluate on at most this many test examples; undefined = the whole test set. */
  maxTestExamples?: number;
  /** Backends to try, in order; undefined = BACKEND_CHAIN. */
  backends?: BackendName[];
  /** Seed for shuffling and crops, so runs are repeatable. */
  seed: number;
}

export const DEFAULT_TRAIN_CONFIG: TrainConfig = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  batchSize: 32,
  epochs: 1,
  validationSplit: 0.1,
  seed: 1,
};

/** Where the worker gets its data. More kinds (image folders, CSV, .npy) come later. */
export type DatasetRef = { kind: 'mnist'; baseUrl: string };

export type TrainPhase = 'loading-data' | 'compiling' | 'probing' | 'training' | 'evaluating';

export interface BackendAttempt {
  backend: BackendName;
  ok: boolean;
  /** Why the backend was skipped (not available, missing kernel, ...). */
  reason?: string;
}

export type ToWorker =
  | {
      type: 'train';
      runId: string;
      graph: Graph;
      config: TrainConfig;
      dataset: DatasetRef;
      /**
       * Absolute URL of the folder holding tfjs-backend-wasm*.wasm (ends with '/'). Optional: the
       * worker falls back to `../wasm/` next to its own script, which is right for built apps only.
       */
      wasmBaseUrl?: string;
    }
  | { type: 'stop'; runId: string };

export type FromWorker =
  | { type: 'status'; runId: string; phase: TrainPhase; message: string }
  | { type: 'backend'; runId: string; backend: BackendName; attempts: BackendAttempt[] }
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
    }
  | {
      type: 'epoch';
      runId: string;
      epoch: number;
      loss: number;
      accuracy: number;
      valLoss: number;
      valAccuracy: number;
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
  | {
      type: 'done';
      runId: string;
      stopped: boolean;
      testLoss: number;
      testAccuracy: number;
      seconds: number;
    }
  | { type: 'error'; runId: string; message: string; blockId?: string };
