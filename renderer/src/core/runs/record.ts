// A run record: everything that produced a trained model and everything it produced. Plain data,
// kept by the runs store (IndexedDB in the app), written into trained project files by the CLI
// and the app, and shown in the run history.
import type { DatasetPreprocessing } from '../data/normalize';
import type { Graph } from '../graph/types';
import type { BackendName, TrainConfig } from '../train/config';
import type { RunCurves, WeightsBlob } from '../train/protocol';

/** The dataset a run used, without environment details such as URLs (or the data itself). */
export type DatasetDescriptor =
  | { kind: 'mnist' }
  | {
      kind: 'imported';
      /** The id the worker caches it by (DatasetRef 'memory'). */
      id: string;
      name: string;
      format: 'images' | 'csv' | 'idx' | 'npy';
      /** [H, W, C] after preprocessing. */
      shape: [number, number, number];
      classes: string[];
      train: number;
      test: number;
      /**
       * How training prepared the values (normalization mode, scale/mean/std, resize, colour), so
       * eval, predict and the drawing pad repeat it. Absent in runs recorded before it existed.
       */
      preprocessing?: DatasetPreprocessing;
    };

export type RunState = 'running' | 'paused' | 'done' | 'stopped' | 'error' | 'interrupted';

export interface RunMetrics {
  testAccuracy: number;
  testLoss: number;
  /** Training seconds (paused time excluded). */
  seconds: number;
  examplesSeen: number;
  examplesPerSecond: number;
  /** Trainable and non-trainable weights of the model that reaches the output. */
  params: number;
  /** Multiply-adds of one forward pass of one example. */
  multiplyAdds: number;
  /** Set when early stopping restored the weights of this epoch. */
  restoredEpoch?: number;
}

export interface RunRecord {
  id: string;
  name: string;
  createdAt: number;
  /** The exact network and settings that produced the run (snapshots, never live references). */
  graph: Graph;
  config: TrainConfig;
  dataset: DatasetDescriptor;
  state: RunState;
  backend?: BackendName;
  curves: RunCurves;
  /** Epochs completed. */
  epoch: number;
  metrics?: RunMetrics;
  error?: string;
  /**
   * The project document the run belongs to (core/runs/owner.ts): the one open when it was trained,
   * or the project file it was opened from. A Save writes only its own document's runs. Absent in
   * records from before runs had an owner: those belong to no project until the user adds them.
   * Kept in the run history (IndexedDB) only: project files carry their id once, at the top.
   */
  project?: string;
  /** Set when the run belongs to a Lab experiment (its id and the run's key in it). */
  lab?: { experiment: string; variant: string };
  /** Final (or last paused) weights; absent while a run has produced none. */
  weights?: WeightsBlob;
}
