// The worker side of the lab jobs: probes, FGSM and ensembles on models the job server keeps.
// Called from server.ts's 'lab' case; pure TypeScript + tfjs.
import * as tf from '@tensorflow/tfjs';
import type { ImageDataset } from '../data/dataset';
import { makeBatch } from '../data/dataset';
import { fgsmExample, fgsmSweep, type FgsmExample } from '../eval/adversarial';
import { ensembleAccuracy } from '../eval/ensemble';
import { evaluationSample } from '../eval/evaluate';
import { layerFeatures, linearProbe } from '../eval/probe';
import { embed2d, neighbourAgreement } from '../eval/embedding';
import { reconstructionMse, reconstructions, spatialGradientEnergy } from '../eval/reconstruction';
import { compile } from '../compile/compiler';
import { outputsProbabilities } from '../train/step';
import type { LabTask, LabTaskResult, ProbeLayerResult } from './types';

export interface LabTaskContext {
  model: tf.LayersModel;
  /** Another run's model (ensembles). */
  modelOf: (runId: string) => tf.LayersModel;
  /** One split in memory (a stored dataset's split is read whole: the other one is not touched). */
  split: (which: 'train' | 'test') => Promise<ImageDataset>;
  progress: (fraction: number, message: string) => void;
  cancelled: () => boolean;
}

const yieldNow = () => new Promise<void>((r) => setTimeout(r, 0));

function checkCancelled(ctx: LabTaskContext): void {
  if (ctx.cancelled()) {
    const e = new Error('cancelled');
    e.name = 'CancelledError';
    throw e;
  }
}

export async function runLabTask(task: LabTask, ctx: LabTaskContext): Promise<LabTaskResult> {
  // The test split serves every task; only the probe also reads training examples.
  const test = await ctx.split('test');
  switch (task.kind) {
    case 'probe': {
      const seed = task.seed ?? 1;
      const trainSplit = await ctx.split('train');
      const trainIdx = evaluationSample(trainSplit.count, task.trainCount, seed);
      const testIdx = evaluationSample(test.count, task.testCount, seed + 1);
      const layers: ProbeLayerResult[] = [];
      for (const [i, layer] of task.layers.entries()) {
        checkCancelled(ctx);
        ctx.progress(i / task.layers.length, `Probing ${layer}`);
        const trainF = await layerFeatures(ctx.model, layer, trainSplit, trainIdx);
        const testF = await layerFeatures(ctx.model, layer, test, testIdx);
        const r = await linearProbe(trainF, testF, { epochs: task.epochs, seed, classes: trainSplit.classes });
        layers.push({ layer, ...r });
      }
      return { kind: 'probe', layers };
    }
    case 'fgsm': {
      const idx = evaluationSample(test.count, task.count, task.seed ?? 1);
      ctx.progress(0, `Attacking ${idx.length} test images`);
      const sweep = await fgsmSweep(ctx.model, test, idx, task.epsilons, { yieldFn: async () => (checkCancelled(ctx), yieldNow()) });
      return { kind: 'fgsm', ...sweep };
    }
    case 'fgsm-example': {
      // A seeded sample; the images the model gets right first (a flip of a wrong answer shows less).
      const idx = Array.from(evaluationSample(test.count, Math.max(task.count * 4, task.count), task.seed ?? 2));
      const examples: FgsmExample[] = [];
      const misses: FgsmExample[] = [];
      for (const [i, index] of idx.entries()) {
        if (examples.length >= task.count) break;
        checkCancelled(ctx);
        ctx.progress(i / idx.length, `Looking for the smallest ε that flips test image ${index}`);
        const ex = await fgsmExample(ctx.model, test, index, { maxEpsilon: task.maxEpsilon, step: task.step });
        if (ex.clean.label === ex.label) examples.push(ex);
        else misses.push(ex);
        await yieldNow();
      }
      return { kind: 'fgsm-example', examples: [...examples, ...misses].slice(0, task.count) };
    }
    case 'ensemble': {
      const idx = evaluationSample(test.count, task.count, task.seed ?? 1);
      const models = [ctx.model, ...task.others.map((id) => ctx.modelOf(id))];
      const probs: Float32Array[] = [];
      for (const m of models) {
        checkCancelled(ctx);
        probs.push(await probabilities(m, test, idx));
      }
      const labels = Array.from(idx, (i) => test.labels[i]);
      return { kind: 'ensemble', ...ensembleAccuracy(probs, labels, test.classes) };
    }
    case 'embed': {
      const idx = evaluationSample(test.count, task.count, task.seed ?? 1);
      ctx.progress(0, `Embedding ${task.layer} in 2-D`);
      const f = await layerFeatures(ctx.model, task.layer, test, idx);
      checkCancelled(ctx);
      const points = embed2d(f, f.labels, idx, { seed: task.seed ?? 1 });
      return { kind: 'embed', layer: task.layer, points, neighbourAgreement: neighbourAgreement(points) };
    }
    case 'reconstruct': {
      const idx = evaluationSample(test.count, task.count, task.seed ?? 1);
      // The run's starting point: the trainer compiles with the run's seed, so this is the same model untrained.
      const initial = compile(task.graph, { seed: task.initSeed }).model;
      try {
        ctx.progress(0, `Reconstructing ${idx.length} test images`);
        const mse = { initial: await reconstructionMse(initial, test, idx), trained: await reconstructionMse(ctx.model, test, idx) };
        checkCancelled(ctx);
        const kernel = async (m: tf.LayersModel) => {
          const w = m.getLayer(task.layer).getWeights()[0];
          return { shape: w.shape as number[], values: Array.from((await w.data()) as Float32Array) };
        };
        const [k0, k1] = [await kernel(initial), await kernel(ctx.model)];
        const e0 = spatialGradientEnergy(k0.shape, k0.values);
        const e1 = spatialGradientEnergy(k1.shape, k1.values);
        const examples = await reconstructions(ctx.model, test, idx.subarray(0, Math.min(task.show, idx.length)));
        return {
          kind: 'reconstruct', mse, gradientEnergy: { initial: e0.raw, trained: e1.raw }, normalizedGradientEnergy: { initial: e0.normalized, trained: e1.normalized },
          filters: { layer: task.layer, ...k1 }, examples,
        };
      } finally {
        initial.dispose();
      }
    }
  }
}

/** count×classes probabilities (softmax applied to a logit model), centre crops, inference mode. */
async function probabilities(model: tf.LayersModel, ds: ImageDataset, idx: Uint32Array): Promise<Float32Array> {
  const shape = model.inputs[0].shape.slice(1) as number[];
  const probs = outputsProbabilities(model);
  const out = new Float32Array(idx.length * ds.classes);
  for (let s = 0; s < idx.length; s += 256) {
    const e = Math.min(idx.length, s + 256);
    const p = tf.tidy(() => {
      const o = model.apply(makeBatch(ds, idx, s, e, shape, 'center').xs, { training: false }) as tf.Tensor;
      return probs ? o : tf.softmax(o);
    });
    out.set((await p.data()) as Float32Array, s * ds.classes);
    p.dispose();
  }
  return out;
}
