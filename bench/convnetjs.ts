// The reference: Karpathy's ConvNetJS (2016, plain JS, no GPU) on its own MNIST demo net, in Node.
import { createRequire } from 'node:module';
import type { ImageDataset } from '../renderer/src/core/data/dataset';

interface Vol {
  w: Float64Array;
}
interface ConvNetJS {
  Net: new () => { makeLayers(defs: object[]): void };
  Vol: new (sx: number, sy: number, depth: number, c: number) => Vol;
  SGDTrainer: new (net: unknown, opts: object) => { train(x: Vol, y: number): { loss: number } };
}

const require = createRequire(import.meta.url);
const convnetjs = require('convnetjs') as ConvNetJS;

/** The ConvNetJS MNIST demo: 24×24 random crops, adadelta, batch 20, l2 decay 0.001. */
export function convnetjsThroughput(ds: ImageDataset, examples: number, seed = 1): { examplesPerSec: number; meanLoss: number } {
  const net = new convnetjs.Net();
  net.makeLayers([
    { type: 'input', out_sx: 24, out_sy: 24, out_depth: 1 },
    { type: 'conv', sx: 5, filters: 8, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 2, stride: 2 },
    { type: 'conv', sx: 5, filters: 16, stride: 1, pad: 2, activation: 'relu' },
    { type: 'pool', sx: 3, stride: 3 },
    { type: 'softmax', num_classes: 10 },
  ]);
  const trainer = new convnetjs.SGDTrainer(net, { method: 'adadelta', batch_size: 20, l2_decay: 0.001 });
  let s = seed;
  const rnd = () => ((s = (s * 48271) % 2147483647) / 2147483647);
  const x = new convnetjs.Vol(24, 24, 1, 0);
  let loss = 0;
  const t = performance.now();
  for (let i = 0; i < examples; i++) {
    const n = i % ds.count;
    const oy = Math.floor(rnd() * 5);
    const ox = Math.floor(rnd() * 5);
    for (let r = 0; r < 24; r++) {
      for (let c = 0; c < 24; c++) x.w[r * 24 + c] = ds.images[n * 784 + (r + oy) * 28 + c + ox] / 255;
    }
    loss += trainer.train(x, ds.labels[n]).loss;
  }
  return { examplesPerSec: examples / ((performance.now() - t) / 1000), meanLoss: loss / examples };
}
