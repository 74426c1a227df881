// The export files themselves: safetensors layout, the TF.js topology against tfjs' own
// model.toJSON(), the ONNX header, the model card, and refusals.
import * as tf from '@tensorflow/tfjs';
import * as onnxNs from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXPORT_FORMATS, exportCard, exportModel, exportOnnx, exportPytorch, exportTfjs, ExportError, readSafetensors, tfjsRegistrationModule, tfjsTopology,
  writeSafetensors,
} from '../../renderer/src/core/export/index';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import { EVERY_BLOCK, trainedLike, type Trained } from './helpers/export-graphs';

const onnx = (onnxNs as unknown as { onnx?: typeof onnxNs.onnx }).onnx ?? (onnxNs as unknown as { default: { onnx: typeof onnxNs.onnx } }).default.onnx;

let every: Trained;
beforeAll(async () => {
  await tf.setBackend('cpu');
  every = await trainedLike(EVERY_BLOCK);
});
afterAll(() => every.model.dispose());

describe('safetensors', () => {
  it('writes the 8-byte header length, a JSON header padded to 8 bytes, and the raw data; reads it back', () => {
    const bytes = writeSafetensors(
      { a: { dtype: 'F32', shape: [2, 3], values: Float32Array.from([1, 2, 3, 4, 5, -6.5]) }, n: { dtype: 'I64', shape: [], values: BigInt64Array.from([7n]) } },
      { producer: 'test' },
    );
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect(n % 8).toBe(0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    expect(header.a).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(header.n).toEqual({ dtype: 'I64', shape: [], data_offsets: [24, 32] });
    expect(header.__metadata__).toEqual({ producer: 'test' });
    expect(bytes.length).toBe(8 + n + 32);
    const back = readSafetensors(bytes);
    expect(Array.from(back.tensors.a.values as Float32Array)).toEqual([1, 2, 3, 4, 5, -6.5]);
    expect(back.tensors.n.values[0]).toBe(7n);
  });
});

describe('TF.js export', () => {
  it("writes the topology tfjs' own model.toJSON() writes: layers, classes and connections", () => {
    const ours = tfjsTopology({ graph: EVERY_BLOCK, weights: every.weights }) as { config: { layers: { class_name: string; name: string; inbound_nodes: unknown }[] } };
    const theirs = every.model.toJSON(null, false) as unknown as { config: { layers: { class_name: string; name: string; inbound_nodes: unknown }[] } };
    const strip = (l: { class_name: string; name: string; inbound_nodes: unknown }) => ({
      name: l.name,
      class_name: l.class_name === 'SeededDropout' ? 'Dropout' : l.class_name,
      inbound: JSON.stringify(l.inbound_nodes),
    });
    const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);
    expect(ours.config.layers.map(strip).sort(byName)).toEqual(theirs.config.layers.map(strip).sort(byName));
  });

  it('lists the weights by their tfjs names, and ships the registration module and a README', () => {
    const files = exportTfjs({ graph: EVERY_BLOCK, weights: every.weights });
    expect(files.map((f) => f.name)).toEqual(['model.json', 'weights.bin', 'netwright-layers.js', 'README.md']);
    const json = JSON.parse(files[0].data as string);
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].weights.map((w: { name: string }) => w.name)).toEqual(every.weights.specs.map((s) => s.name));
    expect((files[1].data as Uint8Array).byteLength).toBe(every.weights.data.byteLength);
    const module = tfjsRegistrationModule();
    expect(module).toMatch(/export function register\(tf\)/);
    for (const c of ['LocalContrastNorm', 'L2Pool2D', 'SameAvgPool2D']) expect(module).toContain(`tf.serialization.registerClass(${c})`);
    expect(module).not.toMatch(/^import /m);
  });
});

describe('ONNX export', () => {
  it('is opset 13 with an NHWC input and a probabilities output', () => {
    const [file] = exportOnnx({ graph: EVERY_BLOCK, weights: every.weights });
    const model = onnx.ModelProto.decode(file.data as Uint8Array);
    expect(Number(model.opsetImport[0].version)).toBe(13);
    const dims = model.graph!.input![0].type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue));
    expect(dims).toEqual(['batch', 19, 18, 2]);
    expect(model.graph!.output![0].name).toBe('probabilities');
    const ops = new Set(model.graph!.node!.map((n) => n.opType));
    // Standard operators only: LCN and L2 pooling are lowered, Dropout is an Identity.
    for (const op of ops) expect(['Transpose', 'Conv', 'Relu', 'Sigmoid', 'Tanh', 'Identity', 'BatchNormalization', 'Div', 'Sub', 'Mul', 'Max', 'Sqrt', 'ReduceMean', 'MaxPool', 'AveragePool', 'Add', 'Sum', 'Concat', 'Flatten', 'Gemm', 'MatMul', 'Softmax']).toContain(op);
  });
});

describe('PyTorch export', () => {
  it('writes model.py, model.safetensors (PyTorch layouts), train.py and a README', () => {
    const files = exportPytorch({ graph: EVERY_BLOCK, weights: every.weights });
    expect(files.map((f) => f.name)).toEqual(['model.py', 'model.safetensors', 'train.py', 'README.md']);
    const { tensors } = readSafetensors(files[1].data as Uint8Array);
    expect(tensors['layers.conv_a.weight'].shape).toEqual([4, 2, 4, 4]); // [out, in, kh, kw]
    expect(tensors['layers.dense_a.weight'].shape).toEqual([12, 6]); // [out, in]
    expect(tensors['layers.bn_a.running_var'].shape).toEqual([4]);
    expect(tensors['layers.bn_a.num_batches_tracked'].dtype).toBe('I64');
    expect(files[0].data).toContain('def load_model(');
    expect(files[2].data).toContain('DistributedDataParallel');
  });
});

describe('model card and refusals', () => {
  const graph = instantiate(templateById('convnetjs-mnist')!);
  it('tells architecture, size, dataset, settings, metrics and curves', async () => {
    const t = await trainedLike(graph);
    const run: RunRecord = {
      id: 'r', name: 'ConvNetJS, 1 epoch', createdAt: Date.UTC(2026, 10, 20), graph, config: { ...DEFAULT_TRAIN_CONFIG, optimizer: 'adadelta' },
      dataset: { kind: 'mnist' }, state: 'done', backend: 'wasm', epoch: 1,
      curves: { trainLoss: [[640, 2.1], [1280, 0.9], [1920, 0.5]], trainAcc: [[640, 0.3], [1920, 0.9]], valLoss: [[1920, 0.45]], valAcc: [[1920, 0.88]], learningRate: [[0, 0.001]] },
      metrics: { testAccuracy: 0.9784, testLoss: 0.07, seconds: 12.5, examplesSeen: 60000, examplesPerSecond: 4800, params: 3_642, multiplyAdds: 585_472 },
    };
    const [card] = exportCard({ graph, weights: t.weights, run });
    const text = card.data as string;
    expect(card.name).toBe('MODEL_CARD.md');
    expect(text).toContain('# Model card: ConvNetJS, 1 epoch');
    expect(text).toContain('| Multiply-adds per example | 585,472 |');
    expect(text).toContain('| Test accuracy | 97.84% |');
    expect(text).toContain('MNIST');
    expect(text).toContain('| optimizer | adadelta |');
    expect(text).toMatch(/\| conv2d_1 \| Conv2D \| 24×24×8 \| 208 \| 115,200 \|/);
    expect(text).toMatch(/\| Training loss \| 3 \| 2\.1 \| 0\.5 \|/);
    t.model.dispose();
  });

  it('refuses weights that do not belong to the network, and unknown formats', async () => {
    const other = await trainedLike(instantiate(templateById('logistic-regression')!));
    for (const format of EXPORT_FORMATS.filter((f) => f !== 'card' && f !== 'tfjs')) {
      expect(() => exportModel(format, { graph, weights: other.weights })).toThrow(ExportError);
    }
    expect(() => exportModel('keras' as never, { graph, weights: other.weights })).toThrow('unknown export format');
    const broken = { specs: other.weights.specs, data: other.weights.data.slice(4) };
    expect(() => exportModel('onnx', { graph: instantiate(templateById('logistic-regression')!), weights: broken })).toThrow('bytes');
    other.model.dispose();
  });
});
