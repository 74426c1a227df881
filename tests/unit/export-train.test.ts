// train.py of the PyTorch export, run by Debian's PyTorch on a small generated image folder: one
// short epoch in one process and with torchrun (2 processes, gloo, DistributedDataParallel); the
// loss falls and the trained weights load back. Also train.py's own PNG reader (used without Pillow).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportPytorch, readSafetensors } from '../../renderer/src/core/export/index';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { graphOf, rng } from './helpers/export-graphs';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const PYTHON = '/usr/bin/python3';
const TORCHRUN = '/usr/bin/torchrun';
const CLASSES = 4;
const PER_CLASS = 48;

// 14×14 grey images, 12×12 model input (random crops while training, as the app does).
const GRAPH = graphOf(
  [
    ['img', 'Input', { kind: 'image', height: 12, width: 12, channels: 1 }],
    ['conv', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same' }],
    ['bn', 'BatchNorm'],
    ['pool', 'MaxPool2D', { poolSize: 2, stride: 2 }],
    ['flat', 'Flatten'],
    ['drop', 'Dropout', { rate: 0.1 }],
    ['head', 'Classifier', { classes: CLASSES }],
  ],
  [['img', 'conv'], ['conv', 'bn'], ['bn', 'pool'], ['pool', 'flat'], ['flat', 'drop'], ['drop', 'head']],
);

let dir: string;
let exportDir: string;
let dataDir: string;

/** Class c: a bright 5×5 square in corner c of a noisy 14×14 image. */
function image(c: number, r: () => number): PNG {
  const png = new PNG({ width: 14, height: 14 });
  const [oy, ox] = [[1, 1], [1, 8], [8, 1], [8, 8]][c];
  for (let y = 0; y < 14; y++) {
    for (let x = 0; x < 14; x++) {
      const inside = y >= oy && y < oy + 5 && x >= ox && x < ox + 5;
      const v = Math.min(255, Math.floor((inside ? 170 : 0) + r() * 80));
      const i = (y * 14 + x) * 4;
      png.data[i] = png.data[i + 1] = png.data[i + 2] = v;
      png.data[i + 3] = 255;
    }
  }
  return png;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-train-'));
  exportDir = join(dir, 'export');
  dataDir = join(dir, 'data');
  const r = rng(11);
  for (let c = 0; c < CLASSES; c++) {
    mkdirSync(join(dataDir, String(c)), { recursive: true });
    for (let i = 0; i < PER_CLASS; i++) writeFileSync(join(dataDir, String(c), `${i}.png`), PNG.sync.write(image(c, r)));
  }
  // Weights only matter for the export's model.safetensors; training starts from fresh ones.
  const { compile } = await import('../../renderer/src/core/compile/compiler');
  const { readModelWeights } = await import('../../renderer/src/core/train/weights');
  const compiled = compile(GRAPH, { seed: 3 });
  const weights = await readModelWeights(compiled.model);
  compiled.model.dispose();
  const config = { ...DEFAULT_TRAIN_CONFIG, optimizer: 'adam' as const, learningRate: 0.01, batchSize: 16, epochs: 1, validationSplit: 0.1, seed: 5 };
  const runRecord: RunRecord = {
    id: 'r1', name: 'train.py test', createdAt: 0, graph: GRAPH, config, dataset: { kind: 'mnist' }, state: 'done',
    curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] }, epoch: 1,
  };
  mkdirSync(exportDir);
  for (const f of exportPytorch({ graph: GRAPH, weights, run: runRecord })) writeFileSync(join(exportDir, f.name), f.data);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Event {
  event: string;
  loss?: number;
  step?: number;
  processes?: number;
  train_loss?: number;
  val_acc?: number;
}

const events = (stdout: string): Event[] =>
  // torchrun's --tee prefixes each line with the process ("[default0]:").
  stdout.trim().split('\n').filter((l) => l.includes('{"event"')).map((l) => JSON.parse(l.slice(l.indexOf('{"event"'))) as Event);

function lossFalls(ev: Event[]): { first: number; last: number } {
  const losses = ev.filter((e) => e.event === 'step').map((e) => e.loss as number);
  expect(losses.length).toBeGreaterThanOrEqual(6);
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return { first: mean(losses.slice(0, 2)), last: mean(losses.slice(-2)) };
}

const ENV = { ...process.env, OMP_NUM_THREADS: '1' };

describe('train.py (PyTorch export)', () => {
  it('trains one epoch in one process: the loss falls, and the trained weights load back', async () => {
    const out = join(dir, 'single.safetensors');
    const { stdout } = await run(PYTHON, [join(exportDir, 'train.py'), dataDir, '--epochs', '1', '--log-every', '1', '--out', out, '--cpu'], { cwd: dir, env: ENV });
    const ev = events(stdout);
    expect(ev.find((e) => e.event === 'data')?.processes).toBe(1);
    const { first, last } = lossFalls(ev);
    expect(last).toBeLessThan(first * 0.8);
    expect(existsSync(out)).toBe(true);
    const exported = readSafetensors(readFileSync(join(exportDir, 'model.safetensors')));
    const trained = readSafetensors(readFileSync(out));
    expect(Object.keys(trained.tensors).sort()).toEqual(Object.keys(exported.tensors).sort());
    const check = `import sys; sys.path.insert(0, ${JSON.stringify(exportDir)}); import model; m = model.load_model(${JSON.stringify(out)}); print(m.training)`;
    expect((await run(PYTHON, ['-c', check], { env: ENV })).stdout.trim()).toBe('False');
  });

  it('trains one epoch with torchrun --nproc_per_node 2 (gloo, DistributedDataParallel): the loss falls', async () => {
    const out = join(dir, 'ddp.safetensors');
    const { stdout } = await run(
      TORCHRUN,
      // --redirects/--tee 1: torchrun 1.13 on Python 3.11 cannot parse their default "0" (its Std flag enum).
      ['--standalone', '--nproc_per_node', '2', '--redirects', '1', '--tee', '1', join(exportDir, 'train.py'), dataDir, '--epochs', '1', '--log-every', '1', '--out', out, '--cpu'],
      { cwd: dir, env: ENV },
    );
    const ev = events(stdout);
    expect(ev.find((e) => e.event === 'data')?.processes).toBe(2);
    const { first, last } = lossFalls(ev);
    expect(last).toBeLessThan(first * 0.8);
    expect(ev.some((e) => e.event === 'epoch')).toBe(true);
    expect(existsSync(out)).toBe(true);
  });

  it("train.py's own PNG reader (used where Pillow is missing) decodes what pngjs wrote", async () => {
    const files = [join(dataDir, '0', '0.png'), join(dataDir, '3', '5.png')];
    const { stdout } = await run(PYTHON, [join(ROOT, 'tests/python/check_png.py'), exportDir, ...files], { env: ENV });
    const decoded = events(stdout) as unknown as { path: string; height: number; width: number; channels: number; sum: number; first: number[] }[];
    for (const d of decoded) {
      const png = PNG.sync.read(readFileSync(d.path));
      expect([d.height, d.width, d.channels]).toEqual([14, 14, 4]);
      expect(d.sum).toBe(png.data.reduce((a, b) => a + b, 0));
      expect(d.first).toEqual(Array.from(png.data.subarray(0, 8)));
    }
  });
});
