import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../renderer/src/core/compile/compiler';
import type { ImageDataset } from '../../renderer/src/core/data/dataset';
import type { BlockType, Graph, Params } from '../../renderer/src/core/graph/types';
import { cropPatch, hitGradients, TopK, topActivations, type Hit } from '../../renderer/src/core/viz/patches';
import { clipRect, receptiveFields, unitRect } from '../../renderer/src/core/viz/receptive';
import { useNodeBackend } from '../../renderer/src/node';

beforeAll(async () => {
  await useNodeBackend('wasm');
});

type B = [id: string, type: BlockType, params?: Params];
const chain = (...blocks: B[]): Graph => ({
  version: 1,
  blocks: blocks.map(([id, type, params = {}]) => ({ id, type, params, position: { x: 0, y: 0 } })),
  edges: blocks.slice(1).map((b, i) => ({ id: `e${i}`, source: blocks[i][0], target: b[0] })),
});

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
}

function dataset(n: number, h: number, w: number, fill: (img: number, y: number, x: number) => number): ImageDataset {
  const images = new Uint8Array(n * h * w);
  for (let i = 0; i < n; i++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) images[(i * h + y) * w + x] = fill(i, y, x);
  return { images, labels: new Uint8Array(n), count: n, height: h, width: w, channels: 1, classes: 2 };
}

/** Every activation of the layer, then a full sort per filter: the reference the streaming pass must match. */
function bruteForce(model: tf.LayersModel, layer: string, ds: ImageDataset, k: number, perImage: number): Hit[][] {
  const sub = tf.model({ inputs: model.inputs, outputs: model.getLayer(layer).output as tf.SymbolicTensor });
  const [, ih, iw] = model.inputs[0].shape as number[];
  const dy = (ds.height - ih) >> 1;
  const dx = (ds.width - iw) >> 1;
  const x = tf.tidy(() => tf.slice(tf.div(tf.tensor4d(Float32Array.from(ds.images), [ds.count, ds.height, ds.width, 1]), 255), [0, dy, dx, 0], [-1, ih, iw, -1]));
  const act = sub.predict(x) as tf.Tensor4D;
  const [n, h, w, f] = act.shape;
  const v = act.dataSync();
  tf.dispose([x, act]);
  const out: Hit[][] = [];
  for (let ff = 0; ff < f; ff++) {
    const all: Hit[] = [];
    for (let i = 0; i < n; i++) {
      const mine: Hit[] = [];
      for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) mine.push({ activation: v[((i * h + y) * w + xx) * f + ff], image: i, y, x: xx });
      mine.sort((a, b) => b.activation - a.activation);
      all.push(...mine.slice(0, perImage));
    }
    all.sort((a, b) => b.activation - a.activation || a.image - b.image);
    out.push(all.slice(0, k));
  }
  return out;
}

describe('TopK', () => {
  it('keeps the k largest of a stream, best first', () => {
    const r = rng(5);
    const heap = new TopK(7);
    const all: Hit[] = [];
    for (let i = 0; i < 500; i++) {
      const h = { activation: r(), image: i, y: 0, x: 0 };
      all.push(h);
      heap.push(h);
    }
    all.sort((a, b) => b.activation - a.activation);
    expect(heap.sorted()).toEqual(all.slice(0, 7));
  });
});

describe('topActivations', () => {
  // Linear convs (no ties at 0) over random images; 37 images in batches of 8 leave a partial batch.
  const g = chain(
    ['in', 'Input', { kind: 'image', height: 10, width: 9, channels: 1 }],
    ['c1', 'Conv2D', { filters: 3, kernelSize: 3, stride: 1, padding: 'same', activation: 'linear' }],
    ['p', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
    ['c2', 'Conv2D', { filters: 4, kernelSize: 3, stride: 1, padding: 'valid', activation: 'tanh' }],
    ['f', 'Flatten'],
    ['out', 'Classifier', { classes: 2 }],
  );
  const r = rng(11);
  const ds = dataset(37, 12, 11, () => Math.floor(r() * 256));
  const indices = Array.from({ length: ds.count }, (_, i) => i);

  it.each([
    ['c1', 9, 1],
    ['c1', 5, 5],
    ['c2', 6, 1],
    ['c2', 4, 3],
  ] as const)('%s top-%i (%i per image) equals the brute-force reference', async (layer, k, perImage) => {
    const { model } = compile(g, { seed: 2 });
    try {
      const ref = bruteForce(model, layer, ds, k, perImage);
      let progress = 0;
      const got = await topActivations(model, layer, ds, indices, { k, perImage, batchSize: 8, onProgress: (d) => (progress = d) });
      expect(progress).toBe(37);
      expect(got.hits.length).toBe(ref.length);
      got.hits.forEach((hits, f) => {
        expect(hits.map(({ image, y, x }) => ({ image, y, x }))).toEqual(ref[f].map(({ image, y, x }) => ({ image, y, x })));
        hits.forEach((h, i) => expect(h.activation).toBeCloseTo(ref[f][i].activation, 4));
      });
    } finally {
      model.dispose();
    }
  });

  it('can be cancelled between batches', async () => {
    const { model } = compile(g, { seed: 2 });
    await expect(topActivations(model, 'c1', ds, indices, { batchSize: 8, shouldCancel: () => true })).rejects.toThrow(/cancel/);
    model.dispose();
  });
});

describe('patch crops', () => {
  it('crops the receptive field, padding outside the image', () => {
    const img = Float32Array.from({ length: 5 * 4 }, (_, i) => i + 1); // pixel (y, x) = y·4 + x + 1
    expect(Array.from(cropPatch(img, 5, 4, 1, { x: 2, y: 3, width: 3, height: 3 }, -1))).toEqual([15, 16, -1, 19, 20, -1, -1, -1, -1]);
    expect(Array.from(cropPatch(img, 5, 4, 1, { x: -1, y: -1, width: 2, height: 2 }, 0))).toEqual([0, 0, 0, 1]);
  });

  it('finds bright squares in images made with known content, and crops them whole', async () => {
    // Image i: black with a 3×3 square of brightness 40 + 20·i at a known place. A 3×3 kernel
    // (centre 2, rest 1) peaks on the square's centre, so the top 3 are the 3 brightest images and
    // each crop holds the whole square. Image 2 is one bright pixel in the corner: its field is padded.
    const places = [[1, 1], [5, 2], [0, 0], [6, 5], [3, 4], [4, 0]];
    const ds = dataset(places.length, 9, 9, (i, y, x) =>
      i === 2 ? (y === 0 && x === 0 ? 255 : 0) : Math.abs(y - places[i][0] - 1) <= 1 && Math.abs(x - places[i][1] - 1) <= 1 ? 40 + 20 * i : 0);
    const g = chain(
      ['in', 'Input', { kind: 'image', height: 9, width: 9, channels: 1 }],
      ['c', 'Conv2D', { filters: 1, kernelSize: 3, stride: 1, padding: 'same', activation: 'linear', useBias: false }],
      ['f', 'Flatten'],
      ['out', 'Classifier', { classes: 2 }],
    );
    const { model } = compile(g, { seed: 1 });
    const image = (i: number) => Float32Array.from(ds.images.subarray(i * 81, (i + 1) * 81));
    try {
      const kernel = [1, 1, 1, 1, 2, 1, 1, 1, 1];
      model.getLayer('c').setWeights([tf.tensor4d(kernel, [3, 3, 1, 1])]);
      const field = receptiveFields(g).get('c')!;
      const { hits } = await topActivations(model, 'c', ds, [0, 1, 2, 3, 4, 5], { k: 3 });
      expect(hits[0].map((h) => h.image)).toEqual([5, 4, 3]);
      for (const h of hits[0]) {
        expect(h).toMatchObject({ y: places[h.image][0] + 1, x: places[h.image][1] + 1 });
        expect(h.activation).toBeCloseTo((10 * (40 + 20 * h.image)) / 255, 4);
        expect(Array.from(cropPatch(image(h.image), 9, 9, 1, unitRect(field, h.y, h.x), -1))).toEqual(new Array(9).fill(40 + 20 * h.image));
      }
      // The corner pixel: best unit (0, 0), centred on pixel (0, 0), so the crop starts at (-1, -1).
      const corner = (await topActivations(model, 'c', ds, [2], { k: 1 })).hits[0][0];
      expect(corner).toMatchObject({ image: 2, y: 0, x: 0, activation: 2 });
      expect(Array.from(cropPatch(image(2), 9, 9, 1, unitRect(field, 0, 0), -1))).toEqual([-1, -1, -1, -1, 255, 0, -1, 0, 0]);

      // The gradient of each chosen activation is the kernel inside its (clipped) field, zero outside.
      const chosen = [...hits[0], corner];
      const inputs = new Float32Array(chosen.length * 81);
      chosen.forEach((h, b) => inputs.set(image(h.image).map((v) => v / 255), b * 81));
      const grads = await hitGradients(model, 'c', inputs, chosen, 0, field);
      chosen.forEach((h, b) => {
        const r = clipRect(unitRect(field, h.y, h.x), 9, 9);
        for (let y = 0; y < 9; y++) {
          for (let x = 0; x < 9; x++) {
            const inside = y >= r.y && y < r.y + r.height && x >= r.x && x < r.x + r.width;
            expect(grads[(b * 9 + y) * 9 + x]).toBeCloseTo(inside ? (y === h.y && x === h.x ? 2 : 1) : 0, 5);
          }
        }
      });
    } finally {
      model.dispose();
    }
  });
});
