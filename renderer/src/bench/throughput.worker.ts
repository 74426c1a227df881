// Measures training throughput of the ConvNetJS MNIST template on one backend, in a dedicated
// worker like the app's: a bare minimize() loop with the data already on the device (the trainer
// is not timed while core/train's train() is being refactored).
import * as tf from '@tensorflow/tfjs';
import { compile } from '../core/compile/compiler';
import { loadMnist, makeBatch } from '../core/data/dataset';
import { templateById } from '../core/graph/templates';
import { browserLoaders, chooseBackend, probeTraining, wasmThreadCount } from '../core/train/backends';
import { lossAndCorrect, trainableVariables } from '../core/train/step';
import type { ThroughputRequest, ThroughputResult } from './messages';

const scope = self as unknown as { postMessage(m: ThroughputResult): void; onmessage: ((e: MessageEvent<ThroughputRequest>) => void) | null };

const build = () => compile(templateById('convnetjs-mnist')!.graph).model;

async function timeBare(req: ThroughputRequest, data: Awaited<ReturnType<typeof loadMnist>>): Promise<number> {
  const model = build();
  const opt = tf.train.adam(0.001);
  const vars = trainableVariables(model);
  const order = Uint32Array.from({ length: req.examples }, (_, i) => i);
  const { xs, ys } = makeBatch(data.train, order, 0, req.examples, [24, 24, 1], 'center');
  const step = (s: number) =>
    tf.tidy(() => {
      const b = Math.min(req.batchSize, req.examples - s);
      const x = tf.slice(xs, [s, 0, 0, 0], [b, 24, 24, 1]);
      const y = tf.slice(ys, [s, 0], [b, 10]);
      return opt.minimize(() => lossAndCorrect(model.apply(x, { training: true }) as tf.Tensor, y, true).loss, true, vars)!;
    });
  for (let s = 0; s < 2 * req.batchSize; s += req.batchSize) {
    const l = step(s);
    await l.data();
    l.dispose();
  }
  const t = performance.now();
  let last: tf.Scalar | null = null;
  for (let s = 0; s < req.examples; s += req.batchSize) {
    last?.dispose();
    last = step(s);
  }
  await last!.data();
  const sec = (performance.now() - t) / 1000;
  last!.dispose();
  tf.dispose([xs, ys]);
  opt.dispose();
  model.dispose();
  return req.examples / sec;
}

scope.onmessage = async (e) => {
  const req = e.data;
  let attempts: ThroughputResult['attempts'] = [];
  try {
    const data = await loadMnist(req.mnistUrl);
    const t = performance.now();
    const choice = await chooseBackend({ chain: [req.backend], loaders: browserLoaders(req.wasmUrl), probe: () => probeTraining(build) });
    attempts = choice.attempts;
    const warmupSeconds = (performance.now() - t) / 1000;
    // TODO(lead): time core/train's trainer again (`trainer`) once its refactored train() settles;
    // until then only the bare loop is measured.
    const bare = await timeBare(req, data);
    const threads = req.backend === 'wasm' ? wasmThreadCount() : undefined;
    scope.postMessage({ backend: req.backend, ok: true, attempts, bare, warmupSeconds, threads, isolated: self.crossOriginIsolated });
  } catch (err) {
    const a = (err as { attempts?: ThroughputResult['attempts'] }).attempts ?? attempts;
    scope.postMessage({ backend: req.backend, ok: false, attempts: a, error: (err as Error).message });
  }
};
