// The two loops the bench compares on the same backend, in a worker or in Node: a bare tfjs loop
// (what one writes by hand: assemble a batch with random crops, minimize, read the loss once at
// the end) and core/train's trainer (progress read-backs, NaN guard, schedules, checkpoints).
import * as tf from '@tensorflow/tfjs';
import { makeBatch, seededRandom, type TrainTestData } from '../core/data/dataset';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../core/train/config';
import { checkpointOf, createState, disposeState } from '../core/train/state';
import { lossAndCorrect, trainableVariables } from '../core/train/step';
import { train } from '../core/train/trainer';

export interface LoopTimes {
  bare: number;
  trainer: number;
  /** Milliseconds to take one epoch-end checkpoint of the trained state (weights + optimizer). */
  checkpointMs: number;
}

function shapeOf(model: tf.LayersModel): number[] {
  return model.inputs[0].shape.slice(1) as number[];
}

/** Examples/s of a hand-written Adam loop over `examples` training images. */
export async function bareLoop(build: () => tf.LayersModel, data: TrainTestData, examples: number, batch: number): Promise<number> {
  const model = build();
  const opt = tf.train.adam(0.001);
  const vars = trainableVariables(model);
  const shape = shapeOf(model);
  const order = Uint32Array.from({ length: examples }, (_, i) => i);
  const rnd = seededRandom(3);
  const step = (s: number) =>
    tf.tidy(() => {
      const { xs, ys } = makeBatch(data.train, order, s, Math.min(examples, s + batch), shape, 'random', rnd);
      return opt.minimize(() => lossAndCorrect(model.apply(xs, { training: true }) as tf.Tensor, ys, true).loss, true, vars)!;
    });
  const warm = step(0); // kernels, shaders, optimizer slots
  await warm.data();
  warm.dispose();
  const t = performance.now();
  let last: tf.Scalar | null = null;
  for (let s = 0; s < examples; s += batch) {
    last?.dispose();
    last = step(s);
  }
  await last!.data();
  const sec = (performance.now() - t) / 1000;
  last!.dispose();
  opt.dispose();
  model.dispose();
  return examples / sec;
}

/** Examples/s of core/train's loop on the same work, and the cost of one checkpoint. */
export async function trainerLoop(build: () => tf.LayersModel, data: TrainTestData, examples: number, batch: number): Promise<{ trainer: number; checkpointMs: number }> {
  const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: batch, epochs: 1, validationSplit: 0, maxExamples: examples, seed: 3 };
  const run = async (n: number) => {
    const model = build();
    const state = createState('bench', model, { ...config, maxExamples: n });
    try {
      await train(state, { train: data.train }, { emit: () => {}, control: () => 'run' });
      const t = performance.now();
      const reps = 3;
      for (let i = 0; i < reps; i++) await checkpointOf(state, 0);
      return { seconds: state.seconds, checkpointMs: (performance.now() - t) / reps };
    } finally {
      disposeState(state);
      model.dispose();
    }
  };
  await run(batch); // warm-up: kernels, shaders
  const r = await run(examples);
  return { trainer: examples / r.seconds, checkpointMs: r.checkpointMs };
}

export async function compareLoops(build: () => tf.LayersModel, data: TrainTestData, examples: number, batch: number): Promise<LoopTimes> {
  const bare = await bareLoop(build, data, examples, batch);
  const { trainer, checkpointMs } = await trainerLoop(build, data, examples, batch);
  return { bare, trainer, checkpointMs };
}
