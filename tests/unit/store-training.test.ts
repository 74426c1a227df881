// The training and runs stores driven with plain worker messages and the memory host/storage.
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { memoryRunStorage, setRunStorage, type RunStorage } from '../../renderer/src/host/run-storage';
import { setHost } from '../../renderer/src/composables/useHost';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { useGraphStore } from '../../renderer/src/stores/graph';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import { emptyCurves, type Checkpoint, type FromWorker, type ToWorker } from '../../renderer/src/core/train/protocol';

let sent: ToWorker[];
let storage: RunStorage;

beforeEach(() => {
  setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
  storage = memoryRunStorage();
  setRunStorage(storage);
  setActivePinia(createPinia());
  sent = [];
});

const flush = () => new Promise((r) => setTimeout(r, 0));

function startRun(graph = TEMPLATES[1].graph) {
  const t = useTrainingStore();
  t.setTransport({ post: (m) => sent.push(m), wasmBaseUrl: 'http://test/wasm/' });
  t.updateConfig({ maxExamples: 3000, batchSize: 16 });
  const runId = t.start(graph) as string;
  return { t, runs: useRunsStore(), runId };
}

const progress = (runId: string, seen: number, loss: number, acc: number): FromWorker => ({
  type: 'progress', runId, epoch: 1, examplesSeen: seen, totalExamples: 3000, loss, accuracy: acc, examplesPerSec: 120,
});
const epochMsg = (runId: string, epoch: number, seen: number): FromWorker => ({
  type: 'epoch', runId, epoch, examplesSeen: seen, loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.9, learningRate: 0.001,
});
const ckpt = (runId: string, epoch: number): Checkpoint => ({
  runId, epoch, examplesSeen: 3000 * epoch, steps: 188 * epoch,
  weights: { specs: [{ name: 'w', shape: [2] }], data: new Float32Array([1, 2]).buffer },
  optimizer: { specs: [], data: new ArrayBuffer(0) },
  schedule: { learningRate: 0.001, bestValLoss: 0.4, badEpochs: 0, bestEpoch: epoch },
  seconds: 12, curves: { ...emptyCurves(), valLoss: [[3000, 0.4]] }, savedAt: 1,
});

describe('training store + run records', () => {
  it('posts a train message with the graph, settings, MNIST location and wasm folder, and records the run', () => {
    const { t, runs, runId } = startRun();
    expect(t.status).toBe('starting');
    expect(sent).toHaveLength(1);
    const msg = sent[0];
    if (msg.type !== 'train') throw new Error(msg.type);
    expect(msg.runId).toBe(runId);
    expect(msg.config.maxExamples).toBe(3000);
    expect(msg.dataset).toEqual({ kind: 'mnist', baseUrl: 'http://test/data/mnist/' });
    expect(msg.wasmBaseUrl).toBe('http://test/wasm/');
    expect(msg.graph.blocks).toHaveLength(7);
    // The record holds snapshots of the graph and settings, and is the one shown.
    const rec = runs.byId.get(runId)!;
    expect(rec.graph).toEqual(TEMPLATES[1].graph);
    expect(rec.graph).not.toBe(TEMPLATES[1].graph);
    expect(rec.config.batchSize).toBe(16);
    expect(rec.metrics?.params).toBe(5994);
    expect(runs.selectedId).toBe(runId);
    // A second start while running is refused.
    expect(t.start(TEMPLATES[1].graph)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it('follows a run: backend, progress and epoch curves in its record, checkpoints stored, weights kept when done', async () => {
    const { t, runs, runId } = startRun();
    t.handle({ type: 'status', runId, phase: 'loading-data', message: 'Loading MNIST…' });
    expect(t.status).toBe('running');
    t.handle({ type: 'backend', runId, backend: 'webgl', attempts: [{ backend: 'webgpu', ok: false, reason: 'no adapter' }, { backend: 'webgl', ok: true }] });
    expect(t.backend).toBe('webgl');
    t.handle(progress(runId, 1000, 1.9, 0.4));
    t.handle(progress(runId, 2000, 0.8, 0.75));
    expect(runs.selected!.curves.trainLoss).toEqual([[1000, 1.9], [2000, 0.8]]);
    expect(t.fraction).toBeCloseTo(2000 / 3000);
    t.handle(epochMsg(runId, 1, 3000));
    expect(runs.selected!.curves.valAcc).toEqual([[3000, 0.9]]);
    t.handle({ type: 'checkpoint', runId, checkpoint: ckpt(runId, 1) });
    await flush();
    expect((await storage.getCheckpoint(runId))?.epoch).toBe(1);
    expect(runs.resumable.has(runId)).toBe(true);
    t.handle({ type: 'done', runId, stopped: false, testLoss: 0.3, testAccuracy: 0.91, seconds: 20, examplesSeen: 3000 });
    expect(t.status).toBe('done');
    expect(runs.selected!.state).toBe('done');
    expect(runs.selected!.metrics!.testAccuracy).toBe(0.91);
    // The store asks the worker for the final weights and keeps them in the record.
    const ask = sent.find((m) => m.type === 'weights');
    if (!ask || ask.type !== 'weights') throw new Error('no weights job');
    t.handle({ type: 'job-result', jobId: ask.jobId, result: { kind: 'weights', weights: ckpt(runId, 1).weights } });
    await flush();
    expect(runs.byId.get(runId)!.weights?.specs).toEqual([{ name: 'w', shape: [2] }]);
    const stored = (await storage.list()).find((r) => r.id === runId)!;
    expect(stored.state).toBe('done');
    expect(stored.weights).toBeDefined();
    expect(await storage.getCheckpoint(runId)).toBeNull(); // a finished run needs no checkpoint
  });

  it('pause and resume go to the worker; a paused run is neither running nor finished', () => {
    const { t, runs, runId } = startRun();
    t.handle(progress(runId, 500, 2, 0.2));
    t.pause();
    expect(sent.at(-1)).toEqual({ type: 'pause', runId });
    t.handle({ type: 'paused', runId, epoch: 1, examplesSeen: 512 });
    expect(t.status).toBe('paused');
    expect(t.isRunning).toBe(false);
    expect(runs.selected!.state).toBe('paused');
    void t.resume(runId);
    expect(sent.at(-1)).toEqual({ type: 'resume', runId });
    expect(t.status).toBe('running');
  });

  it('after a reload, a run that was training is interrupted and resumes from its stored checkpoint', async () => {
    const first = startRun();
    first.t.handle({ type: 'checkpoint', runId: first.runId, checkpoint: ckpt(first.runId, 2) });
    await flush();
    // "Reload": fresh stores over the same storage.
    setActivePinia(createPinia());
    sent = [];
    const runs = useRunsStore();
    await runs.load();
    const r = runs.byId.get(first.runId)!;
    expect(r.state).toBe('interrupted');
    expect(r.epoch).toBe(2);
    expect(runs.resumable.has(first.runId)).toBe(true);
    const t = useTrainingStore();
    t.setTransport({ post: (m) => sent.push(m) });
    expect(await t.resume(first.runId)).toBe(true);
    const msg = sent[0];
    if (msg.type !== 'train') throw new Error(msg.type);
    expect(msg.from?.epoch).toBe(2);
    expect(msg.graph).toEqual(TEMPLATES[1].graph);
    expect(runs.byId.get(first.runId)!.state).toBe('running');
  });

  it('a run interrupted before its first checkpoint is marked failed with the reason', async () => {
    const first = startRun();
    first.t.handle(progress(first.runId, 100, 2, 0.1));
    first.t.handle({ type: 'backend', runId: first.runId, backend: 'cpu', attempts: [] }); // persisted
    await flush();
    setActivePinia(createPinia());
    const runs = useRunsStore();
    await runs.load();
    expect(runs.byId.get(first.runId)!.state).toBe('error');
    expect(runs.byId.get(first.runId)!.error).toMatch(/before this run finished its first epoch/);
  });

  it('says when the shown run was made with an earlier version of the network', () => {
    const graph = useGraphStore();
    graph.load(structuredClone(TEMPLATES[1].graph));
    const { runs } = startRun(structuredClone(graph.graph));
    expect(runs.selectedIsStale).toBe(false);
    graph.moveBlock('conv2d_1', { x: 999, y: 999 });
    expect(runs.selectedIsStale).toBe(false); // moving a block changes nothing
    graph.setParam('conv2d_1', 'filters', 16);
    expect(runs.selectedIsStale).toBe(true);
  });

  it('trains the expanded network of a graph with units, and keeps the graph with its units in the record', () => {
    const base = structuredClone(TEMPLATES[1].graph);
    const withUnit = { ...base, units: [{ id: 'u1', name: 'conv stage', blockIds: ['conv2d_2', 'maxpool2d_2'], repeat: 1 }] };
    const { runs, runId } = startRun(withUnit);
    const msg = sent[0];
    if (msg.type !== 'train') throw new Error(msg.type);
    expect(msg.graph.units).toBeUndefined();
    expect(runs.byId.get(runId)!.graph.units).toHaveLength(1);
    // Changing a unit's repeat count changes the network: the run is stale.
    const graph = useGraphStore();
    graph.load(structuredClone(withUnit));
    expect(runs.selectedIsStale).toBe(false);
    graph.load({ ...structuredClone(withUnit), units: [{ ...withUnit.units[0], repeat: 2 }] });
    expect(runs.selectedIsStale).toBe(true);
  });

  it('a network that does not fit the dataset is an error on the block that must change, before Train', () => {
    const graph = useGraphStore();
    graph.load(structuredClone(TEMPLATES[1].graph));
    expect(graph.analysis.ok).toBe(true);
    graph.setParam('classifier_1', 'classes', 5);
    const issue = graph.issuesFor('classifier_1').find((i) => i.code === 'data-classes');
    expect(issue?.severity).toBe('error');
    expect(issue?.hint).toMatch(/10/);
    expect(graph.analysis.ok).toBe(false);
    graph.setParam('classifier_1', 'classes', 10);
    graph.setParam('input_1', 'channels', 3);
    expect(graph.issuesFor('input_1').some((i) => i.code === 'data-channels')).toBe(true);
  });

  it('renames, deletes and overlays runs', async () => {
    const { t, runs, runId } = startRun();
    t.handle({ type: 'done', runId, stopped: true, testLoss: NaN, testAccuracy: NaN, seconds: 1, examplesSeen: 10 });
    const second = t.start(TEMPLATES[0].graph)!;
    runs.rename(runId, '  relu  ');
    expect(runs.byId.get(runId)!.name).toBe('relu');
    runs.toggleOverlay(runId);
    runs.toggleOverlay(second);
    expect(runs.overlayIds).toEqual([runId, second]);
    runs.remove(runId);
    await flush();
    expect(runs.overlayIds).toEqual([second]);
    expect((await storage.list()).map((r) => r.id)).toEqual([second]);
  });

  it('remembers the backend Auto measured for a model of this size and asks for it next time', () => {
    const mem = new Map<string, string>();
    const g = globalThis as { localStorage?: unknown };
    g.localStorage = { getItem: (k: string) => mem.get(k) ?? null, setItem: (k: string, v: string) => void mem.set(k, v) };
    try {
      const { t, runId } = startRun();
      expect(sent[0].type === 'train' && sent[0].preferBackend).toBeUndefined();
      t.handle({ type: 'backend', runId, backend: 'wasm', attempts: [], label: 'wasm (1 thread)', measured: true });
      expect(t.backendLabel).toBe('wasm (1 thread)');
      t.handle({ type: 'done', runId, stopped: false, testLoss: 1, testAccuracy: 0.5, seconds: 1, examplesSeen: 10 });
      t.start(TEMPLATES[1].graph);
      const next = sent.filter((m) => m.type === 'train').at(-1)!;
      expect(next.type === 'train' && next.preferBackend).toBe('wasm');
      // An explicit backend choice is the user's: nothing is preferred over it.
      t.handle({ type: 'done', runId: t.runId!, stopped: false, testLoss: 1, testAccuracy: 0.5, seconds: 1, examplesSeen: 10 });
      t.updateConfig({ backends: ['cpu'] });
      t.start(TEMPLATES[1].graph);
      const last = sent.filter((m) => m.type === 'train').at(-1)!;
      expect(last.type === 'train' && last.preferBackend).toBeUndefined();
    } finally {
      delete g.localStorage;
    }
  });

  it('routes job replies to the request that asked, with progress', async () => {
    const { t } = startRun();
    const fractions: number[] = [];
    const p = t.request({ type: 'evaluate', runId: 'r', sample: 100 }, (f) => fractions.push(f));
    const ask = sent.at(-1)!;
    if (ask.type !== 'evaluate') throw new Error(ask.type);
    t.handle({ type: 'job-progress', jobId: ask.jobId, fraction: 0.5, message: '' });
    t.handle({ type: 'job-error', jobId: ask.jobId, message: 'run r has no trained model' });
    await expect(p).rejects.toThrow(/no trained model/);
    expect(fractions).toEqual([0.5]);
  });

  it('keeps a failed run failed: later messages of that run are ignored', () => {
    const { t, runs, runId } = startRun();
    t.handle({ type: 'status', runId, phase: 'training', message: 'Training' });
    t.fail('A message from the training worker could not be read.');
    t.handle(progress(runId, 500, 2.3, 0.1));
    t.handle({ type: 'done', runId, stopped: false, testLoss: 0.4, testAccuracy: 0.88, seconds: 30, examplesSeen: 500 });
    expect(t.status).toBe('error');
    expect(runs.byId.get(runId)!.state).toBe('error');
    expect(runs.byId.get(runId)!.curves.trainLoss).toEqual([]);
  });

  it('refuses to start with invalid settings and says which one', () => {
    const t = useTrainingStore();
    t.setTransport({ post: (m) => sent.push(m) });
    t.updateConfig({ epochs: 0 });
    expect(t.start(TEMPLATES[1].graph)).toBeNull();
    expect(sent).toEqual([]);
    expect(t.status).toBe('error');
    expect(t.error?.message).toMatch(/Epochs must be at least 1/);
    t.updateConfig({ epochs: 1 });
    expect(t.start(TEMPLATES[1].graph)).not.toBeNull();
    expect(t.error).toBeNull();
  });
});
