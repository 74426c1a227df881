// The run's recorded input preprocessing (standardize / per-channel mean and std, a scale) in every
// export: the model card and the READMEs state the recorded numbers; model.py's preprocess(), run by
// Debian's PyTorch on the same raw pixels, then the model, matches the app's prediction (tfjs on
// normalizeInput(pixels / 255)); train.py's batches are prepared the same way; a MNIST run still
// says bytes / 255.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeInput, type DatasetPreprocessing } from '../../renderer/src/core/data/normalize';
import { exportCard, exportOnnx, exportPytorch, exportTfjs, type ExportFile, type ExportInput } from '../../renderer/src/core/export/index';
import type { Graph } from '../../renderer/src/core/graph/types';
import type { DatasetDescriptor, RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import { graphOf, maxDiff, rng, trainedLike, type Trained } from './helpers/export-graphs';

const run = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-5;
const BATCH = 4;

const netOf = (channels: number): Graph =>
  graphOf(
    [
      ['img', 'Input', { kind: 'image', height: 9, width: 8, channels }],
      ['conv', 'Conv2D', { filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }],
      ['bn', 'BatchNorm'],
      ['pool', 'MaxPool2D', { poolSize: 2, stride: 2 }],
      ['flat', 'Flatten'],
      ['head', 'Classifier', { classes: 4 }],
    ],
    [['img', 'conv'], ['conv', 'bn'], ['bn', 'pool'], ['pool', 'flat'], ['flat', 'head']],
  );

const PER_CHANNEL: DatasetPreprocessing = {
  normalization: 'per-channel',
  input: { bytes: true, mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.2435, 0.2616] },
  resize: 'crop',
  color: 'rgb',
};
// Floats in pixel units with a scale, one pooled mean/std (grey).
const STANDARDIZE: DatasetPreprocessing = { normalization: 'standardize', input: { bytes: false, scale: 0.00392156862745098, mean: [0.1307], std: [0.3081] } };

function imported(channels: number, preprocessing: DatasetPreprocessing, format: 'images' | 'npy'): DatasetDescriptor {
  return { kind: 'imported', id: 'd', name: 'shapes', format, shape: [9, 8, channels], classes: ['circle', 'square', 'star', 'triangle'], train: 900, test: 100, preprocessing };
}

function runOf(graph: Graph, dataset: DatasetDescriptor): RunRecord {
  return {
    id: 'r', name: 'normalized', createdAt: 0, graph, config: { ...DEFAULT_TRAIN_CONFIG }, dataset, state: 'done', epoch: 1,
    curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] },
  };
}

interface Case {
  name: string;
  channels: number;
  dataset: DatasetDescriptor;
  trained?: Trained;
  pixels?: Uint8Array;
  /** normalizeInput(pixels / 255), NHWC, and the app's predictions on it. */
  normalized?: Float32Array;
  expected?: Float32Array;
}

const CASES: Case[] = [
  { name: 'per-channel', channels: 3, dataset: imported(3, PER_CHANNEL, 'images') },
  { name: 'standardize', channels: 1, dataset: imported(1, STANDARDIZE, 'npy') },
];

let dir: string;
const text = (files: ExportFile[], name: string): string => files.find((f) => f.name === name)!.data as string;
const inputOf = (c: Case, dataset = c.dataset): ExportInput => ({ graph: netOf(c.channels), weights: c.trained!.weights, run: runOf(netOf(c.channels), dataset) });

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'netwright-preprocess-'));
  for (const c of CASES) {
    c.trained = await trainedLike(netOf(c.channels), 2);
    const r = rng(c.channels * 13);
    c.pixels = Uint8Array.from({ length: BATCH * 9 * 8 * c.channels }, () => Math.floor(r() * 256));
    const pre = c.dataset.kind === 'imported' ? c.dataset.preprocessing : undefined;
    c.normalized = normalizeInput(Float32Array.from(c.pixels, (v) => v / 255), c.channels, pre!.input);
    const out = tf.tidy(() => c.trained!.model.predict(tf.tensor(c.normalized!, [BATCH, 9, 8, c.channels])) as tf.Tensor);
    c.expected = (await out.data()) as Float32Array;
    out.dispose();
    const folder = join(dir, c.name);
    mkdirSync(folder);
    for (const f of exportPytorch(inputOf(c))) writeFileSync(join(folder, f.name), f.data);
    writeFileSync(join(folder, 'pixels.bin'), c.pixels);
    writeFileSync(join(folder, 'shape.json'), JSON.stringify([BATCH, 9, 8, c.channels]));
  }
});

afterAll(() => {
  for (const c of CASES) c.trained?.model.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** model.py's preprocess() + the model, without preprocess (bytes / 255), and train.py's batch(), on raw NHWC pixels. */
const CHECK = String.raw`
import importlib.util, json, os, sys
import torch
torch.set_num_threads(1)
for folder in sys.argv[1:]:
    sys.path.insert(0, folder)
    sys.modules.pop('model', None)
    def load(name):
        spec = importlib.util.spec_from_file_location(name, os.path.join(folder, name + '.py'))
        m = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(m)
        return m
    model_py = load('model')
    train_py = load('train')
    shape = json.load(open(os.path.join(folder, 'shape.json')))
    pixels = torch.frombuffer(bytearray(open(os.path.join(folder, 'pixels.bin'), 'rb').read()), dtype=torch.uint8).reshape(shape).permute(0, 3, 1, 2).contiguous()
    model = model_py.load_model(os.path.join(folder, 'model.safetensors'))
    with torch.no_grad():
        p = model(model_py.preprocess(pixels))
        raw = model(pixels.float() / 255)
    x, _ = train_py.batch(pixels, torch.zeros(shape[0], dtype=torch.int64), torch.arange(shape[0]), 'center', None)
    for name, t in (('torch-out.bin', p), ('torch-raw.bin', raw), ('train-x.bin', x.permute(0, 2, 3, 1))):
        open(os.path.join(folder, name), 'wb').write(t.contiguous().numpy().astype('<f4').tobytes())
    sys.path.remove(folder)
    print(json.dumps({'dir': folder, 'scale': model_py.PIXEL_SCALE, 'mean': model_py.MEAN, 'std': model_py.STD}), flush=True)
`;

const readFloats = (path: string): Float32Array => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

describe('exports state and apply the run\'s recorded input preprocessing', () => {
  it('the model card, the three READMEs, model.py and train.py state the recorded numbers', () => {
    const c = CASES[0];
    const input = inputOf(c);
    const card = text(exportCard(input), 'MODEL_CARD.md');
    const torch = exportPytorch(input);
    const docs = {
      card, pytorch: text(torch, 'README.md'), modelPy: text(torch, 'model.py'), trainPy: text(torch, 'train.py'),
      tfjs: text(exportTfjs(input), 'README.md'), onnx: text(exportOnnx(input), 'README.md'),
    };
    for (const [name, doc] of Object.entries(docs)) {
      expect(doc, name).toContain('0.4914, 0.4822, 0.4465');
      expect(doc, name).toContain('0.247, 0.2435, 0.2616');
      expect(doc, name).toContain('per-channel');
      expect(doc, name).not.toMatch(/scaled to \[0, 1\] \(byte \/ 255\)/);
    }
    for (const doc of [docs.card, docs.pytorch, docs.tfjs, docs.onnx]) expect(doc).toMatch(/resized to 9×8 .*centre-cropped.*kept as RGB \(transparent pixels over black\) \(colour mode "rgb"\)/);
    expect(docs.modelPy).toContain('MEAN = (0.4914, 0.4822, 0.4465)');
    expect(docs.modelPy).toContain('def preprocess(pixels):');
    expect(docs.trainPy).toContain('resized to 9x8 (crop)');
    // The Dataset row is words, not a JSON dump.
    expect(card).toContain('| Dataset | shapes (imported image folder): 9×8×3, 4 classes (circle, square, star, triangle); 900 training and 100 test examples; normalization "per-channel"');
    expect(card).not.toContain('{"kind"');
  });

  it('a float dataset with a scale and a pooled mean/std says so', () => {
    const c = CASES[1];
    const input = inputOf(c);
    for (const doc of [text(exportCard(input), 'MODEL_CARD.md'), text(exportPytorch(input), 'README.md'), text(exportTfjs(input), 'README.md'), text(exportOnnx(input), 'README.md')]) {
      expect(doc).toContain('(v × 0.00392156862745098 − mean[c]) / std[c], one grey channel, with mean = [0.1307] and std = [0.3081]');
      expect(doc).toContain('floating-point values in pixel units');
    }
  });

  it('floats without a scale (a table, a NumPy array) are fed as imported: PIXEL_SCALE 1, never / 255', () => {
    const c = CASES[1];
    const asIs: DatasetPreprocessing = { normalization: 'standardize', input: { bytes: false, mean: [5.84], std: [0.83] } };
    const input = inputOf(c, imported(1, asIs, 'npy'));
    const torch = exportPytorch(input);
    expect(text(torch, 'model.py')).toContain('PIXEL_SCALE = 1\n');
    for (const doc of [text(exportCard(input), 'MODEL_CARD.md'), text(torch, 'README.md'), text(exportTfjs(input), 'README.md'), text(exportOnnx(input), 'README.md')]) {
      expect(doc).toContain('imported floating-point values as they are');
      expect(doc).toContain('(v − mean[c]) / std[c], with mean = [5.84] and std = [0.83]');
      expect(doc).not.toMatch(/div\(255\)|\/ 255/);
    }
  });

  it('a MNIST run (and a run without recorded preprocessing) still says bytes / 255', () => {
    const c = CASES[1];
    const graph = netOf(1);
    const old = { ...imported(1, STANDARDIZE, 'npy') } as DatasetDescriptor & { preprocessing?: unknown };
    delete old.preprocessing;
    for (const dataset of [{ kind: 'mnist' } as DatasetDescriptor, old]) {
      const input = { graph, weights: c.trained!.weights, run: runOf(graph, dataset) };
      const torch = exportPytorch(input);
      for (const doc of [text(exportCard(input), 'MODEL_CARD.md'), text(torch, 'README.md'), text(exportTfjs(input), 'README.md'), text(exportOnnx(input), 'README.md')]) {
        expect(doc).toContain('pixel values scaled to [0, 1] (byte / 255)');
        expect(doc).not.toContain('0.1307');
      }
      expect(text(torch, 'model.py')).toContain('MEAN = (0,)\nSTD = (1,)');
      expect(text(exportTfjs(input), 'README.md')).toContain('const x = pixels.div(255);');
    }
    expect(text(exportCard({ graph, weights: c.trained!.weights, run: runOf(graph, { kind: 'mnist' }) }), 'MODEL_CARD.md')).toContain('(MNIST)');
  });

  it("PyTorch: model.py's preprocess() then the model, on the raw pixels, matches the app (tfjs on normalizeInput) to 1e-5; train.py's batches equal the app's inputs", async () => {
    const script = join(dir, 'check.py');
    writeFileSync(script, CHECK);
    const { stdout } = await run(PYTHON, [script, ...CASES.map((c) => join(dir, c.name))], { cwd: dir, maxBuffer: 1 << 24 });
    const lines = stdout.trim().split('\n').map((l) => JSON.parse(l) as { scale: number; mean: number[]; std: number[] });
    expect(lines).toHaveLength(CASES.length);
    for (const [i, c] of CASES.entries()) {
      const input = c.dataset.kind === 'imported' ? c.dataset.preprocessing!.input : null;
      // The numbers model.py holds are the recorded ones, read back as the same doubles.
      expect(lines[i].mean).toEqual(c.channels === 3 ? input!.mean : [input!.mean![0]]);
      expect(lines[i].std).toEqual(c.channels === 3 ? input!.std : [input!.std![0]]);
      const folder = join(dir, c.name);
      expect(maxDiff(readFloats(join(folder, 'torch-out.bin')), c.expected!), c.name).toBeLessThan(TOLERANCE);
      expect(maxDiff(readFloats(join(folder, 'train-x.bin')), c.normalized!), c.name).toBeLessThan(TOLERANCE);
      // Without the preprocessing (bytes / 255 only) the model answers differently: agreeing means something.
      expect(maxDiff(readFloats(join(folder, 'torch-raw.bin')), c.expected!), c.name).toBeGreaterThan(0.05);
    }
  });
});
