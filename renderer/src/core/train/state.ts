// A run's training state: the model, its optimizer and where training stands. The worker keeps one
// per run between jobs (so a paused run resumes with its optimizer state), and converts it to and
// from Checkpoints (so a run survives a crash or a reload).
import * as tf from '@tensorflow/tfjs';
import { setDropoutCalls } from '../compile/layers/dropout';
import type { TrainConfig } from './config';
import { makeOptimizer, setLearningRate } from './optimizers';
import { emptyCurves, type Checkpoint, type RunCurves, type ScheduleState } from './protocol';
import { initialSchedule, learningRateForEpoch } from './schedule';
import {
  disposeAll, packTensors, readModelWeights, readOptimizerState, restoreWeights, snapshotWeights, unpackTensors,
  writeModelWeights, writeOptimizerState,
} from './weights';

export interface TrainState {
  readonly runId: string;
  readonly model: tf.LayersModel;
  readonly config: TrainConfig;
  readonly optimizer: tf.Optimizer;
  /** The epoch in progress (1-based); config.epochs + 1 once every epoch is done. */
  epoch: number;
  /** Examples of the current epoch already trained (a pause can fall mid-epoch). */
  offset: number;
  examplesSeen: number;
  /** Optimizer steps taken (Dropout masks are seeded from it). */
  steps: number;
  /** Training seconds so far, pauses excluded. */
  seconds: number;
  schedule: ScheduleState;
  curves: RunCurves;
  /** Sums over the current epoch's batches so far. */
  partial: { loss: number; correct: number; n: number };
  /** Weights at the last epoch end (or the start): restored when the loss diverges. */
  lastGood: tf.Tensor[];
  /** Weights of the best validation epoch (early stopping restores them). */
  best: tf.Tensor[] | null;
}

export function createState(runId: string, model: tf.LayersModel, config: TrainConfig): TrainState {
  const schedule = initialSchedule(config);
  const optimizer = makeOptimizer({ ...config, learningRate: learningRateForEpoch(config, 1, schedule) });
  return {
    runId, model, config, optimizer,
    epoch: 1, offset: 0, examplesSeen: 0, steps: 0, seconds: 0,
    schedule, curves: emptyCurves(), partial: { loss: 0, correct: 0, n: 0 },
    lastGood: snapshotWeights(model), best: null,
  };
}

/** Rebuilds the state a checkpoint describes, on a freshly compiled model of the same graph. */
export async function stateFromCheckpoint(model: tf.LayersModel, config: TrainConfig, ckpt: Checkpoint): Promise<TrainState> {
  writeModelWeights(model, ckpt.weights);
  const state = createState(ckpt.runId, model, config);
  try {
    await writeOptimizerState(state.optimizer, ckpt.optimizer);
  } catch (e) {
    disposeState(state);
    throw e;
  }
  setLearningRate(state.optimizer, learningRateForEpoch(config, ckpt.epoch + 1, ckpt.schedule));
  state.epoch = ckpt.epoch + 1;
  state.offset = ckpt.offset ?? 0;
  if (ckpt.partial) state.partial = { ...ckpt.partial };
  state.examplesSeen = ckpt.examplesSeen;
  state.steps = ckpt.steps;
  // Each training step drew one mask per Dropout layer: continue their sequence where it stopped.
  setDropoutCalls(model, ckpt.steps);
  state.seconds = ckpt.seconds;
  state.schedule = { ...ckpt.schedule };
  state.curves = structuredClone(ckpt.curves);
  if (ckpt.bestWeights) {
    const named = unpackTensors(ckpt.bestWeights);
    state.best = named.map((n) => n.tensor);
  }
  return state;
}

/** The state as plain data: at an epoch end, or mid-epoch at a pause (offset and partial sums kept). */
export async function checkpointOf(state: TrainState, now: number): Promise<Checkpoint> {
  const [weights, optimizer, bestWeights] = await Promise.all([
    readModelWeights(state.model),
    readOptimizerState(state.optimizer),
    state.best ? packTensors(state.best.map((t, i) => ({ name: state.model.weights[i].originalName, tensor: t }))) : undefined,
  ]);
  return {
    runId: state.runId,
    epoch: state.epoch - 1,
    ...(state.offset > 0 ? { offset: state.offset, partial: { ...state.partial } } : {}),
    examplesSeen: state.examplesSeen,
    steps: state.steps,
    weights,
    optimizer,
    schedule: { ...state.schedule },
    ...(bestWeights ? { bestWeights } : {}),
    seconds: state.seconds,
    curves: structuredClone(state.curves),
    savedAt: now,
  };
}

/** Remembers the current weights as the last good ones (at an epoch end). */
export function markGood(state: TrainState): void {
  disposeAll(state.lastGood);
  state.lastGood = snapshotWeights(state.model);
}

export function markBest(state: TrainState): void {
  disposeAll(state.best ?? undefined);
  state.best = snapshotWeights(state.model);
}

export function restoreLastGood(state: TrainState): void {
  restoreWeights(state.model, state.lastGood);
}

export function restoreBest(state: TrainState): boolean {
  if (!state.best) return false;
  restoreWeights(state.model, state.best);
  return true;
}

/** Frees the optimizer and weight copies (not the model: the caller owns it). */
export function disposeState(state: TrainState): void {
  state.optimizer.dispose();
  disposeAll(state.lastGood);
  disposeAll(state.best ?? undefined);
  state.best = null;
  state.lastGood = [];
}
