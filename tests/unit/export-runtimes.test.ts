// Every export checked by a runtime we did not write, for every template, a graph using every
// block type and a vector-input graph: the TF.js export loaded in a clean Node process with stock
// tfjs plus the registration module, the ONNX export run by onnxruntime, the PyTorch export run
// by Debian's PyTorch (/usr/bin/python3). Each must match the app's predictions to 1e-4.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx, exportPytorch, exportTfjs, type ExportFile } from '../../renderer/src/core/export/index';
import { EXPORT_GRAPHS, maxDiff, trainedLike, type Trained } from './helpers/export-graphs';

const run = promisify(execFile);
const ROOT = resolve(__dirname, '../..');
const PYTHON = '/usr/bin/python3';
const TOLERANCE = 1e-4;

let dir: string;
const trained = new Map<string, Trained>();

function writeFiles(folder: string, files: ExportFile[]): void {
  mkdirSync(folder, { recursive: true });
  for (const f of files) writeFileSync(join(folder, f.name), f.data);
}

function writeInputs(folder: string, t: Trained): void {
  writeFileSync(join(folder, 'inputs.bin'), new Uint8Array(t.inputs.buffer, t.inputs.byteOffset, t.inputs.byteLength));
  writeFileSync(join(folder, 'inputs.json'), JSON.stringify({ shape: [t.batch, ...t.inputShape] }));
}

const readFloats = (path: string): Float32Array => {
  const b = readFileSync(path);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'netwright-export-'));
  for (const { name, graph } of EXPORT_GRAPHS) {
    const t = await trainedLike(graph);
    trained.set(name, t);
    const input = { graph, weights: t.weights };
    for (const [format, files] of [['tfjs', exportTfjs(input)], ['onnx', exportOnnx(input)], ['pytorch', exportPytorch(input)]] as const) {
      const folder = join(dir, format, name);
      writeFiles(folder, files);
      writeInputs(folder, t);
    }
  }
});

afterAll(() => {
  for (const t of trained.values()) t.model.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** The child: stock tfjs (resolved from this repository) + the export's own registration module, nothing of ours. */
const TFJS_CHILD = `
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [tfUrl, ...folders] = process.argv.slice(2);
const tfModule = await import(tfUrl);
const tf = tfModule.default ?? tfModule;
await tf.setBackend('cpu');
for (const folder of folders) {
  const { register } = await import(pathToFileURL(join(folder, 'netwright-layers.js')).href);
  register(tf);
  const json = JSON.parse(readFileSync(join(folder, 'model.json'), 'utf8'));
  const bins = json.weightsManifest.flatMap((g) => g.paths).map((p) => readFileSync(join(folder, p)));
  const all = Buffer.concat(bins);
  const model = await tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: json.modelTopology,
    weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  }));
  const { shape } = JSON.parse(readFileSync(join(folder, 'inputs.json'), 'utf8'));
  const raw = readFileSync(join(folder, 'inputs.bin'));
  const x = tf.tensor(new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength)), shape);
  const y = await model.predict(x).data();
  writeFileSync(join(folder, 'tfjs-out.bin'), new Uint8Array(y.buffer, y.byteOffset, y.byteLength));
  console.log(JSON.stringify({ folder, layers: model.layers.map((l) => l.getClassName()) }));
}
`;

describe('exports run in independent runtimes and agree with the app', () => {
  it('TF.js: stock tfjs in a clean Node process, with the registration module', async () => {
    const script = join(dir, 'load-tfjs.mjs');
    writeFileSync(script, TFJS_CHILD);
    const tfEntry = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('@tensorflow/tfjs')).href;
    const folders = EXPORT_GRAPHS.map((g) => join(dir, 'tfjs', g.name));
    const { stdout } = await run(process.execPath, [script, tfEntry, ...folders], { cwd: dir, maxBuffer: 1 << 24 });
    const loaded = stdout.trim().split('\n').map((l) => JSON.parse(l) as { folder: string; layers: string[] });
    expect(loaded).toHaveLength(EXPORT_GRAPHS.length);
    // The exported Dropout is the stock one, never the app's SeededDropout.
    expect(loaded.flatMap((l) => l.layers)).not.toContain('SeededDropout');
    expect(loaded.find((l) => l.folder.endsWith('every-block'))?.layers).toEqual(
      expect.arrayContaining(['LocalContrastNorm', 'L2Pool2D', 'SameAvgPool2D', 'Dropout', 'AveragePooling2D', 'MaxPooling2D']),
    );
    for (const { name } of EXPORT_GRAPHS) {
      const t = trained.get(name)!;
      expect(maxDiff(readFloats(join(dir, 'tfjs', name, 'tfjs-out.bin')), t.expected), name).toBeLessThan(TOLERANCE);
    }
  });

  it('ONNX: onnxruntime-node runs model.onnx (opset 13)', async () => {
    for (const { name } of EXPORT_GRAPHS) {
      const t = trained.get(name)!;
      const session = await ort.InferenceSession.create(join(dir, 'onnx', name, 'model.onnx'));
      try {
        expect(session.inputNames).toEqual(['input']);
        const x = new ort.Tensor('float32', t.inputs, [t.batch, ...t.inputShape]);
        const out = await session.run({ input: x });
        const p = out.probabilities.data as Float32Array;
        expect(out.probabilities.dims).toEqual([t.batch, t.expected.length / t.batch]);
        expect(maxDiff(p, t.expected), name).toBeLessThan(TOLERANCE);
      } finally {
        await session.release();
      }
    }
  });

  it("PyTorch: Debian's torch loads model.py + model.safetensors", async () => {
    const folders = EXPORT_GRAPHS.map((g) => join(dir, 'pytorch', g.name));
    const { stdout } = await run(PYTHON, [join(ROOT, 'tests/python/check_export.py'), ...folders], { cwd: dir, maxBuffer: 1 << 24 });
    expect(stdout.trim().split('\n')).toHaveLength(EXPORT_GRAPHS.length);
    for (const { name } of EXPORT_GRAPHS) {
      const t = trained.get(name)!;
      expect(maxDiff(readFloats(join(dir, 'pytorch', name, 'torch-out.bin')), t.expected), name).toBeLessThan(TOLERANCE);
    }
  });

  it('the predictions are confident and differ between examples (so agreeing means something)', () => {
    for (const [name, t] of trained) {
      const k = t.expected.length / t.batch;
      const best = Array.from({ length: t.batch }, (_, i) => Math.max(...t.expected.subarray(i * k, (i + 1) * k)));
      expect(Math.max(...best), name).toBeGreaterThan(1.5 / k);
    }
  });
});
