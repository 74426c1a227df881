// Training throughput of the ConvNetJS MNIST template in this Node process on a tfjs backend
// loaded by renderer/src/node (wasm + our gradient kernels): a bare minimize() loop over real
// MNIST batches already on the backend, and one full epoch (--epoch) with its test accuracy.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../renderer/src/core/compile/compiler';
import { makeBatch, shuffledIndices, type TrainTestData } from '../renderer/src/core/data/dataset';
import { templateById } from '../renderer/src/core/graph/templates';
import { lossAndCorrect, trainableVariables } from '../renderer/src/core/train/step';
import { wasmThreadCount } from '../renderer/src/core/train/backends';
import { useNodeBackend } from '../renderer/src/node';
import { compareLoops } from '../renderer/src/bench/loops';

const build = () => compile(templateById('convnetjs-mnist')!.graph, { seed: 1 }).model;

export interface NodeResult {
  backend: 'wasm' | 'cpu';
  /** The bare loop's examples/s, and the trainer's. */
  examplesPerSec: number;
  trainer: number;
  checkpointMs: number;
  threads?: number;
}

/** The bare tfjs loop and core/train's trainer on the same work (renderer/src/bench/loops.ts). */
export async function nodeThroughput(backend: 'wasm' | 'cpu', data: TrainTestData, examples: number, batch: number): Promise<NodeResult> {
  await useNodeBackend(backend);
  const r = await compareLoops(build, data, examples, batch);
  return { backend, examplesPerSec: r.bare, trainer: r.trainer, checkpointMs: r.checkpointMs, threads: backend === 'wasm' ? wasmThreadCount() : undefined };
}

/** One epoch over the 60k training images (random 24×24 crops), then the 10k test set (centre crops). */
export async function nodeEpoch(backend: 'wasm' | 'cpu', data: TrainTestData, batch: number, lr: number, log: (s: string) => void) {
  await useNodeBackend(backend);
  const model = build();
  const opt = tf.train.adam(lr);
  const vars = trainableVariables(model);
  const order = shuffledIndices(data.train.count, 1);
  let s = 7;
  const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  let tensorsAtStart = -1;
  const t = performance.now();
  let last = t;
  for (let i = 0; i < order.length; i += batch) {
    const { xs, ys } = makeBatch(data.train, order, i, Math.min(order.length, i + batch), [24, 24, 1], 'random', rnd);
    const loss = opt.minimize(() => lossAndCorrect(model.apply(xs, { training: true }) as tf.Tensor, ys, true).loss, true, vars)!;
    tf.dispose([xs, ys]);
    if (i === 0) tensorsAtStart = tf.memory().numTensors - 1; // after the optimizer made its slots; minus the loss
    if (performance.now() - last > 10000) {
      last = performance.now();
      log(`  ${i + batch}/${order.length}  loss ${(await loss.data())[0].toFixed(3)}  ${(((i + batch) / (last - t)) * 1000).toFixed(0)} ex/s  tensors ${tf.memory().numTensors}`);
    }
    loss.dispose();
  }
  const seconds = (performance.now() - t) / 1000;
  const tensorsAfter = tf.memory().numTensors;
  const testOrder = Uint32Array.from({ length: data.test.count }, (_, i) => i);
  let correct = 0;
  for (let i = 0; i < testOrder.length; i += 500) {
    const { xs, ys } = makeBatch(data.test, testOrder, i, Math.min(testOrder.length, i + 500), [24, 24, 1], 'center');
    correct += tf.tidy(() => tf.sum(tf.equal(tf.argMax(model.predict(xs) as tf.Tensor, -1), tf.argMax(ys, -1))).dataSync()[0]);
    tf.dispose([xs, ys]);
  }
  opt.dispose();
  model.dispose();
  return { seconds, testAccuracy: correct / data.test.count, tensorsAtStart, tensorsAfter };
}
