// Save/load round trip of a model with the custom layers, through the JSON text a file would hold.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import { SameAvgPool2D } from '../../renderer/src/core/compile/layers/avgpool';
import { L2Pool2D } from '../../renderer/src/core/compile/layers/l2pool';
import { LocalContrastNorm } from '../../renderer/src/core/compile/layers/lcn';
import type { Graph } from '../../renderer/src/core/graph/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Block ids in camelCase on purpose: tfjs snake_cases string config values, but not names. */
const GRAPH: Graph = {
  version: 1,
  blocks: [
    { id: 'inputImage', type: 'Input', params: { kind: 'image', height: 9, width: 9, channels: 2 }, position: { x: 0, y: 0 } },
    { id: 'lcnBlock', type: 'LocalContrastNorm', params: { kernelSize: 5, sigma: 1.5 }, position: { x: 0, y: 0 } },
    { id: 'convA', type: 'Conv2D', params: { filters: 3, kernelSize: 3, padding: 'same' }, position: { x: 0, y: 0 } },
    { id: 'l2Same', type: 'L2Pool2D', params: { poolSize: 3, stride: 2, padding: 'same' }, position: { x: 0, y: 0 } },
    { id: 'avgSame', type: 'AvgPool2D', params: { poolSize: 2, stride: 2, padding: 'same' }, position: { x: 0, y: 0 } },
    { id: 'l2Valid', type: 'L2Pool2D', params: { poolSize: 2, stride: 1, padding: 'valid' }, position: { x: 0, y: 0 } },
    { id: 'flat', type: 'Flatten', params: {}, position: { x: 0, y: 0 } },
    { id: 'head', type: 'Classifier', params: { classes: 4 }, position: { x: 0, y: 0 } },
  ],
  edges: [
    ['inputImage', 'lcnBlock'], ['lcnBlock', 'convA'], ['convA', 'l2Same'], ['l2Same', 'avgSame'],
    ['avgSame', 'l2Valid'], ['l2Valid', 'flat'], ['flat', 'head'],
  ].map(([source, target], i) => ({ id: `e${i}`, source, target })),
};

function joinBuffers(data: ArrayBuffer | ArrayBuffer[]): ArrayBuffer {
  if (!Array.isArray(data)) return data;
  const total = data.reduce((a, b) => a + b.byteLength, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const b of data) {
    out.set(new Uint8Array(b), offset);
    offset += b.byteLength;
  }
  return out.buffer;
}

describe('custom layers: save and load', () => {
  it('round-trips a model with LCN, L2 pooling and same-padded average pooling', async () => {
    // A first compile of the same graph makes tfjs suffix the second model's variable names
    // (convA/kernel_1): saving must still write the plain names that loading expects.
    compile(GRAPH).model.dispose();
    const { model } = compile(GRAPH);
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    if (!saved) throw new Error('nothing saved');

    // Through JSON text and a single buffer, as a model.json + weights.bin pair would be stored.
    const topology = JSON.parse(JSON.stringify(saved.modelTopology)) as object;
    const text = JSON.stringify(topology);
    for (const cls of ['LocalContrastNorm', 'L2Pool2D', 'SameAvgPool2D']) expect(text).toContain(`"class_name":"${cls}"`);
    const weightData = joinBuffers(saved.weightData as ArrayBuffer | ArrayBuffer[]).slice(0);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: topology, weightSpecs: saved.weightSpecs, weightData }));

    try {
      expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      expect(loaded.getLayer('lcnBlock')).toBeInstanceOf(LocalContrastNorm);
      expect(loaded.getLayer('l2Same')).toBeInstanceOf(L2Pool2D);
      expect(loaded.getLayer('avgSame')).toBeInstanceOf(SameAvgPool2D);
      expect(loaded.getLayer('lcnBlock').getConfig()).toMatchObject({ kernelSize: 5, sigma: 1.5, epsilon: 1e-4 });
      expect(loaded.getLayer('l2Same').getConfig()).toMatchObject({ poolSize: 3, strides: 2, padding: 'same' });
      expect(loaded.getLayer('l2Valid').getConfig()).toMatchObject({ poolSize: 2, strides: 1, padding: 'valid' });
      expect(loaded.getLayer('avgSame').getConfig()).toMatchObject({ poolSize: 2, strides: 2, padding: 'same' });
      expect(loaded.countParams()).toBe(model.countParams());

      const x = tf.randomNormal([3, 9, 9, 2], 0, 1, 'float32', 7);
      const a = tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
      const b = tf.tidy(() => (loaded.predict(x) as tf.Tensor).dataSync());
      x.dispose();
      expect(Array.from(b)).toEqual(Array.from(a));
    } finally {
      model.dispose();
      loaded.dispose();
    }
  });
});
