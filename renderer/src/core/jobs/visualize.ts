// The "look inside" jobs on a kept model: kernels, top-k patches, activation maps, saliency and
// occlusion, activation maximization. The job server hands each message here with the run's
// model, graph and data; progress goes out as job-progress and cancelling sets the job's flag.
import type * as tf from '@tensorflow/tfjs';
import { assembleBatch, cropSlack, readBatch, type ImageDataset, type SourceData } from '../data/dataset';
import { CancelledError } from '../eval/evaluate';
import { BLOCK_SPEC, isBlockType } from '../blocks';
import { topologicalOrder } from '../graph/analyze';
import type { Graph } from '../graph/types';
import { expandUnits } from '../graph/units';
import type { JobResult, ToWorker } from '../train/protocol';
import { makeYielder } from '../train/yielder';
import { cropPatch, hitGradients, modelInputShape, topActivations } from '../viz/patches';
import { activationMaps, convKernels, gradientSaliency, maximizeActivation, meanActivations, occlusionMap } from '../viz/probe';
import { receptiveFields, unitRect } from '../viz/receptive';
import type { PatchHit, VizInput } from '../viz/types';

export type VizMsg = Extract<ToWorker, { type: 'viz-filters' | 'viz-patches' | 'viz-activations' | 'viz-attribution' | 'viz-maximize' }>;

export interface VizContext {
  model: tf.LayersModel;
  graph: Graph;
  /** The run's data (a stored dataset streams): single images are read from here, alone. */
  data: SourceData;
  /** One split in memory (a stored dataset's split is read whole: the other one is not touched), for scans. */
  split: (which: 'train' | 'test') => Promise<ImageDataset>;
  progress: (fraction: number, message: string) => void;
  cancelled: () => boolean;
}

/** Block ids of one type family in graph order (units expanded, as the compiler names layers). */
function blocksInOrder(graph: Graph, keep: (type: string) => boolean): { id: string; type: string }[] {
  const g = expandUnits(graph);
  const byId = new Map(g.blocks.map((b) => [b.id, b]));
  return topologicalOrder(g)
    .map((id) => byId.get(id))
    .filter((b): b is NonNullable<typeof b> => !!b && keep(b.type))
    .map((b) => ({ id: b.id, type: b.type }));
}

/** The model input for a single-image view, and its label when it comes from the dataset. */
async function resolveInput(input: VizInput, ctx: VizContext): Promise<{ x: Float32Array; label: number | null }> {
  const shape = modelInputShape(ctx.model);
  if ('pixels' in input) {
    if (input.pixels.length !== shape[0] * shape[1] * shape[2]) throw new Error(`the image has ${input.pixels.length} values but the model takes ${shape.join('×')}`);
    return { x: input.pixels, label: null };
  }
  // One image: read alone (a stored split is not loaded whole for it).
  const ds = input.split === 'train' ? ctx.data.train : ctx.data.test;
  if (!Number.isInteger(input.index) || input.index < 0 || input.index >= ds.count) throw new Error(`image ${input.index} is outside 0..${ds.count - 1}`);
  return { x: (await readBatch(ds, [input.index], 0, 1, shape, 'center')).x, label: ds.labels[input.index] };
}

function check(ctx: VizContext): void {
  if (ctx.cancelled()) throw new CancelledError('cancelled');
}

export async function visualize(msg: VizMsg, ctx: VizContext): Promise<JobResult> {
  const shape = modelInputShape(ctx.model);
  switch (msg.type) {
    case 'viz-filters': {
      const ids = blocksInOrder(ctx.graph, (t) => t === 'Conv2D').map((b) => b.id);
      return { kind: 'viz-filters', kernels: await convKernels(ctx.model, ids) };
    }
    case 'viz-patches':
      return { kind: 'viz-patches', ...(await patches(msg, ctx)) };
    case 'viz-activations': {
      const { x, label } = await resolveInput(msg.input, ctx);
      const blocks = blocksInOrder(ctx.graph, (t) => t !== 'Input' && t !== 'Flatten');
      const fields = receptiveFields(ctx.graph);
      const maps = await activationMaps(ctx.model, blocks.map((b) => b.id), x);
      const probabilities = maps[maps.length - 1]?.data ?? new Float32Array(0);
      return {
        kind: 'viz-activations', input: x, inputShape: shape, label, probabilities,
        layers: maps.map((m, i) => ({ ...m, type: blocks[i].type, field: fields.get(m.blockId) ?? null })),
      };
    }
    case 'viz-attribution': {
      const { x, label } = await resolveInput(msg.input, ctx);
      ctx.progress(0, 'Gradient saliency');
      const sal = await gradientSaliency(ctx.model, x, msg.target);
      check(ctx);
      ctx.progress(0.5, 'Occlusion');
      const occlusion = await occlusionMap(ctx.model, x, { target: sal.target, size: msg.occlusion?.size, stride: msg.occlusion?.stride, fill: msg.occlusion?.fill });
      return { kind: 'viz-attribution', input: x, inputShape: shape, label, target: sal.target, probabilities: sal.probabilities, saliency: sal.map, occlusion };
    }
    case 'viz-maximize': {
      const layer = ctx.model.getLayer(msg.layer);
      const out = layer.outputShape as number[];
      const count = out[out.length - 1];
      const filters = msg.filters ?? Array.from({ length: count }, (_, i) => i);
      if (filters.some((f) => !Number.isInteger(f) || f < 0 || f >= count)) throw new Error(`${msg.layer} has filters 0..${count - 1}`);
      const yielder = makeYielder();
      try {
        const range = msg.range ?? [0, 1];
        const r = await maximizeActivation(ctx.model, msg.layer, filters, {
          steps: msg.steps, range, seed: msg.seed, shouldCancel: ctx.cancelled, yieldFn: yielder.yield,
          onProgress: (s, n) => ctx.progress(s / n, `Step ${s} of ${n}`),
        });
        const grey = new Float32Array(filters.length * shape[0] * shape[1] * shape[2]).fill((range[0] + range[1]) / 2);
        const all = await meanActivations(ctx.model, msg.layer, grey, filters.length);
        const baseline = Float32Array.from(filters, (f, b) => all[b * count + f]);
        return { kind: 'viz-maximize', layer: msg.layer, filters, inputShape: shape, images: r.images, activations: r.activations, baseline };
      } finally {
        yielder.close();
      }
    }
  }
}

async function patches(msg: Extract<VizMsg, { type: 'viz-patches' }>, ctx: VizContext) {
  const { model, graph } = ctx;
  const inputShape = modelInputShape(model);
  const [h, w, c] = inputShape;
  const block = graph.blocks.find((b) => b.id === msg.layer) ?? expandUnits(graph).blocks.find((b) => b.id === msg.layer);
  if (!block || !isBlockType(block.type)) throw new Error(`no block ${msg.layer} in this network`);
  const field = receptiveFields(graph).get(msg.layer);
  if (!field || field.global) throw new Error(`${BLOCK_SPEC[block.type].label} ${msg.layer} has no feature maps to take patches from`);
  const k = Math.max(1, Math.min(64, Math.floor(msg.k ?? 9)));
  const split = msg.split ?? 'test';
  ctx.progress(0, 'Loading the data');
  const ds = await ctx.split(split === 'train' ? 'train' : 'test');
  const n = Math.min(ds.count, msg.limit ?? ds.count);
  const indices = Uint32Array.from({ length: n }, (_, i) => i);
  const { dy, dx } = cropSlack(ds, inputShape);
  const yielder = makeYielder();
  let top;
  try {
    top = await topActivations(model, msg.layer, ds, indices, {
      k, batchSize: 256, shouldCancel: ctx.cancelled, yieldFn: yielder.yield,
      onProgress: (done, total) => ctx.progress((0.9 * done) / total, `Scanned ${done} of ${total} images`),
    });
  } finally {
    yielder.close();
  }
  // The source images, once each, as the model saw them.
  const sourceIndex = [...new Set(top.hits.flat().map((hit) => hit.image))].sort((a, b) => a - b);
  const size = h * w * c;
  const images = assembleBatch(ds, sourceIndex, 0, sourceIndex.length, inputShape, 'center').x;
  const slot = new Map(sourceIndex.map((img, i) => [img, i]));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of images) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (!(lo < hi)) [lo, hi] = [0, 1];
  const ph = Math.ceil(field.y.size);
  const pw = Math.ceil(field.x.size);
  const per = ph * pw * c;
  const filters = top.shape[2];
  const crops = new Float32Array(filters * k * per);
  const gradients = new Float32Array(filters * k * per);
  const hits: PatchHit[][] = [];
  for (let f = 0; f < filters; f++) {
    check(ctx);
    const mine = top.hits[f];
    const inputs = new Float32Array(mine.length * size);
    mine.forEach((hit, i) => inputs.set(images.subarray((slot.get(hit.image) as number) * size, ((slot.get(hit.image) as number) + 1) * size), i * size));
    const grads = await hitGradients(model, msg.layer, inputs, mine, f, field);
    hits.push(mine.map((hit, i) => {
      const rect = unitRect(field, hit.y, hit.x);
      crops.set(cropPatch(inputs.subarray(i * size, (i + 1) * size), h, w, c, rect, lo), (f * k + i) * per);
      gradients.set(cropPatch(grads.subarray(i * size, (i + 1) * size), h, w, c, rect, 0), (f * k + i) * per);
      return { ...hit, rect };
    }));
    ctx.progress(0.9 + (0.1 * (f + 1)) / filters, `Patches of filter ${f + 1} of ${filters}`);
  }
  return {
    layer: msg.layer, split, scanned: n, k, inputShape, offset: [dy >> 1, dx >> 1] as [number, number], layerShape: top.shape, field, hits,
    patch: [ph, pw] as [number, number], crops, gradients, sources: { indices: sourceIndex, images }, range: [lo, hi] as [number, number],
  };
}
