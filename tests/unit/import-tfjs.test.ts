// Import of TF.js Layers models: every template and the every-block graph exported with trained-ish
// weights, imported, compiled and given the imported weights predict what the original did (1e-6);
// a model saved by stock tfjs imports too; what has no block is refused with a message.
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { exportTfjs, type ExportFile } from '../../renderer/src/core/export/index';
import { ImportError, importTfjs, importedRun } from '../../renderer/src/core/export/import-tfjs';
import { resolveParams } from '../../renderer/src/core/blocks/index';
import { analyze } from '../../renderer/src/core/graph/analyze';
import type { Graph } from '../../renderer/src/core/graph/types';
import { writeModelWeights } from '../../renderer/src/core/train/weights';
import { EXPORT_GRAPHS, maxDiff, trainedLike, type Trained } from './helpers/export-graphs';

const trained = new Map<string, Trained>();
beforeAll(async () => {
  await tf.setBackend('cpu');
  for (const { name, graph } of EXPORT_GRAPHS) trained.set(name, await trainedLike(graph, 3));
});
afterAll(() => {
  for (const t of trained.values()) t.model.dispose();
});

/**
 * What the network computes, without positions (the import lays blocks out anew) and without the
 * initializer (how training starts; a model.json does not say).
 */
const network = (g: Graph) => ({
  blocks: g.blocks.map((b) => {
    const { initializer: _i, initStd: _s, ...params } = resolveParams(b);
    return { id: b.id, type: b.type, params };
  }).sort((a, b) => a.id.localeCompare(b.id)),
  edges: g.edges.map((e) => `${e.source}>${e.target}`),
});

async function predict(graph: Graph, weights: Parameters<typeof writeModelWeights>[1], t: Trained): Promise<Float32Array> {
  const { model } = compile(graph);
  try {
    writeModelWeights(model, weights);
    const out = tf.tidy(() => model.predict(tf.tensor(t.inputs, [t.batch, ...t.inputShape])) as tf.Tensor);
    const values = (await out.data()) as Float32Array;
    out.dispose();
    return values;
  } finally {
    model.dispose();
  }
}

describe('TF.js Layers import', () => {
  it.each(EXPORT_GRAPHS.map((g) => g.name))('%s: exported, imported, compiled: the same network and predictions within 1e-6', async (name) => {
    const { graph } = EXPORT_GRAPHS.find((g) => g.name === name)!;
    const t = trained.get(name)!;
    const imported = importTfjs(exportTfjs({ graph, weights: t.weights }));
    expect(network(imported.graph)).toEqual(network(graph));
    expect(analyze(imported.graph).ok).toBe(true);
    // Laid out: no two blocks on one spot.
    expect(new Set(imported.graph.blocks.map((b) => `${b.position.x},${b.position.y}`)).size).toBe(graph.blocks.length);
    const got = await predict(imported.graph, imported.weights, t);
    expect(maxDiff(got, t.expected)).toBeLessThanOrEqual(1e-6);
    // The run record holds what Evaluate and Look inside load.
    const run = importedRun(imported, 'imp_1', 5);
    expect(run.state).toBe('done');
    expect(run.weights!.specs.map((s) => s.name).sort()).toEqual(t.weights.specs.map((s) => s.name).sort());
  });

  it('imports a Sequential model saved by stock tfjs (its own layer names, several weight files)', async () => {
    const model = tf.sequential({
      name: 'digits',
      layers: [
        tf.layers.conv2d({ inputShape: [12, 10, 1], filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'c-1' }),
        tf.layers.batchNormalization({ name: 'bn' }),
        tf.layers.averagePooling2d({ poolSize: 2, name: 'pool' }),
        tf.layers.flatten({ name: 'flat' }),
        tf.layers.dropout({ rate: 0.2, name: 'drop' }),
        tf.layers.dense({ units: 4, activation: 'softmax', name: 'out' }),
      ],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const data = new Uint8Array(saved!.weightData as ArrayBuffer);
    const cut = Math.floor(data.length / 8) * 4; // two shards, as tfjs writes large models
    const files: ExportFile[] = [
      { name: 'model.json', data: JSON.stringify({ modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['./s1.bin', 's2.bin'], weights: saved!.weightSpecs }] }) },
      { name: 's1.bin', data: data.slice(0, cut) },
      { name: 's2.bin', data: data.slice(cut) },
    ];
    const imported = importTfjs(files, 'fallback');
    expect(imported.name).toBe('digits');
    // Read as the config says: tfjs writes its default glorotUniform as VarianceScaling with distribution 'normal'.
    expect(imported.graph.blocks.find((b) => b.id === 'c_1')!.params.initializer).toBe('glorotNormal');
    expect(imported.graph.blocks.map((b) => [b.id, b.type])).toEqual([
      ['c_1_input', 'Input'], ['c_1', 'Conv2D'], ['bn', 'BatchNorm'], ['pool', 'AvgPool2D'], ['flat', 'Flatten'], ['drop', 'Dropout'], ['out', 'Classifier'],
    ]);
    const inputs = Float32Array.from({ length: 2 * 120 }, (_, i) => (i % 17) / 17);
    const want = (await (model.predict(tf.tensor(inputs, [2, 12, 10, 1])) as tf.Tensor).data()) as Float32Array;
    const got = await predict(imported.graph, imported.weights, { inputs, batch: 2, inputShape: [12, 10, 1] } as Trained);
    expect(maxDiff(got, want)).toBeLessThanOrEqual(1e-6);
    model.dispose();
  });

  describe('refuses what it cannot represent, with a message', () => {
    const t = () => trained.get('lenet-5')!;
    const lenet = () => exportTfjs({ graph: EXPORT_GRAPHS.find((g) => g.name === 'lenet-5')!.graph, weights: t().weights });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- edits of arbitrary model.json
    const edited = (fn: (json: any) => void) => () => {
      const files = lenet();
      const json = JSON.parse(files[0].data as string);
      fn(json);
      return [{ name: 'model.json', data: JSON.stringify(json) }, ...files.slice(1)];
    };
    const layersOf = (j: { modelTopology: { config: { layers: { class_name: string; config: Record<string, unknown> }[] } } }) => j.modelTopology.config.layers;

    it.each([
      ['an unknown layer', edited((j) => (layersOf(j)[1].class_name = 'DepthwiseConv2D')), /Layer "conv2d_1" is a DepthwiseConv2D, which Netwright has no block for/],
      ['a dilated convolution', edited((j) => (layersOf(j)[1].config.dilation_rate = [2, 2])), /dilated convolution/],
      ['a non-square kernel', edited((j) => (layersOf(j)[1].config.kernel_size = [5, 3])), /kernel size \[5,3\] is not square/],
      ['an activation without a block', edited((j) => (layersOf(j)[1].config.activation = 'elu')), /activation "elu" is not one Netwright has/],
      ['an output that is no classifier', edited((j) => (layersOf(j).at(-1)!.config.activation = 'relu')), /is not a softmax Dense layer/],
      ['a missing weights file', () => lenet().filter((f) => f.name !== 'weights.bin'), /weights file "weights.bin" is missing/],
      ['weights too short', () => lenet().map((f) => (f.name === 'weights.bin' ? { ...f, data: (f.data as Uint8Array).slice(0, -4) } : f)), /too short/],
      ['weights of the wrong shape', edited((j) => (j.weightsManifest[0].weights[0].shape = [5, 5, 1, 5])), /hold 125 values but the block needs 156|but the manifest describes/],
      ['quantized weights', edited((j) => (j.weightsManifest[0].weights[0].dtype = 'uint8')), /only float32 weights/],
      ['no model.json', () => lenet().filter((f) => !f.name.endsWith('.json')), /Pick model.json/],
    ])('%s', (_what, files, message) => {
      expect(() => importTfjs(files())).toThrow(ImportError);
      expect(() => importTfjs(files())).toThrow(message);
    });
  });
});
