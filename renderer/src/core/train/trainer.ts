// The training loop. Pure: no DOM, no worker globals. It advances a TrainState (state.ts) over a
// dataset and talks to the outside only through hooks: events out, a control poll in, checkpoints
// out at every epoch end. The worker's job server, the CLI, tests and the bench all drive it.
//
// Why a custom loop instead of model.fit: fit reads the loss back every batch (a GPU→CPU sync that
// stalls the pipeline) and does not stop on NaN. Here loss/accuracy are summed on the device and
// read with one `await data()` about every reportEveryMs (a number of batches sized from throughput).
import * as tf from '@tensorflow/tfjs';
import { augmentationOf, augmentRandom } from '../data/augment';
import { batchTensors, prefetchBatches, readBatch, seededRandom, shuffledIndices, splitIndices, type AnyDataset } from '../data/dataset';
import type { TrainConfig } from './config';
import type { Checkpoint, FromWorker } from './protocol';
import { afterEpoch, learningRateForEpoch } from './schedule';
import { setLearningRate } from './optimizers';
import { checkpointOf, markBest, markGood, restoreBest, restoreLastGood, type TrainState } from './state';
import { headLoss, outputsProbabilities, trainableVariables, trainStep } from './step';
import { makeYielder } from './yielder';

export class TrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainError';
  }
}

/** What the loop asks between batches: go on, end the run, or pause it (state kept). */
export type Control = 'run' | 'stop' | 'pause';

export interface TrainHooks {
  emit: (e: FromWorker) => void;
  control: () => Control;
  /** Called at every epoch end; the loop does not wait for storage. */
  checkpoint?: (c: Checkpoint) => void;
  /**
   * Per-layer gradient norms (layer name → L2 norm of all its raw gradients, before decay and
   * clipping), every `gradientNormsEvery` steps; `steps`/`examplesSeen` say where. Optional: with
   * no hook the step computes nothing extra.
   */
  onGradients?: (norms: Record<string, number>, at: { steps: number; examplesSeen: number }) => void;
}

export interface TrainOptions {
  /** Conv2D layer (= block id) whose kernel is sent as 'filters' messages. */
  filtersBlockId?: string;
  /**
   * Conv2D layers (= block ids) whose kernels are sent as 'filters' messages, one per filters tick in
   * turn (round-robin), so every conv is refreshed within filtersBlockIds.length ticks. Takes
   * precedence over filtersBlockId.
   */
  filtersBlockIds?: readonly string[];
  /** About how often loss/accuracy are read back and a 'progress' message sent (default 1000 ms). */
  reportEveryMs?: number;
  filtersEveryMs?: number;
  /** Batch size of validation/test evaluation. */
  evalBatchSize?: number;
  now?: () => number;
  /** Steps between gradient-norm readings for hooks.onGradients (default 10). */
  gradientNormsEvery?: number;
}

export type TrainOutcome = 'done' | 'stopped' | 'paused' | 'early-stopped';

export interface TrainResult {
  outcome: TrainOutcome;
  testLoss: number;
  testAccuracy: number;
  /** Set when early stopping restored the weights of this epoch. */
  restoredEpoch?: number;
}

export function inputShapeOf(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1) as number[];
}

/**
 * Mean loss and accuracy of `model` on `indices` of `ds` (center crops, inference mode), batched,
 * with a single read-back at the end. Returns null when `cancelled` turns true between batches.
 * A streamed dataset is read batch by batch, the next one while the current one runs.
 */
export async function evaluate(
  model: tf.LayersModel,
  ds: AnyDataset,
  indices: ArrayLike<number>,
  batchSize = 256,
  yieldFn: () => Promise<void> = async () => {},
  cancelled: () => boolean = () => false,
): Promise<{ loss: number; accuracy: number } | null> {
  const n = indices.length;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const inputShape = inputShapeOf(model);
  const probs = outputsProbabilities(model);
  let sums = tf.zeros([2]);
  const batches = prefetchBatches(0, n, batchSize, (s, e) => readBatch(ds, indices, s, e, inputShape, 'center'));
  try {
    for (let s = 0; s < n; s += batchSize) {
      if (cancelled()) return null;
      const e = Math.min(n, s + batchSize);
      const batch = (await batches.next())!;
      const next = tf.tidy(() => {
        const { xs, ys } = batchTensors(batch, inputShape, ds.classes);
        const out = model.apply(xs, { training: false }) as tf.Tensor;
        const r = headLoss(out, xs, ys, probs);
        return tf.add(sums, tf.stack([tf.mul(r.loss, e - s), r.correct]));
      });
      sums.dispose();
      sums = next;
      await yieldFn();
    }
    const [lossSum, correct] = await sums.data();
    return { loss: lossSum / n, accuracy: correct / n };
  } finally {
    sums.dispose();
  }
}

function divergedMessage(config: TrainConfig, epoch: number, seen: number, lr: number): string {
  const fmt = (v: number) => (v >= 1e4 || v < 1e-4 ? v.toExponential() : String(Number(v.toPrecision(2))));
  const clip = config.clip === 'none' ? ' or turn on gradient clipping (by norm, 15)' : '';
  return (
    `Training diverged: the loss became NaN or infinite in epoch ${epoch} after ${seen} examples. ` +
    `The weights of the last good epoch were restored. Lower the learning rate (it is ${fmt(lr)}; try ${fmt(lr / 10)})${clip}.`
  );
}

/** The data a run trains, validates and tests on: derived from the config alone, so a resumed run sees the same. */
export function planData(config: TrainConfig, train: { count: number }): { trainIdx: Uint32Array; valIdx: Uint32Array; perEpoch: number } {
  const split = splitIndices(train.count, config.validationSplit, config.seed);
  const perEpoch = Math.min(split.train.length, config.maxExamples ?? Infinity);
  if (perEpoch <= 0) throw new TrainError('no training examples left after the validation split');
  // Quick runs (maxExamples) validate on a proportionally small slice, so epochs stay quick.
  const vs = config.validationSplit;
  const valCount = config.maxExamples == null ? split.validation.length : Math.min(split.validation.length, Math.ceil((perEpoch * vs) / (1 - vs)));
  return { trainIdx: split.train, valIdx: split.validation.subarray(0, valCount), perEpoch };
}

/** The epoch's example order and crop generator, wound forward to `offset` examples (a resumed pause). */
function epochPlan(config: TrainConfig, trainIdx: Uint32Array, perEpoch: number, epoch: number, offset: number) {
  const order = shuffledIndices(0, config.seed + epoch, trainIdx).subarray(0, perEpoch);
  const crop = seededRandom(((config.seed * 2654435761) ^ (epoch * 40503)) >>> 0);
  // assembleBatch draws two numbers (y and x offsets) per example.
  for (let i = 0; i < offset * 2; i++) crop();
  return { order, crop };
}

/** The layer (name) that owns each variable, in `vars` order. */
function layerGroups(model: tf.LayersModel, vars: tf.Variable[]): string[] {
  const owner = new Map<string, string>();
  for (const layer of model.layers) for (const w of layer.trainableWeights) owner.set((w.read() as tf.Variable).name, layer.name);
  return vars.map((v) => owner.get(v.name) ?? v.name);
}

/** Per-variable norms combined per layer: sqrt of the sum of squares. */
export function perLayerNorms(layers: string[], norms: ArrayLike<number>): Record<string, number> {
  const sq: Record<string, number> = {};
  layers.forEach((l, i) => (sq[l] = (sq[l] ?? 0) + norms[i] * norms[i]));
  for (const l of Object.keys(sq)) sq[l] = Math.sqrt(sq[l]);
  return sq;
}

/**
 * Trains `state` from where it stands to the end of its last epoch, or until control() says stop or
 * pause, then (when all epochs ran) tests it. Mutates state; throws TrainError on divergence
 * after restoring the last good weights.
 */
export async function train(
  state: TrainState,
  dataset: { train: AnyDataset; test?: AnyDataset },
  hooks: TrainHooks,
  opts: TrainOptions = {},
): Promise<TrainResult> {
  const { model, config, runId } = state;
  const now = opts.now ?? (() => performance.now());
  const reportEvery = opts.reportEveryMs ?? 1000;
  const filtersEvery = opts.filtersEveryMs ?? 1000;
  const evalBatch = opts.evalBatchSize ?? 256;
  const emit = hooks.emit;
  const ds = dataset.train;
  const inputShape = inputShapeOf(model);
  const probs = outputsProbabilities(model);
  const bs = Math.max(1, Math.floor(config.batchSize));
  if (!(config.learningRate > 0)) throw new TrainError(`the learning rate must be positive, got ${config.learningRate}`);
  const { trainIdx, valIdx, perEpoch } = planData(config, ds);
  const totalExamples = perEpoch * config.epochs;
  const vars = trainableVariables(model);
  const stepOpts = { clip: config.clip, clipValue: config.clipValue, weightDecay: config.weightDecay };
  const normsEvery = Math.max(1, Math.floor(opts.gradientNormsEvery ?? 10));
  const layerOfVar = layerGroups(model, vars);
  const yielder = makeYielder();
  let lastFilters = -Infinity;
  let segmentStart = now();
  const addTime = () => {
    const t = now();
    state.seconds += (t - segmentStart) / 1000;
    segmentStart = t;
  };
  let outcome: TrainOutcome | null = null;
  let restoredEpoch: number | undefined;

  const filterIds = opts.filtersBlockIds ?? (opts.filtersBlockId ? [opts.filtersBlockId] : []);
  let nextFilters = 0;
  const sendOneFilter = async (blockId: string) => {
    const layer = model.getLayer(blockId);
    // A copy: the variable may be reassigned by the next step while the read is pending.
    const kernel = tf.clone(layer.getWeights()[0]);
    // Another copy: backends may hand back their cached array, and the worker transfers (detaches) it.
    const data = new Float32Array((await kernel.data()) as Float32Array);
    const shape = kernel.shape as [number, number, number, number];
    kernel.dispose();
    emit({ type: 'filters', runId, blockId, shape, data });
    lastFilters = now();
  };
  /** One conv per tick, in turn (the ~1 Hz budget stays the same however many convs there are); `all` at the end. */
  const sendFilters = async (all = false) => {
    if (all) for (const id of filterIds) await sendOneFilter(id);
    else if (filterIds.length > 0) await sendOneFilter(filterIds[nextFilters++ % filterIds.length]);
  };

  try {
    if (state.epoch <= config.epochs) {
      emit({ type: 'status', runId, phase: 'training', message: `Training on ${perEpoch} examples × ${config.epochs} epoch(s)${state.epoch > 1 || state.offset > 0 ? `, from epoch ${state.epoch}` : ''}` });
    }
    while (state.epoch <= config.epochs && outcome === null) {
      const epoch = state.epoch;
      const lr = learningRateForEpoch(config, epoch, state.schedule);
      setLearningRate(state.optimizer, lr);
      if (state.offset === 0) state.curves.learningRate.push([state.examplesSeen, lr]);
      outcome = await trainEpoch();
      if (outcome) break;

      emit({ type: 'status', runId, phase: 'evaluating', message: `Validating epoch ${epoch} on ${valIdx.length} examples` });
      const val = await evaluate(model, ds, valIdx, evalBatch, yielder.yield, () => hooks.control() === 'stop');
      if (!val) {
        outcome = 'stopped';
        break;
      }
      if (valIdx.length > 0 && !Number.isFinite(val.loss)) {
        restoreLastGood(state);
        throw new TrainError(divergedMessage(config, epoch, state.examplesSeen, lr));
      }
      const p = state.partial;
      const e = { loss: p.n ? p.loss / p.n : NaN, accuracy: p.n ? p.correct / p.n : NaN };
      emit({ type: 'epoch', runId, epoch, examplesSeen: state.examplesSeen, ...e, valLoss: val.loss, valAccuracy: val.accuracy, learningRate: lr });
      if (Number.isFinite(val.loss)) state.curves.valLoss.push([state.examplesSeen, val.loss]);
      if (Number.isFinite(val.accuracy)) state.curves.valAcc.push([state.examplesSeen, val.accuracy]);

      const next = afterEpoch(config, state.schedule, epoch, valIdx.length ? val.loss : NaN);
      state.schedule = next.state;
      if (next.improved && config.earlyStopping) markBest(state);
      markGood(state);
      state.epoch = epoch + 1;
      state.offset = 0;
      state.partial = { loss: 0, correct: 0, n: 0 };
      addTime();
      if (hooks.checkpoint) hooks.checkpoint(await checkpointOf(state, Date.now()));
      if (next.stopEarly) {
        if (restoreBest(state)) restoredEpoch = state.schedule.bestEpoch;
        emit({
          type: 'notice', runId,
          message: `Early stopping: the validation loss has not improved for ${config.earlyStoppingPatience} epoch(s); the weights of epoch ${state.schedule.bestEpoch} were restored.`,
        });
        outcome = 'early-stopped';
        break;
      }
      if (state.epoch <= config.epochs) emit({ type: 'status', runId, phase: 'training', message: `Epoch ${state.epoch}` });
    }
    if (outcome === 'paused') return { outcome, testLoss: NaN, testAccuracy: NaN };
    await sendFilters(true);

    // A stopped run skips the test pass: the user asked for the machine back.
    let test: { loss: number; accuracy: number } | null = { loss: NaN, accuracy: NaN };
    const testSet = dataset.test;
    if (outcome !== 'stopped' && testSet) {
      const n = Math.min(testSet.count, config.maxTestExamples ?? Infinity);
      emit({ type: 'status', runId, phase: 'evaluating', message: `Testing on ${n} examples` });
      test = await evaluate(model, testSet, Uint32Array.from({ length: n }, (_, i) => i), evalBatch, yielder.yield, () => hooks.control() === 'stop');
      if (!test) {
        outcome = 'stopped';
        test = { loss: NaN, accuracy: NaN };
      }
    }
    addTime();
    return { outcome: outcome ?? 'done', testLoss: test.loss, testAccuracy: test.accuracy, ...(restoredEpoch ? { restoredEpoch } : {}) };
  } finally {
    addTime();
    yielder.close();
  }

  /** One epoch's batches from state.offset; returns 'stopped'/'paused' when asked to, null at its end. */
  async function trainEpoch(this: void): Promise<TrainOutcome | null> {
    const epoch = state.epoch;
    const { order, crop } = epochPlan(config, trainIdx, perEpoch, epoch, state.offset);
    // Flips/shifts: each batch's draws come from (seed, epoch, position), so a resumed run needs no winding.
    const aug = augmentationOf(config);
    const batches = prefetchBatches(state.offset, perEpoch, bs, (s, e) =>
      readBatch(ds, order, s, e, inputShape, 'random', crop, aug ? { aug, rnd: augmentRandom(config.seed, epoch, s) } : undefined));
    const lr = learningRateForEpoch(config, epoch, state.schedule);
    // [loss×batch, correct] summed on the device since the last report; examples counted here.
    let sums = tf.zeros([2]);
    let sumsN = 0;
    let sumsStart = now();
    // Reads are launched every `readEvery` batches, sized from the measured throughput so one lands
    // about every reportEveryMs. A time-based trigger would not do: on WebGL/WebGPU the loop only
    // *queues* work, so it would queue seconds of batches per report (jerky curves, slow Stop).
    let readEvery = 1;
    let sinceLaunch = 0;
    // The read-back in flight, not awaited at once so the GPU pipeline never drains for a report.
    let pending: Promise<void> | null = null;

    const report = () => {
      const w = sums;
      const n = sumsN;
      const seenAt = state.examplesSeen;
      sums = tf.zeros([2]);
      sumsN = 0;
      if (n === 0) {
        w.dispose();
        return Promise.resolve();
      }
      return w.data().then(async ([l, c]) => {
        w.dispose();
        if (!Number.isFinite(l)) throw new TrainError(divergedMessage(config, epoch, seenAt, lr));
        const t = now();
        state.partial.loss += l;
        state.partial.correct += c;
        state.partial.n += n;
        const rate = n / Math.max(1e-3, (t - sumsStart) / 1000);
        emit({ type: 'progress', runId, epoch, examplesSeen: seenAt, totalExamples, loss: l / n, accuracy: c / n, examplesPerSec: rate });
        state.curves.trainLoss.push([seenAt, l / n]);
        // A reconstruction run has no accuracy (NaN): its curve stays empty.
        if (Number.isFinite(c)) state.curves.trainAcc.push([seenAt, c / n]);
        readEvery = Math.min(10_000, Math.max(1, Math.round((rate * reportEvery) / 1000 / bs)));
        sumsStart = t;
        if (t - lastFilters >= filtersEvery) await sendFilters();
      });
    };

    let result: TrainOutcome | null = null;
    // The last gradient-norm read in flight: awaited at the epoch's end, so every reading arrives before 'epoch'/'done'.
    let normsRead: Promise<void> = Promise.resolve();
    try {
      for (let s = state.offset; s < perEpoch; s += bs) {
        const c = hooks.control();
        if (c !== 'run') {
          result = c === 'stop' ? 'stopped' : 'paused';
          break;
        }
        const e = Math.min(perEpoch, s + bs);
        let norms: tf.Tensor1D | undefined;
        const wantNorms = hooks.onGradients !== undefined && state.steps % normsEvery === 0;
        const batch = (await batches.next())!;
        const next = tf.tidy(() => {
          const { xs, ys } = batchTensors(batch, inputShape, ds.classes);
          const r = trainStep(model, state.optimizer, xs, ys, probs, vars, wantNorms ? { ...stepOpts, onNorms: (t) => (norms = t) } : stepOpts);
          const sum = tf.add(sums, tf.stack([tf.mul(r.loss, e - s), r.correct]));
          r.correct.dispose(); // it may be kept out of the step's own tidy
          return sum;
        });
        sums.dispose();
        sums = next;
        sumsN += e - s;
        state.examplesSeen += e - s;
        state.offset = e;
        state.steps++;
        if (norms) {
          const n = norms;
          const at = { steps: state.steps, examplesSeen: state.examplesSeen };
          // Read asynchronously like the loss window; FIFO on every backend, so it lands before the next report.
          normsRead = n.data().then((v) => {
            n.dispose();
            hooks.onGradients?.(perLayerNorms(layerOfVar, v), at);
          }, () => n.dispose());
        }
        if (++sinceLaunch >= readEvery) {
          // At most one read in flight: waiting for the previous one bounds the queue.
          if (pending) await pending;
          pending = report();
          // Marks it handled (it is awaited below), so a NaN error is not an unhandled rejection.
          pending.catch(() => {});
          sinceLaunch = 0;
        }
        await yielder.yield();
      }
      if (pending) await pending;
      pending = null;
      await report();
      await normsRead;
    } catch (err) {
      await pending?.catch(() => {});
      if (err instanceof TrainError) restoreLastGood(state);
      throw err;
    } finally {
      sums.dispose();
    }
    return result;
  }
}
