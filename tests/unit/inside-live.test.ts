// The Look inside store driven with plain worker messages: the opt-in live refresh at checkpoints
// (one refresh per checkpoint; a job still running is cancelled first, its late answer ignored),
// Cancel touching only this view's job, and drawn images that never pile up jobs.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost } from '@/host/memory';
import { memoryRunStorage, setRunStorage } from '@/host/run-storage';
import { setHost } from '@/composables/useHost';
import { useTrainingStore } from '@/stores/training';
import { useInsideStore } from '@/stores/inside';
import { TEMPLATES } from '@/core/graph/templates';
import { emptyCurves, type Checkpoint, type FromWorker, type JobResult, type ToWorker } from '@/core/train/protocol';

let sent: ToWorker[];
beforeEach(() => {
  setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
  setRunStorage(memoryRunStorage());
  setActivePinia(createPinia());
  sent = [];
});

const flush = async () => {
  for (let i = 0; i < 5; i++) await new Promise((r) => setTimeout(r, 0));
};
const ckpt = (runId: string, epoch: number): FromWorker => {
  const c: Checkpoint = {
    runId, epoch, examplesSeen: 1000 * epoch, steps: 10 * epoch,
    weights: { specs: [], data: new ArrayBuffer(0) }, optimizer: { specs: [], data: new ArrayBuffer(0) },
    schedule: { learningRate: 0.001, bestValLoss: 0.4, badEpochs: 0, bestEpoch: epoch }, seconds: 1, curves: emptyCurves(), savedAt: 1,
  };
  return { type: 'checkpoint', runId, checkpoint: c };
};
const activations = (v: number): JobResult => ({
  kind: 'viz-activations', input: new Float32Array(576).fill(v), inputShape: [24, 24, 1], label: 3, layers: [], probabilities: new Float32Array(10),
});
const jobs = (type: ToWorker['type']) => sent.filter((m): m is Extract<ToWorker, { jobId: string }> => m.type === type && 'jobId' in m);

function training() {
  const t = useTrainingStore();
  t.setTransport({ post: (m) => sent.push(m) });
  t.updateConfig({ maxExamples: 3000 });
  const runId = t.start(TEMPLATES.find((x) => x.id === 'convnetjs-mnist')!.graph)!;
  return { t, runId, inside: useInsideStore() };
}

describe('look inside: live refresh at checkpoints', () => {
  it('is off by default: a checkpoint starts no job', async () => {
    const { t, runId, inside } = training();
    inside.view = 'activations';
    t.handle(ckpt(runId, 1));
    await flush();
    expect(jobs('viz-activations')).toHaveLength(0);
    expect(inside.refreshes).toBe(0);
  });

  it('live: one refresh per checkpoint of the shown run; a second checkpoint cancels the running job first', async () => {
    const { t, runId, inside } = training();
    inside.view = 'activations';
    inside.live = true;
    t.handle(ckpt('another-run', 1));
    await flush();
    expect(jobs('viz-activations')).toHaveLength(0);

    t.handle(ckpt(runId, 1));
    await flush();
    const first = jobs('viz-activations');
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ runId, input: { split: 'test', index: 0 } });
    expect(inside.busy).toBe(true);

    // The next checkpoint while that job runs: cancel it, then one new job.
    const before = sent.length;
    t.handle(ckpt(runId, 2));
    await flush();
    const after = sent.slice(before);
    expect(after.map((m) => m.type)).toEqual(['cancel', 'viz-activations']);
    expect((after[0] as { jobId: string }).jobId).toBe(first[0].jobId);
    const second = jobs('viz-activations')[1];

    // The cancelled job's late answer (or its cancel error) does not touch the view.
    t.handle({ type: 'job-result', jobId: first[0].jobId, result: activations(0.25) });
    await flush();
    expect(inside.activations).toBeNull();
    expect(inside.busy).toBe(true);
    t.handle({ type: 'job-result', jobId: second.jobId, result: activations(0.75) });
    await flush();
    expect(inside.activations?.input[0]).toBe(0.75);
    expect(inside.busy).toBe(false);
    expect(inside.error).toBeNull();
    expect(inside.refreshes).toBe(2);
  });

  it('live re-runs the view that is shown (patches of the chosen layer, filters)', async () => {
    const { t, runId, inside } = training();
    inside.live = true;
    inside.view = 'patches';
    inside.layer = 'conv2d_2';
    t.handle(ckpt(runId, 1));
    await flush();
    expect(jobs('viz-patches').map((m) => (m as { layer: string }).layer)).toEqual(['conv2d_2']);
    inside.view = 'filters';
    t.handle(ckpt(runId, 2));
    await flush();
    expect(jobs('viz-filters')).toHaveLength(1);
    // Switched off: no more refreshes.
    inside.live = false;
    t.handle(ckpt(runId, 3));
    await flush();
    expect(jobs('viz-filters')).toHaveLength(1);
  });

  it('Cancel cancels this view’s job only, not another store’s job', async () => {
    const { t, runId, inside } = training();
    inside.view = 'activations';
    void t.request({ type: 'evaluate', runId }).catch(() => {});
    void inside.loadActivations();
    await flush();
    inside.cancel();
    const cancels = sent.filter((m) => m.type === 'cancel') as { jobId: string }[];
    expect(cancels.map((c) => c.jobId)).toEqual([jobs('viz-activations')[0].jobId]);
  });

  it('drawn images: strokes during a job only queue the latest pixels, then one more job', async () => {
    const { t, inside } = training();
    inside.view = 'activations';
    const px = (v: number) => new Float32Array(576).fill(v);
    void inside.useDrawn(px(0.1));
    await flush();
    void inside.useDrawn(px(0.2));
    void inside.useDrawn(px(0.3));
    await flush();
    expect(jobs('viz-activations')).toHaveLength(1);
    t.handle({ type: 'job-result', jobId: jobs('viz-activations')[0].jobId, result: activations(0.1) });
    await flush();
    const all = jobs('viz-activations');
    expect(all).toHaveLength(2);
    expect((all[1] as { input: { pixels: Float32Array } }).input.pixels[0]).toBeCloseTo(0.3);
  });

  it('a drawn picture becomes the model input MNIST style (dark ink on white is inverted)', async () => {
    const { inside } = training();
    inside.view = 'activations';
    const w = 40;
    const rgba = new Uint8ClampedArray(w * w * 4).fill(255);
    for (let y = 10; y < 30; y++) for (let x = 18; x < 22; x++) rgba.fill(0, (y * w + x) * 4, (y * w + x) * 4 + 3);
    void inside.useImage({ rgba, width: w, height: w });
    await flush();
    const job = jobs('viz-activations')[0] as { input: { pixels: Float32Array } };
    const p = job.input.pixels;
    expect(p.length).toBe(24 * 24);
    // Ink (a vertical bar) is bright in the middle, the paper black at the corners.
    expect(p[12 * 24 + 12]).toBeGreaterThan(0.5);
    expect(p[0]).toBe(0);
    expect(inside.inputShape).toEqual([24, 24, 1]);
  });
});
