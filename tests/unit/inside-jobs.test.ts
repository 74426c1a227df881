// The "look inside" worker jobs on a ConvNetJS net trained briefly on real MNIST (wasm in Node),
// driven through the job server exactly as the worker and the CLI drive it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@/core/compile/compiler';
import { JobServer } from '@/core/jobs/server';
import type { VizMsg } from '@/core/jobs/visualize';
import { TEMPLATES } from '@/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG, type FromWorker, type JobResult, type ToWorker, type TrainConfig } from '@/core/train/protocol';
import { readModelWeights } from '@/core/train/weights';
import { spatialGradientEnergy } from '@/core/viz/probe';
import { cropPatch } from '@/core/viz/patches';
import { nodeLoaders, useNodeBackend } from '@/node';
import { diskFetch } from './helpers/mnist';

const dataset = { kind: 'mnist' as const, baseUrl: '/mnist/' };
const graph = TEMPLATES.find((t) => t.id === 'convnetjs-mnist')!.graph;
const config: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 32, learningRate: 0.003, maxExamples: 6000, maxTestExamples: 200, validationSplit: 0.05, backends: ['wasm'], seed: 7 };

const out: FromWorker[] = [];
let onPost: ((m: FromWorker) => void) | null = null;
const server = new JobServer({
  post: (m) => {
    out.push(m);
    onPost?.(m);
  },
  compile,
  isCompileError: (e) => e instanceof CompileError,
  loaders: () => nodeLoaders(),
  fetchFn: diskFetch,
  measure: false,
});

let n = 0;
type Req = VizMsg extends infer T ? (T extends unknown ? Omit<T, 'jobId'> : never) : never;
async function job<M extends Req>(msg: M): Promise<Extract<JobResult, { kind: M['type'] }>> {
  const jobId = `j${++n}`;
  await server.handle({ ...msg, jobId } as ToWorker);
  const reply = out.find((m) => (m.type === 'job-result' || m.type === 'job-error') && m.jobId === jobId);
  if (!reply || reply.type === 'job-error') throw new Error(reply ? reply.message : 'no reply');
  return (reply as Extract<FromWorker, { type: 'job-result' }>).result as Extract<JobResult, { kind: M['type'] }>;
}

beforeAll(async () => {
  await useNodeBackend('wasm');
  // The untrained net (same seed) as a second run, for the before/after comparison.
  const init = compile(graph, { seed: config.seed });
  const weights = await readModelWeights(init.model);
  init.model.dispose();
  await server.handle({ type: 'load', jobId: 'load-init', runId: 'init', graph, config, dataset, weights });
  await server.handle({ type: 'train', runId: 'run', graph, config, dataset });
  const done = out.find((m) => m.type === 'done');
  if (!done || done.type !== 'done' || !(done.testAccuracy > 0.8)) throw new Error(`training failed: ${JSON.stringify(out.filter((m) => m.type === 'error' || m.type === 'done'))}`);
}, 120_000);

describe('look-inside jobs', () => {
  it('a trained net’s first-layer filters have more spatial-gradient energy than at initialization', async () => {
    const before = await job({ type: 'viz-filters', runId: 'init' });
    const after = await job({ type: 'viz-filters', runId: 'run' });
    expect(after.kernels.map((k) => k.blockId)).toEqual(['conv2d_1', 'conv2d_2']);
    expect(after.kernels[0].shape).toEqual([5, 5, 1, 8]);
    const e0 = spatialGradientEnergy(before.kernels[0]);
    const e1 = spatialGradientEnergy(after.kernels[0]);
    expect(e1).toBeGreaterThan(1.1 * e0);
  });

  it('top-9 patches: every hit is the activation at its unit, crops are the source image under the field', async () => {
    const progress: number[] = [];
    onPost = (m) => m.type === 'job-progress' && progress.push(m.fraction);
    const r = await job({ type: 'viz-patches', runId: 'run', layer: 'conv2d_2', k: 9, limit: 600 });
    onPost = null;
    expect(progress.length).toBeGreaterThan(2);
    expect(r.layerShape).toEqual([12, 12, 16]);
    expect(r.patch).toEqual([14, 14]);
    expect(r.offset).toEqual([2, 2]);
    expect(r.hits).toHaveLength(16);
    const [h, w, c] = r.inputShape;
    const size = h * w * c;
    // Recompute the layer on each hit's source image: the hit must be that unit's value, and no
    // image outside the top 9 may beat the 9th (checked on the images it came from).
    const acts = await job({ type: 'viz-activations', runId: 'run', input: { split: 'test', index: r.hits[3][0].image } });
    const map = acts.layers.find((l) => l.blockId === 'conv2d_2')!;
    const best = r.hits[3][0];
    expect(map.data[(best.y * 12 + best.x) * 16 + 3]).toBeCloseTo(best.activation, 4);
    for (let f = 0; f < 16; f++) {
      const hits = r.hits[f];
      expect(hits).toHaveLength(9);
      expect(new Set(hits.map((x) => x.image)).size).toBe(9);
      for (let i = 1; i < hits.length; i++) expect(hits[i].activation).toBeLessThanOrEqual(hits[i - 1].activation);
      hits.forEach((hit, i) => {
        const src = r.sources.images.subarray(r.sources.indices.indexOf(hit.image) * size, (r.sources.indices.indexOf(hit.image) + 1) * size);
        const expected = cropPatch(src, h, w, c, hit.rect, r.range[0]);
        expect(Array.from(r.crops.subarray((f * 9 + i) * 196, (f * 9 + i + 1) * 196))).toEqual(Array.from(expected));
        expect(hit.rect).toMatchObject({ width: 14, height: 14, x: hit.x * 2 - 6, y: hit.y * 2 - 6 });
      });
      // A live filter's strongest patch is driven by its own pixels.
      if (hits[0].activation > 0) {
        const g = r.gradients.subarray(f * 9 * 196, (f * 9 + 1) * 196);
        expect(g.some((v) => v !== 0)).toBe(true);
      }
    }
  }, 60_000);

  it('activation maps of every layer, with ranges and receptive fields', async () => {
    const r = await job({ type: 'viz-activations', runId: 'run', input: { split: 'test', index: 0 } });
    expect(r.layers.map((l) => l.blockId)).toEqual(['conv2d_1', 'maxpool2d_1', 'conv2d_2', 'maxpool2d_2', 'classifier_1']);
    expect(r.layers[0].shape).toEqual([24, 24, 8]);
    expect(r.layers[0].field?.x.size).toBe(5);
    for (const l of r.layers) expect(l.max).toBeGreaterThanOrEqual(l.min);
    expect(r.label).toBe(7);
    expect(r.probabilities.indexOf(Math.max(...r.probabilities))).toBe(7);
  });

  it('saliency and occlusion point at the digit, not the empty border', async () => {
    const r = await job({ type: 'viz-attribution', runId: 'run', input: { split: 'test', index: 0 }, occlusion: { size: 4, stride: 2 } });
    expect(r.target).toBe(7);
    const [h, w] = r.inputShape;
    let ink = 0;
    let blank = 0;
    let ni = 0;
    let nb = 0;
    for (let i = 0; i < h * w; i++) {
      if (r.input[i] > 0.3) {
        ink += r.saliency[i];
        ni++;
      } else if (r.input[i] === 0) {
        blank += r.saliency[i];
        nb++;
      }
    }
    expect(ink / ni).toBeGreaterThan(blank / nb);
    expect(r.occlusion.rows).toBe(11);
    expect(Math.max(...r.occlusion.map)).toBeGreaterThan(0);
  });

  it('activation maximization raises each filter above a grey input, and can be cancelled', async () => {
    const r = await job({ type: 'viz-maximize', runId: 'run', layer: 'conv2d_2', filters: [0, 5], steps: 24 });
    expect(r.images.length).toBe(2 * 24 * 24);
    for (let i = 0; i < 2; i++) expect(r.activations[i]).toBeGreaterThan(r.baseline[i]);
    onPost = (m) => {
      if (m.type === 'job-progress') void server.handle({ type: 'cancel', jobId: m.jobId });
    };
    const jobId = 'cancel-me';
    await server.handle({ type: 'viz-maximize', jobId, runId: 'run', layer: 'conv2d_1', steps: 200 });
    onPost = null;
    const reply = out.find((m) => m.type === 'job-error' && m.jobId === jobId);
    expect(reply).toMatchObject({ cancelled: true });
  });

  it('says which layers have no patches', async () => {
    await expect(job({ type: 'viz-patches', runId: 'run', layer: 'classifier_1' })).rejects.toThrow(/no feature maps/);
    expect(tf.memory().numTensors).toBeLessThan(200);
  });
});
