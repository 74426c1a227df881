// The training loop. Pure: no DOM, no worker globals; the worker (or a test, or the bench) feeds it
// a compiled model and a dataset and receives protocol messages through onEvent.
//
// Why a custom loop instead of model.fit: fit reads the loss back every batch (a GPU→CPU sync that
// stalls the pipeline) and does not stop on NaN. Here loss/accuracy are summed on the device and
// read with one `await data()` about every reportEveryMs (a number of batches sized from throughput).
import * as tf from '@tensorflow/tfjs';
import {
  makeBatch,
  seededRandom,
  shuffledIndices,
  splitIndices,
  type ImageDataset,
} from '../data/dataset';
import type { FromWorker, TrainConfig } from './protocol';
import { lossAndCorrect, makeOptimizer, outputsProbabilities, trainableVariables, trainStep } from './step';

export class TrainError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainError';
  }
}

export interface TrainOptions {
  model: tf.LayersModel;
  dataset: { train: ImageDataset; test?: ImageDataset };
  config: TrainConfig;
  onEvent: (e: FromWorker) => void;
  /** Polled between batches; true ends the run early (reported as stopped). */
  shouldStop: () => boolean;
  runId?: string;
  /** Conv2D layer (= block id) whose kernel is sent as 'filters' messages. */
  filtersBlockId?: string;
  /** About how often loss/accuracy are read back and a 'progress' message sent (default 1000 ms). */
  reportEveryMs?: number;
  filtersEveryMs?: number;
  /** Batch size of validation/test evaluation. */
  evalBatchSize?: number;
  now?: () => number;
}

export interface TrainResult {
  stopped: boolean;
  testLoss: number;
  testAccuracy: number;
  seconds: number;
  examplesSeen: number;
}

/** Yields to the event loop without setTimeout's 4 ms clamp, so 'stop' messages get through. */
function makeYielder(): { yield: () => Promise<void>; close: () => void } {
  if (typeof MessageChannel === 'undefined') {
    return { yield: () => new Promise((r) => setTimeout(r, 0)), close: () => {} };
  }
  const ch = new MessageChannel();
  const waiting: (() => void)[] = [];
  ch.port1.onmessage = () => waiting.shift()?.();
  return {
    yield: () =>
      new Promise<void>((r) => {
        waiting.push(r);
        ch.port2.postMessage(0);
      }),
    // An open port keeps Node's event loop alive.
    close: () => {
      ch.port1.close();
      ch.port2.close();
    },
  };
}

export function inputShapeOf(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1) as number[];
}

/**
 * Mean loss and accuracy of `model` on `indices` of `ds` (center crops, inference mode),
 * batched, with a single read-back at the end.
 */
export async function evaluate(
  model: tf.LayersModel,
  ds: ImageDataset,
  indices: ArrayLike<number>,
  batchSize = 256,
  yieldFn: () => Promise<void> = async () => {},
): Promise<{ loss: number; accuracy: number }> {
  const n = indices.length;
  if (n === 0) return { loss: NaN, accuracy: NaN };
  const inputShape = inputShapeOf(model);
  const probs = outputsProbabilities(model);
  let sums = tf.zeros([2]);
  for (let s = 0; s < n; s += batchSize) {
    const e = Math.min(n, s + batchSize);
    const next = tf.tidy(() => {
      const { xs, ys } = makeBatch(ds, indices, s, e, inputShape, 'center');
      const out = model.apply(xs, { training: false }) as tf.Tensor;
      const r = lossAndCorrect(out, ys, probs);
      return tf.add(sums, tf.stack([tf.mul(r.loss, e - s), r.correct]));
    });
    sums.dispose();
    sums = next;
    await yieldFn();
  }
  const [lossSum, correct] = await sums.data();
  sums.dispose();
  return { loss: lossSum / n, accuracy: correct / n };
}

function divergedMessage(config: TrainConfig, epoch: number, seen: number): string {
  const fmt = (v: number) => (v >= 1e4 || v < 1e-4 ? v.toExponential() : String(Number(v.toPrecision(2))));
  return (
    `Training diverged: the loss became NaN or infinite in epoch ${epoch} after ${seen} examples. ` +
    `Lower the learning rate (it is ${fmt(config.learningRate)}; try ${fmt(config.learningRate / 10)}).`
  );
}

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const { model, dataset, config, onEvent, shouldStop } = opts;
  const runId = opts.runId ?? '';
  const now = opts.now ?? (() => performance.now());
  const reportEvery = opts.reportEveryMs ?? 1000;
  const filtersEvery = opts.filtersEveryMs ?? 1000;
  const evalBatch = opts.evalBatchSize ?? 256;
  const ds = dataset.train;
  const inputShape = inputShapeOf(model);
  const probs = outputsProbabilities(model);
  const bs = Math.max(1, Math.floor(config.batchSize));
  if (!(config.learningRate > 0)) throw new TrainError(`the learning rate must be positive, got ${config.learningRate}`);

  const split = splitIndices(ds.count, config.validationSplit, config.seed);
  const perEpoch = Math.min(split.train.length, config.maxExamples ?? Infinity);
  if (perEpoch <= 0) throw new TrainError('no training examples left after the validation split');
  // Quick runs (maxExamples) validate on a proportionally small slice, so epochs stay quick.
  const vs = config.validationSplit;
  const valCount = config.maxExamples == null ? split.validation.length : Math.min(split.validation.length, Math.ceil((perEpoch * vs) / (1 - vs)));
  const valIdx = split.validation.subarray(0, valCount);
  const totalExamples = perEpoch * config.epochs;
  const cropRnd = seededRandom((config.seed * 2654435761) >>> 0);

  const optimizer = makeOptimizer(config);
  const vars = trainableVariables(model);
  const yielder = makeYielder();
  const t0 = now();
  let seen = 0;
  let stopped = false;
  let lastFilters = -Infinity;
  const emit = (e: FromWorker) => onEvent(e);

  const sendFilters = async () => {
    if (!opts.filtersBlockId) return;
    const layer = model.getLayer(opts.filtersBlockId);
    // A copy: the variable may be reassigned by the next step while the read is pending.
    const kernel = tf.clone(layer.getWeights()[0]);
    // Another copy: backends may hand back their cached array, and the worker transfers (detaches)
    // the buffer it posts, which would break the next read of the same weights.
    const data = new Float32Array((await kernel.data()) as Float32Array);
    const shape = kernel.shape as [number, number, number, number];
    kernel.dispose();
    emit({ type: 'filters', runId, blockId: opts.filtersBlockId, shape, data });
    lastFilters = now();
  };

  try {
    emit({ type: 'status', runId, phase: 'training', message: `Training on ${perEpoch} examples × ${config.epochs} epoch(s)` });
    for (let epoch = 1; epoch <= config.epochs && !stopped; epoch++) {
      const order = shuffledIndices(0, config.seed + epoch, split.train).subarray(0, perEpoch);
      // [loss×batch, correct] summed on the device since the last report; examples counted here.
      let window = tf.zeros([2]);
      let windowN = 0;
      let windowStart = now();
      // Reads are launched every `readEvery` batches, sized from the measured throughput so one
      // lands about every reportEveryMs. A time-based trigger would not do: on WebGL/WebGPU the
      // loop only *queues* work, so it would queue seconds of batches per report (jerky curves,
      // slow Stop). Waiting for the previous read keeps at most ~2 windows queued.
      let readEvery = 1;
      let sinceLaunch = 0;
      let epochLoss = 0;
      let epochCorrect = 0;
      let epochSeen = 0;
      // The read-back in flight. Not awaited right away: the next batches are queued behind it,
      // so the GPU pipeline never drains just to report progress.
      let pending: Promise<void> | null = null;

      const report = () => {
        const w = window;
        const n = windowN;
        const seenAt = seen;
        window = tf.zeros([2]);
        windowN = 0;
        if (n === 0) {
          w.dispose();
          return Promise.resolve();
        }
        return w.data().then(async ([l, c]) => {
          w.dispose();
          if (!Number.isFinite(l)) throw new TrainError(divergedMessage(config, epoch, seenAt));
          const t = now();
          epochLoss += l;
          epochCorrect += c;
          epochSeen += n;
          emit({
            type: 'progress',
            runId,
            epoch,
            examplesSeen: seenAt,
            totalExamples,
            loss: l / n,
            accuracy: c / n,
            // The device finished this window between the previous resolution and this one.
            examplesPerSec: n / Math.max(1e-3, (t - windowStart) / 1000),
          });
          const rate = n / Math.max(1e-3, (t - windowStart) / 1000);
          readEvery = Math.min(10_000, Math.max(1, Math.round((rate * reportEvery) / 1000 / bs)));
          windowStart = t;
          if (t - lastFilters >= filtersEvery) await sendFilters();
        });
      };

      try {
        for (let s = 0; s < perEpoch; s += bs) {
          if (shouldStop()) {
            stopped = true;
            break;
          }
          const e = Math.min(perEpoch, s + bs);
          const next = tf.tidy(() => {
            const { xs, ys } = makeBatch(ds, order, s, e, inputShape, 'random', cropRnd);
            const r = trainStep(model, optimizer, xs, ys, probs, vars);
            const sum = tf.add(window, tf.stack([tf.mul(r.loss, e - s), r.correct]));
            r.correct.dispose();
            return sum;
          });
          window.dispose();
          window = next;
          windowN += e - s;
          seen += e - s;
          if (++sinceLaunch >= readEvery) {
            // At most one read in flight: waiting for the previous one bounds the queue.
            if (pending) await pending;
            pending = report();
            // Marks it handled (it is awaited later), so a NaN error is not an unhandled rejection.
            pending.catch(() => {});
            sinceLaunch = 0;
          }
          await yielder.yield();
        }
        if (pending) await pending;
        pending = null;
        await report();
      } finally {
        // A failed read leaves its promise rejected; swallow here, the error is already thrown.
        await pending?.catch(() => {});
        window.dispose();
      }
      if (stopped) break;

      emit({ type: 'status', runId, phase: 'evaluating', message: `Validating epoch ${epoch} on ${valIdx.length} examples` });
      const val = await evaluate(model, ds, valIdx, evalBatch, yielder.yield);
      if (valIdx.length > 0 && !Number.isFinite(val.loss)) throw new TrainError(divergedMessage(config, epoch, seen));
      emit({
        type: 'epoch',
        runId,
        epoch,
        loss: epochSeen ? epochLoss / epochSeen : NaN,
        accuracy: epochSeen ? epochCorrect / epochSeen : NaN,
        valLoss: val.loss,
        valAccuracy: val.accuracy,
      });
      if (epoch < config.epochs) emit({ type: 'status', runId, phase: 'training', message: `Epoch ${epoch + 1}` });
    }
    await sendFilters();

    // A stopped run skips the test pass: the user asked for the machine back.
    let test = { loss: NaN, accuracy: NaN };
    const testSet = dataset.test;
    if (!stopped && testSet) {
      const n = Math.min(testSet.count, config.maxTestExamples ?? Infinity);
      emit({ type: 'status', runId, phase: 'evaluating', message: `Testing on ${n} examples` });
      test = await evaluate(model, testSet, Uint32Array.from({ length: n }, (_, i) => i), evalBatch, yielder.yield);
    }
    const seconds = (now() - t0) / 1000;
    emit({ type: 'done', runId, stopped, testLoss: test.loss, testAccuracy: test.accuracy, seconds });
    return { stopped, testLoss: test.loss, testAccuracy: test.accuracy, seconds, examplesSeen: seen };
  } finally {
    optimizer.dispose();
    yielder.close();
  }
}
