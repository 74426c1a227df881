// Networks and "trained" weights for the export tests: every template, a graph using every block
// type (odd, non-square input, asymmetric 'same' pads, branches), and a vector-input graph.
import * as tf from '@tensorflow/tfjs';
import { compile } from '../../../renderer/src/core/compile/compiler';
import { instantiate, TEMPLATES } from '../../../renderer/src/core/graph/templates';
import type { BlockType, Graph, Params } from '../../../renderer/src/core/graph/types';
import { readModelWeights } from '../../../renderer/src/core/train/weights';
import type { WeightsBlob } from '../../../renderer/src/core/train/protocol';

type B = [id: string, type: BlockType, params?: Params];

export function graphOf(blocks: B[], edges: [string, string][]): Graph {
  return {
    version: 1,
    blocks: blocks.map(([id, type, params = {}], i) => ({ id, type, params, position: { x: i * 100, y: 0 } })),
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target, targetPort: 'in' as const })),
  };
}

/** Every block type, with both paddings of every pooling kind, odd sizes and a stride-2 'same' conv. */
export const EVERY_BLOCK: Graph = graphOf(
  [
    ['img', 'Input', { kind: 'image', height: 19, width: 18, channels: 2 }],
    ['conv_a', 'Conv2D', { filters: 4, kernelSize: 4, stride: 2, padding: 'same', activation: 'relu' }],
    ['bn_a', 'BatchNorm', { momentum: 0.9, epsilon: 0.01 }],
    ['lcn_a', 'LocalContrastNorm', { kernelSize: 5, sigma: 1.5 }],
    ['max_a', 'MaxPool2D', { poolSize: 3, stride: 2, padding: 'same' }],
    ['avg_a', 'AvgPool2D', { poolSize: 3, stride: 2, padding: 'same' }],
    ['l2_a', 'L2Pool2D', { poolSize: 3, stride: 2, padding: 'same' }],
    ['add_a', 'Add'],
    ['cat_a', 'Concatenate'],
    ['act_a', 'Activation', { fn: 'tanh' }],
    ['conv_b', 'Conv2D', { filters: 6, kernelSize: 2, stride: 1, padding: 'valid', activation: 'sigmoid', useBias: false }],
    ['max_b', 'MaxPool2D', { poolSize: 2, stride: 1, padding: 'valid' }],
    ['avg_b', 'AvgPool2D', { poolSize: 2, stride: 1, padding: 'valid' }],
    ['l2_b', 'L2Pool2D', { poolSize: 2, stride: 1, padding: 'valid' }],
    ['drop_a', 'Dropout', { rate: 0.3 }],
    ['flat', 'Flatten'],
    ['dense_a', 'Dense', { units: 12, activation: 'tanh', useBias: false }],
    ['bn_b', 'BatchNorm'],
    ['dense_b', 'Dense', { units: 8, activation: 'linear' }],
    ['act_b', 'Activation', { fn: 'relu' }],
    ['cat_b', 'Concatenate'],
    ['drop_b', 'Dropout', { rate: 0.5 }],
    ['head', 'Classifier', { classes: 5 }],
  ],
  [
    ['img', 'conv_a'], ['conv_a', 'bn_a'], ['bn_a', 'lcn_a'], ['lcn_a', 'max_a'], ['lcn_a', 'avg_a'], ['lcn_a', 'l2_a'],
    ['max_a', 'add_a'], ['avg_a', 'add_a'], ['add_a', 'cat_a'], ['l2_a', 'cat_a'], ['cat_a', 'act_a'], ['act_a', 'conv_b'],
    ['conv_b', 'max_b'], ['max_b', 'avg_b'], ['avg_b', 'l2_b'], ['l2_b', 'drop_a'], ['drop_a', 'flat'], ['flat', 'dense_a'],
    ['dense_a', 'bn_b'], ['bn_b', 'dense_b'], ['dense_b', 'act_b'], ['bn_b', 'cat_b'], ['act_b', 'cat_b'], ['cat_b', 'drop_b'],
    ['drop_b', 'head'],
  ],
);

export const VECTOR_NET: Graph = graphOf(
  [['vec', 'Input', { kind: 'vector', length: 20 }], ['hidden', 'Dense', { units: 16, activation: 'sigmoid' }], ['out', 'Classifier', { classes: 3 }]],
  [['vec', 'hidden'], ['hidden', 'out']],
);

/** Grouped convolutions (Conv2D groups): asymmetric 'same' pads at stride 2, then 'valid' with 3 groups; then nearest upsampling. */
export const GROUPED_CONV: Graph = graphOf(
  [
    ['img', 'Input', { kind: 'image', height: 11, width: 10, channels: 2 }],
    ['conv_a', 'Conv2D', { filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }],
    ['group_a', 'Conv2D', { filters: 6, kernelSize: 4, stride: 2, padding: 'same', groups: 2, activation: 'tanh' }],
    ['group_b', 'Conv2D', { filters: 3, kernelSize: 2, stride: 1, padding: 'valid', groups: 3, activation: 'relu', useBias: false }],
    ['up_a', 'Upsample2D', { factor: 2 }],
    ['flat', 'Flatten'],
    ['head', 'Classifier', { classes: 4 }],
  ],
  [['img', 'conv_a'], ['conv_a', 'group_a'], ['group_a', 'group_b'], ['group_b', 'up_a'], ['up_a', 'flat'], ['flat', 'head']],
);

export const EXPORT_GRAPHS: { name: string; graph: Graph }[] = [
  ...TEMPLATES.map((t) => ({ name: t.id, graph: instantiate(t) })),
  { name: 'every-block', graph: EVERY_BLOCK },
  { name: 'vector-input', graph: VECTOR_NET },
  { name: 'grouped-conv', graph: GROUPED_CONV },
];

/** A deterministic generator in [0, 1). */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Trained {
  model: tf.LayersModel;
  weights: WeightsBlob;
  inputShape: number[];
  inputs: Float32Array;
  batch: number;
  /** The app's predictions (class probabilities) on `inputs`. */
  expected: Float32Array;
}

/**
 * Compiles the graph (seeded, so Dropout is the app's SeededDropout), gives it weights that make
 * confident, varied predictions (random BatchNorm statistics, non-zero biases, a sharper
 * classifier) and computes its predictions on random inputs in [0, 1].
 */
export async function trainedLike(graph: Graph, seed = 1, batch = 3): Promise<Trained> {
  const compiled = compile(graph, { seed });
  const model = compiled.model;
  const r = rng(seed * 7 + 3);
  const u = (lo: number, hi: number) => lo + (hi - lo) * r();
  for (const w of model.weights) {
    const name = w.originalName;
    const n = w.shape.reduce((a: number, d) => a * (d as number), 1);
    const old = w.read();
    let values: Float32Array;
    if (/moving_variance$|gamma$/.test(name)) values = Float32Array.from({ length: n }, () => u(0.5, 1.5));
    else if (/moving_mean$|beta$|bias$/.test(name)) values = Float32Array.from({ length: n }, () => u(-0.2, 0.2));
    else values = (await old.data()) as Float32Array;
    if (name.startsWith(`${compiled.classifierBlockId}/kernel`)) values = values.map((v) => v * 6);
    w.write(tf.tensor(values, w.shape as number[]));
  }
  const weights = await readModelWeights(model);
  const size = compiled.inputShape.reduce((a, b) => a * b, 1);
  const inputs = Float32Array.from({ length: batch * size }, () => r());
  const out = tf.tidy(() => model.predict(tf.tensor(inputs, [batch, ...compiled.inputShape])) as tf.Tensor);
  const expected = (await out.data()) as Float32Array;
  out.dispose();
  return { model, weights, inputShape: compiled.inputShape, inputs, batch, expected };
}

/** Largest absolute difference between two arrays (Infinity when lengths differ). */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
