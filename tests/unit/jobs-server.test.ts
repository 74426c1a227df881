// The worker's job server driven as the worker drives it, on real MNIST with the real compiler.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@/core/compile/compiler';
import { JobServer, type ServerDeps } from '@/core/jobs/server';
import { DEFAULT_TRAIN_CONFIG, type Checkpoint, type FromWorker, type JobResult, type ToWorker, type TrainConfig } from '@/core/train/protocol';
import { blobValues } from '@/core/train/weights';
import { diskFetch, tinyConvGraph } from './helpers/mnist';

const dataset = { kind: 'mnist' as const, baseUrl: '/mnist/' };
const cfg = (over: Partial<TrainConfig> = {}): TrainConfig => ({
  ...DEFAULT_TRAIN_CONFIG, epochs: 1, batchSize: 32, maxExamples: 256, maxTestExamples: 200, validationSplit: 0.1, backends: ['cpu'], ...over,
});
const of = <T extends FromWorker['type']>(events: FromWorker[], t: T) => events.filter((e): e is Extract<FromWorker, { type: T }> => e.type === t);

function server(onPost?: (m: FromWorker, s: JobServer) => void, over: Partial<ServerDeps> = {}) {
  const out: FromWorker[] = [];
  const s: JobServer = new JobServer({
    post: (m) => {
      out.push(m);
      onPost?.(m, s);
    },
    compile,
    isCompileError: (e) => e instanceof CompileError,
    loaders: () => ({ cpu: async () => {} }),
    fetchFn: diskFetch,
    ...over,
  });
  return { s, out };
}

/** Runs a job and returns its result (or throws its error). */
async function job(s: JobServer, out: FromWorker[], msg: Extract<ToWorker, { jobId: string }>): Promise<JobResult> {
  await s.handle(msg);
  const reply = out.find((m) => (m.type === 'job-result' || m.type === 'job-error') && m.jobId === msg.jobId);
  if (!reply) throw new Error('no reply');
  if (reply.type === 'job-error') throw new Error(reply.message);
  return (reply as Extract<FromWorker, { type: 'job-result' }>).result;
}

async function weightsOf(s: JobServer, out: FromWorker[], runId: string): Promise<Float32Array> {
  const r = await job(s, out, { type: 'weights', jobId: `w_${runId}_${out.length}`, runId });
  if (r.kind !== 'weights') throw new Error(r.kind);
  return blobValues(r.weights);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('JobServer', () => {
  it('trains a run and posts backend, epochs, a checkpoint per epoch and done, in order; the model outlives the run', async () => {
    const { s, out } = server();
    await s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg({ epochs: 2, learningRate: 0.01 }), dataset });
    const kinds = out.map((m) => m.type).filter((t) => !['status', 'progress', 'filters'].includes(t));
    expect(kinds).toEqual(['backend', 'epoch', 'checkpoint', 'epoch', 'checkpoint', 'done']);
    const done = of(out, 'done')[0];
    expect(done.stopped).toBe(false);
    expect(done.examplesSeen).toBe(512);
    expect(done.testAccuracy).toBeGreaterThan(0.5);
    const ck = of(out, 'checkpoint').map((m) => m.checkpoint);
    expect(ck.map((c) => c.epoch)).toEqual([1, 2]);
    expect(ck[1].curves.valLoss).toHaveLength(2);
    // The trained model is still there: evaluating it on the same 200 test images gives the run's number.
    const ev = await job(s, out, { type: 'evaluate', jobId: 'e1', runId: 'a', sample: 200, seed: 1 });
    expect(ev.kind).toBe('evaluate');
  });

  it('evaluates the whole test set or a seeded sample, and a loaded copy of the weights evaluates the same', async () => {
    const { s, out } = server();
    await s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg({ maxTestExamples: undefined }), dataset });
    const done = of(out, 'done')[0];
    const full = await job(s, out, { type: 'evaluate', jobId: 'full', runId: 'a' });
    if (full.kind !== 'evaluate') throw new Error();
    expect(full.evaluation.count).toBe(10_000);
    // The same test set as the run's own test pass.
    expect(full.evaluation.accuracy).toBeCloseTo(done.testAccuracy, 6);
    expect(full.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(10_000);

    const w = await job(s, out, { type: 'weights', jobId: 'w', runId: 'a' });
    if (w.kind !== 'weights') throw new Error();
    const other = server();
    await job(other.s, other.out, { type: 'load', jobId: 'l', runId: 'b', graph: tinyConvGraph(), config: cfg(), dataset, weights: w.weights });
    const again = await job(other.s, other.out, { type: 'evaluate', jobId: 'e', runId: 'b' });
    if (again.kind !== 'evaluate') throw new Error();
    expect(Array.from(again.evaluation.predicted)).toEqual(Array.from(full.evaluation.predicted));
    const sample = await job(s, out, { type: 'evaluate', jobId: 's', runId: 'a', sample: 300, seed: 7 });
    if (sample.kind !== 'evaluate') throw new Error();
    expect(sample.evaluation.count).toBe(300);
    expect(Array.from(sample.evaluation.indices.slice(0, 5))).not.toEqual([0, 1, 2, 3, 4]);
  });

  it('loads and evaluates a stored run while another run trains, without waiting for it', async () => {
    const { s, out } = server();
    await s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg(), dataset });
    const w = await job(s, out, { type: 'weights', jobId: 'w', runId: 'a' });
    if (w.kind !== 'weights') throw new Error();
    const training = s.handle({ type: 'train', runId: 'b', graph: tinyConvGraph(), config: cfg({ maxExamples: 4000, epochs: 2 }), dataset });
    await job(s, out, { type: 'load', jobId: 'l', runId: 'old', graph: tinyConvGraph(), config: cfg(), dataset, weights: w.weights });
    const ev = await job(s, out, { type: 'evaluate', jobId: 'e', runId: 'old', sample: 100, seed: 1 });
    expect(ev.kind).toBe('evaluate');
    // The evaluation finished while 'b' was still training.
    expect(of(out, 'done').filter((d) => d.runId === 'b')).toHaveLength(0);
    await s.handle({ type: 'stop', runId: 'b' });
    await training;
    expect(of(out, 'done').find((d) => d.runId === 'b')?.stopped).toBe(true);
  });

  it('repeats a run exactly with the same seed (Dropout included) and differs with another seed', async () => {
    const runs: { epochs: Extract<FromWorker, { type: 'epoch' }>[]; weights: Float32Array }[] = [];
    for (const seed of [5, 5, 6]) {
      const { s, out } = server();
      await s.handle({ type: 'train', runId: 'r', graph: tinyConvGraph(), config: cfg({ seed }), dataset });
      runs.push({ epochs: of(out, 'epoch'), weights: await weightsOf(s, out, 'r') });
    }
    // The weights repeat exactly. The reported losses are sums over read-back windows whose size
    // follows the measured speed, so their float rounding may differ in the last digits.
    expect(runs[1].weights).toEqual(runs[0].weights);
    runs[1].epochs.forEach((e, i) => {
      const a = runs[0].epochs[i];
      for (const k of ['loss', 'accuracy', 'valLoss', 'valAccuracy'] as const) expect(e[k]).toBeCloseTo(a[k], 6);
    });
    expect(runs[2].weights).not.toEqual(runs[0].weights);
  });

  it('pause keeps model, optimizer and position: pause + resume ends with the weights of an uninterrupted run', async () => {
    const straight = server();
    await straight.s.handle({ type: 'train', runId: 'p', graph: tinyConvGraph(), config: cfg({ epochs: 2, optimizer: 'adam' }), dataset });
    const expected = await weightsOf(straight.s, straight.out, 'p');

    let paused = false;
    const { s, out } = server((m, srv) => {
      // Pause mid-epoch, once.
      if (!paused && m.type === 'progress' && m.examplesSeen >= 96) {
        paused = true;
        void srv.handle({ type: 'pause', runId: 'p' });
      }
    });
    await s.handle({ type: 'train', runId: 'p', graph: tinyConvGraph(), config: cfg({ epochs: 2, optimizer: 'adam' }), dataset });
    const p = of(out, 'paused');
    expect(p).toHaveLength(1);
    expect(p[0].examplesSeen).toBeGreaterThan(0);
    expect(p[0].examplesSeen).toBeLessThan(512);
    expect(of(out, 'done')).toHaveLength(0);
    await s.handle({ type: 'resume', runId: 'p' });
    expect(of(out, 'done')).toHaveLength(1);
    expect(of(out, 'done')[0].examplesSeen).toBe(512);
    const got = await weightsOf(s, out, 'p');
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
  });

  it('a checkpoint continues a run after a crash: the next epoch repeats the uninterrupted one', async () => {
    const config = cfg({ epochs: 2, optimizer: 'momentum', learningRate: 0.05 });
    const straight = server();
    await straight.s.handle({ type: 'train', runId: 'c', graph: tinyConvGraph(), config, dataset });
    const want = of(straight.out, 'epoch')[1];

    // The first attempt "crashes" after epoch 1: only its checkpoint survives.
    let ckpt: Checkpoint | undefined;
    const first = server((m, srv) => {
      if (m.type === 'checkpoint' && !ckpt) {
        ckpt = structuredClone(m.checkpoint);
        void srv.handle({ type: 'stop', runId: 'c' });
      }
    });
    await first.s.handle({ type: 'train', runId: 'c', graph: tinyConvGraph(), config, dataset });
    expect(ckpt?.epoch).toBe(1);

    const second = server();
    await second.s.handle({ type: 'train', runId: 'c', graph: tinyConvGraph(), config, dataset, from: ckpt });
    const epochs = of(second.out, 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([2]);
    expect(epochs[0].loss).toBeCloseTo(want.loss, 5);
    expect(epochs[0].valLoss).toBeCloseTo(want.valLoss, 5);
    expect(of(second.out, 'done')[0].examplesSeen).toBe(512);
  });

  it('a pause leaves a mid-epoch checkpoint: a reload while paused continues from that batch to the uninterrupted weights', async () => {
    const config = cfg({ epochs: 2, optimizer: 'adam' });
    const straight = server();
    await straight.s.handle({ type: 'train', runId: 'q', graph: tinyConvGraph(), config, dataset });
    const expected = await weightsOf(straight.s, straight.out, 'q');
    const wantEpochs = of(straight.out, 'epoch');

    // Paused in epoch 2; then the page goes away: only the pause's checkpoint survives.
    let paused = false;
    const first = server((m, srv) => {
      if (!paused && m.type === 'progress' && m.epoch === 2 && m.examplesSeen < 512) {
        paused = true;
        void srv.handle({ type: 'pause', runId: 'q' });
      }
    });
    await first.s.handle({ type: 'train', runId: 'q', graph: tinyConvGraph(), config, dataset });
    const kept = of(first.out, 'checkpoint').at(-1)!.checkpoint;
    expect(of(first.out, 'paused')).toHaveLength(1);
    expect(kept.epoch).toBe(1);
    expect(kept.offset).toBeGreaterThan(0);
    expect(kept.offset).toBeLessThan(256);
    expect(kept.examplesSeen).toBe(256 + kept.offset!);

    const second = server();
    await second.s.handle({ type: 'train', runId: 'q', graph: tinyConvGraph(), config, dataset, from: structuredClone(kept) });
    const epochs = of(second.out, 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([2]);
    // The epoch's loss counts the batches before the pause too: the same as uninterrupted.
    expect(epochs[0].loss).toBeCloseTo(wantEpochs[1].loss, 5);
    expect(of(second.out, 'done')[0].examplesSeen).toBe(512);
    const got = await weightsOf(second.s, second.out, 'q');
    for (let i = 0; i < got.length; i++) expect(got[i]).toBeCloseTo(expected[i], 5);
  });

  it('Stop is obeyed during the test pass (no 15 s wait): the run ends stopped without a test accuracy', async () => {
    const { s, out } = server((m, srv) => {
      if (m.type === 'status' && m.message.startsWith('Testing')) void srv.handle({ type: 'stop', runId: 't' });
    });
    await s.handle({ type: 'train', runId: 't', graph: tinyConvGraph(), config: cfg({ maxTestExamples: undefined }), dataset });
    const done = of(out, 'done')[0];
    expect(done.stopped).toBe(true);
    expect(done.testAccuracy).toBeNaN();
  });

  it('Stop is obeyed during validation', async () => {
    const { s, out } = server((m, srv) => {
      if (m.type === 'status' && m.message.startsWith('Validating')) void srv.handle({ type: 'stop', runId: 'v' });
    });
    await s.handle({ type: 'train', runId: 'v', graph: tinyConvGraph(), config: cfg({ epochs: 3, validationSplit: 0.5 }), dataset });
    expect(of(out, 'epoch')).toHaveLength(0);
    expect(of(out, 'done')[0].stopped).toBe(true);
  });

  it('a lost device: the run goes on from its last checkpoint on another backend, and says so', async () => {
    let failures = 0;
    const flaky: ServerDeps['compile'] = (graph, options) => {
      const c = compile(graph, options);
      const layer = c.model.getLayer('conv2d_1');
      const apply = layer.call.bind(layer);
      let calls = 0;
      layer.call = (inputs, kwargs) => {
        if (kwargs?.training && ++calls === 12 && failures++ === 0) throw new Error('WebGL CONTEXT_LOST_WEBGL');
        return apply(inputs, kwargs);
      };
      return c;
    };
    const { s, out } = server(undefined, { compile: flaky, loaders: () => ({ cpu: async () => {} }) });
    await s.handle({ type: 'train', runId: 'd', graph: tinyConvGraph(), config: cfg({ epochs: 2, backends: ['cpu'] }), dataset });
    expect(of(out, 'notice')[0]?.message).toMatch(/failed.*Continuing from the checkpoint of epoch 1/);
    expect(of(out, 'done')[0].examplesSeen).toBe(512);
    expect(of(out, 'error')).toHaveLength(0);
  });

  it('Auto times every backend that can train and keeps the fastest; a remembered choice skips the timing', async () => {
    const auto = server();
    await auto.s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg({ backends: undefined, maxExamples: 64 }), dataset });
    const b = of(auto.out, 'backend')[0];
    expect(b.measured).toBe(true);
    expect(b.backend).toBe('cpu');
    expect(b.attempts.find((a) => a.backend === 'cpu')?.examplesPerSec).toBeGreaterThan(0);
    expect(b.attempts.find((a) => a.backend === 'webgl')?.ok).toBe(false); // no loader for it in Node

    const again = server();
    await again.s.handle({ type: 'train', runId: 'b', graph: tinyConvGraph(), config: cfg({ backends: undefined, maxExamples: 64 }), dataset, preferBackend: 'cpu' });
    const c = of(again.out, 'backend')[0];
    expect(c.measured).toBeUndefined();
    expect(c.attempts).toEqual([{ backend: 'cpu', ok: true }]);
  });

  it('reports jobs on unknown runs and bad sample indices as job errors', async () => {
    const { s, out } = server();
    await expect(job(s, out, { type: 'evaluate', jobId: 'x', runId: 'nope' })).rejects.toThrow(/no trained model/);
    await s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg(), dataset });
    await expect(job(s, out, { type: 'samples', jobId: 'y', runId: 'a', split: 'test', indices: [10_000] })).rejects.toThrow(/outside/);
    const ok = await job(s, out, { type: 'samples', jobId: 'z', runId: 'a', split: 'test', indices: [0, 1] });
    if (ok.kind !== 'samples') throw new Error();
    expect(ok.images.length).toBe(2 * 28 * 28);
    expect(ok.labels[0]).toBe(7); // the first MNIST test digit is a 7
  });

  it('frees every tensor of a disposed run', async () => {
    const { s } = server();
    await s.handle({ type: 'train', runId: 'a', graph: tinyConvGraph(), config: cfg(), dataset });
    const before = tf.memory().numTensors;
    await s.handle({ type: 'dispose', runId: 'a' });
    expect(tf.memory().numTensors).toBeLessThan(before);
    const { s: s2 } = server();
    const start = tf.memory().numTensors;
    await s2.handle({ type: 'train', runId: 'b', graph: tinyConvGraph(), config: cfg(), dataset });
    await s2.handle({ type: 'dispose', runId: 'b' });
    expect(tf.memory().numTensors).toBe(start);
  });
});
