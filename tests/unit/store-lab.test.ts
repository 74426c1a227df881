// The app's lab: experiments run through the training store's transport, answered by a fake that
// speaks the worker's protocol (status, backend, progress with gradient norms, epoch, done; lab
// jobs; weights). Each run lands in the run history as a normal run and the experiment's runs are
// overlaid at the end.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { memoryRunStorage, setRunStorage } from '../../renderer/src/host/run-storage';
import { setHost } from '../../renderer/src/composables/useHost';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { appLabDriver, useLabStore } from '../../renderer/src/stores/lab';
import type { FromWorker, ToWorker } from '../../renderer/src/core/train/protocol';
import type { LabTaskResult } from '../../renderer/src/core/lab/types';

type TrainMsg = Extract<ToWorker, { type: 'train' }>;

interface FakeWorker {
  sent: ToWorker[];
  trains: TrainMsg[];
  /** Test accuracy a run ends with, by the graph's first hidden activation ('' for none). */
  accuracy: (msg: TrainMsg) => number;
  /** Per-layer norm of a reading, by run. */
  norm: (msg: TrainMsg, layer: string) => number;
  labResult: (task: Extract<ToWorker, { type: 'lab' }>) => LabTaskResult;
  /** When set, a train message is answered only up to its first progress (a run in flight). */
  hold: boolean;
  /** Runs answered with an error after their first progress. */
  fail?: (msg: TrainMsg) => boolean;
}

const tick = () => new Promise((r) => setTimeout(r, 0));

function fakeWorker(): FakeWorker {
  const training = useTrainingStore();
  const w: FakeWorker = {
    sent: [], trains: [], hold: false,
    accuracy: () => 0.9,
    norm: () => 1,
    labResult: () => ({ kind: 'probe', layers: [] }),
  };
  const reply = (m: FromWorker) => setTimeout(() => training.handle(m), 0);
  training.setTransport({
    wasmBaseUrl: 'http://test/wasm/',
    post(msg) {
      w.sent.push(msg);
      switch (msg.type) {
        case 'train': {
          w.trains.push(msg);
          const { runId } = msg;
          const total = msg.config.maxExamples ?? 60000;
          const layers = msg.graph.blocks.filter((b) => b.type === 'Dense' || b.type === 'Classifier').map((b) => b.id);
          const reading = (seen: number) => ({ steps: seen / 32, examplesSeen: seen, norms: Object.fromEntries(layers.map((l) => [l, w.norm(msg, l)])) });
          const norms = msg.gradientNormsEvery ? { gradientNorms: [reading(total / 2)] } : {};
          reply({ type: 'status', runId, phase: 'training', message: 'Training' });
          reply({ type: 'backend', runId, backend: msg.config.backends?.[0] ?? 'webgl', attempts: [] });
          reply({ type: 'progress', runId, epoch: 1, examplesSeen: total / 2, totalExamples: total, loss: 1, accuracy: 0.5, examplesPerSec: 1000, ...norms });
          if (w.hold) break;
          if (w.fail?.(msg)) {
            reply({ type: 'error', runId, message: 'Kernel not registered' });
            break;
          }
          reply({ type: 'epoch', runId, epoch: 1, examplesSeen: total, loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85, learningRate: 0.01 });
          reply({ type: 'done', runId, stopped: false, testLoss: 0.3, testAccuracy: w.accuracy(msg), seconds: 2, examplesSeen: total });
          break;
        }
        case 'stop':
          reply({ type: 'done', runId: msg.runId, stopped: true, testLoss: NaN, testAccuracy: NaN, seconds: 1, examplesSeen: 100 });
          break;
        case 'weights':
          reply({ type: 'job-result', jobId: msg.jobId, result: { kind: 'weights', weights: { specs: [], data: new ArrayBuffer(0) } } });
          break;
        case 'lab':
          reply({ type: 'job-progress', jobId: msg.jobId, fraction: 0.5, message: 'Probing dense_1' });
          if (w.hold) break;
          reply({ type: 'job-result', jobId: msg.jobId, result: { kind: 'lab', result: w.labResult(msg) } });
          break;
        case 'cancel':
          reply({ type: 'job-error', jobId: msg.jobId, message: 'cancelled', cancelled: true });
          break;
        default:
          break;
      }
    },
  });
  return w;
}

const activation = (m: TrainMsg) => String(m.graph.blocks.find((b) => b.type === 'Dense')?.params.activation ?? '');

beforeEach(() => {
  setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
  setRunStorage(memoryRunStorage());
  setActivePinia(createPinia());
});

describe('lab store (app driver over the training worker)', () => {
  it('runs vanishing-gradients: two recorded runs with norms, on wasm, overlaid at the end, and a verdict from the norms', async () => {
    const w = fakeWorker();
    // The sigmoid net's first layer starves; the ReLU net's does not.
    w.norm = (m, layer) => (activation(m) === 'sigmoid' ? (layer === 'dense_1' ? 1e-4 : 0.1) : 1);
    const lab = useLabStore();
    const runs = useRunsStore();
    const report = await lab.run('vanishing-gradients');
    expect(report).not.toBeNull();
    expect(lab.status).toBe('done');
    expect(w.trains).toHaveLength(2);
    for (const t of w.trains) {
      expect(t.config.backends).toEqual(['wasm']);
      expect(t.config.maxExamples).toBe(4000);
      expect(t.config.recordGradientNorms).toBe(true);
      expect(t.gradientNormsEvery).toBe(5);
      expect(t.wasmBaseUrl).toBe('http://test/wasm/');
      expect(t.dataset).toEqual({ kind: 'mnist', baseUrl: 'http://test/data/mnist/' });
    }
    // Normal runs in the history, named after the experiment and the variant, with their norms.
    const ids = w.trains.map((t) => t.runId);
    const recs = ids.map((id) => runs.byId.get(id)!);
    expect(recs.map((r) => r.name)).toEqual(['Vanishing gradients · 6 × Dense 64, sigmoid', 'Vanishing gradients · 6 × Dense 64, ReLU']);
    expect(recs.every((r) => r.state === 'done')).toBe(true);
    // Marked as the experiment's runs (the run summary shows them as lab runs, not as stale ones).
    expect(recs.map((r) => r.lab)).toEqual([{ experiment: 'vanishing-gradients', variant: 'sigmoid' }, { experiment: 'vanishing-gradients', variant: 'relu' }]);
    expect(report!.records.map((r) => r.lab?.variant)).toEqual(['sigmoid', 'relu']);
    expect(recs[0].curves.gradientNorms?.[0].norms.dense_1).toBe(1e-4);
    expect(recs[1].curves.gradientNorms?.[0].norms.dense_1).toBe(1);
    await tick();
    expect(w.sent.filter((m) => m.type === 'weights')).toHaveLength(2); // kept like any run's
    expect(runs.overlayIds).toEqual(ids);
    expect(report!.verdict.holds).toBe(true);
    expect(lab.report?.experiment).toBe('vanishing-gradients');
    expect(lab.progress.map((p) => [p.state, p.fraction])).toEqual([['done', 1], ['done', 1]]);
  });

  it('says plainly when the claim does not hold', async () => {
    const w = fakeWorker();
    w.norm = () => 1; // no vanishing at all
    const lab = useLabStore();
    const report = await lab.run('vanishing-gradients');
    expect(report!.holds).toBe(false);
    expect(report!.verdict.summary).toMatch(/^Not this time/);
  });

  it("sends the verdict's lab jobs for the experiment's own run and reports the job's progress", async () => {
    const w = fakeWorker();
    const probe = [0.87, 0.89, 0.9, 0.91].map((a, i) => ({ layer: ['input_1', 'dense_1', 'dense_2', 'dense_3'][i], dim: 10, trainAccuracy: a, testAccuracy: a }));
    // The experiment asks for the probe, then a 2-D embedding of two layers; answer each as the worker would.
    w.labResult = (m) =>
      m.task.kind === 'embed'
        ? { kind: 'embed', layer: m.task.layer, points: [{ x: 0, y: 0, label: 1, index: 0 }], neighbourAgreement: 0.9 }
        : { kind: 'probe', layers: probe };
    const lab = useLabStore();
    const report = await lab.run('hidden-features');
    const jobs = w.sent.filter((m) => m.type === 'lab');
    const job = jobs[0];
    if (job?.type !== 'lab') throw new Error('no lab job');
    expect(job.runId).toBe(w.trains[0].runId);
    expect(job.task.kind).toBe('probe');
    expect(jobs.map((m) => (m.type === 'lab' ? m.task.kind : ''))).toEqual(['probe', 'embed', 'embed']);
    expect(report!.verdict.numbers.probe).toEqual(probe);
    expect(report!.holds).toBe(true);
  });

  it("uses the user's backend and limit when chosen", async () => {
    const w = fakeWorker();
    useTrainingStore().updateConfig({ backends: ['webgl'] });
    const lab = useLabStore();
    lab.setLimit('pixels', 500);
    await lab.run('pixels');
    expect(lab.error).toBeNull();
    expect(w.trains[0].config.backends).toEqual(['webgl']);
    expect(w.trains[0].config.maxExamples).toBe(500);
    lab.setLimit('pixels', null);
    await lab.run('pixels');
    expect(w.trains[1].config.maxExamples).toBeUndefined(); // all examples
  });

  it('cancel stops the training run and starts no other', async () => {
    const w = fakeWorker();
    w.hold = true;
    const lab = useLabStore();
    const pending = lab.run('linear-collapse');
    await tick();
    await tick();
    expect(lab.progress[0].state).toBe('running');
    expect(lab.progress[0].fraction).toBe(0.5);
    lab.cancel();
    expect(await pending).toBeNull();
    expect(lab.status).toBe('cancelled');
    expect(w.sent.some((m) => m.type === 'stop' && m.runId === w.trains[0].runId)).toBe(true);
    expect(w.trains).toHaveLength(1);
    expect(useRunsStore().byId.get(w.trains[0].runId)?.state).toBe('stopped');
    expect(lab.progress.map((p) => p.state)).toEqual(['stopped', 'waiting', 'waiting']);
  });

  it('cancel during a lab job cancels that job', async () => {
    const w = fakeWorker();
    const lab = useLabStore();
    const pending = lab.run('hidden-features');
    w.hold = true; // the run (already posted) finishes; its probe job never answers
    await new Promise((r) => setTimeout(r, 20));
    expect(lab.jobMessage).toBe('Probing dense_1');
    lab.cancel();
    expect(await pending).toBeNull();
    expect(lab.status).toBe('cancelled');
    expect(w.sent.some((m) => m.type === 'cancel')).toBe(true);
  });

  it('a run that fails ends the experiment with its message', async () => {
    const w = fakeWorker();
    const lab = useLabStore();
    w.fail = (m) => m.runId.endsWith('-linear');
    const pending = lab.run('linear-collapse');
    expect(await pending).toBeNull();
    expect(lab.status).toBe('error');
    expect(lab.error).toContain('Kernel not registered');
    expect(w.trains).toHaveLength(2);
  });

  it('refuses to start while a run of the user is training', async () => {
    const w = fakeWorker();
    w.hold = true;
    const training = useTrainingStore();
    const lab = useLabStore();
    // Every experiment of the issue runs now (none is marked unavailable).
    expect(lab.experiments.filter((e) => e.unavailable)).toEqual([]);
    training.start(lab.experiments[0].runs()[0].graph);
    expect(await lab.run('pixels')).toBeNull();
    expect(lab.error).toMatch(/A run is training/);
    expect(w.trains).toHaveLength(1);
  });
});

describe('appLabDriver', () => {
  it('names runs by id, passes the runner’s run id through, and refuses when the store will not start', async () => {
    const calls: { name: string; runId?: string }[] = [];
    const driver = appLabDriver(
      { startWith: (_g, _c, name, o) => (calls.push({ name, runId: o?.runId }), null), request: () => Promise.reject(new Error('unused')) },
      { name: (id) => `Exp · ${id}` },
    );
    const msg = { type: 'train' as const, runId: 'lab-x-lr', graph: { version: 1 as const, blocks: [], edges: [] }, config: useTrainingStore().config, dataset: { kind: 'mnist' as const, baseUrl: 'x' } };
    await expect(driver.train(msg, () => {})).rejects.toThrow(/Another run is training/);
    expect(calls).toEqual([{ name: 'Exp · lab-x-lr', runId: 'lab-x-lr' }]);
  });

  it('refuses a job answered with something other than a lab result', async () => {
    const driver = appLabDriver(
      { startWith: () => null, request: () => Promise.resolve({ kind: 'load' }) },
      { name: (id) => id },
    );
    await expect(driver.job({ type: 'lab', jobId: 'j', runId: 'r', task: { kind: 'fgsm', epsilons: [0], count: 1 } })).rejects.toThrow(/answered with "load"/);
  });
});
