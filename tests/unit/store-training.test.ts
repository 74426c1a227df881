import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { setHost } from '../../renderer/src/composables/useHost';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import type { FromWorker, ToWorker } from '../../renderer/src/core/train/protocol';

let sent: ToWorker[];

beforeEach(() => {
  setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
  setActivePinia(createPinia());
  sent = [];
});

function startRun() {
  const t = useTrainingStore();
  t.setTransport({ post: (m) => sent.push(m), wasmBaseUrl: 'http://test/wasm/' });
  t.updateConfig({ maxExamples: 3000, batchSize: 16 });
  const runId = t.start(TEMPLATES[1].graph) as string;
  return { t, runId };
}

const progress = (runId: string, seen: number, loss: number, acc: number): FromWorker => ({
  type: 'progress', runId, epoch: 1, examplesSeen: seen, totalExamples: 3000, loss, accuracy: acc, examplesPerSec: 120,
});

describe('training store', () => {
  it('posts a train message with the graph, settings, MNIST location and wasm folder', () => {
    const { t, runId } = startRun();
    expect(t.status).toBe('starting');
    expect(sent).toHaveLength(1);
    const msg = sent[0];
    expect(msg.type).toBe('train');
    if (msg.type !== 'train') return;
    expect(msg.runId).toBe(runId);
    expect(msg.config.maxExamples).toBe(3000);
    expect(msg.config.batchSize).toBe(16);
    expect(msg.dataset).toEqual({ kind: 'mnist', baseUrl: 'http://test/data/mnist/' });
    expect(msg.wasmBaseUrl).toBe('http://test/wasm/');
    expect(msg.graph.blocks).toHaveLength(7);
    // A second start while running is refused.
    expect(t.start(TEMPLATES[1].graph)).toBeNull();
    expect(sent).toHaveLength(1);
  });

  it('follows a run from status to done: backend, progress, curves, filters, test accuracy', () => {
    const { t, runId } = startRun();
    t.handle({ type: 'status', runId, phase: 'loading-data', message: 'Loading MNIST…' });
    expect(t.status).toBe('running');
    expect(t.phaseMessage).toBe('Loading MNIST…');
    t.handle({ type: 'backend', runId, backend: 'webgl', attempts: [{ backend: 'webgpu', ok: false, reason: 'no adapter' }, { backend: 'webgl', ok: true }] });
    expect(t.backend).toBe('webgl');
    expect(t.attempts[0].reason).toBe('no adapter');

    t.handle(progress(runId, 1000, 1.9, 0.4));
    t.handle(progress(runId, 2000, 0.8, 0.75));
    t.handle(progress(runId, 3000, 0.5, 0.85));
    expect(t.trainLoss).toEqual([[1000, 1.9], [2000, 0.8], [3000, 0.5]]);
    expect(t.trainAcc.map((p) => p[1])).toEqual([0.4, 0.75, 0.85]);
    expect(t.fraction).toBe(1);
    expect(t.examplesPerSec).toBe(120);
    expect(t.lastLoss).toBe(0.5);

    t.handle({ type: 'epoch', runId, epoch: 1, loss: 0.6, accuracy: 0.8, valLoss: 0.45, valAccuracy: 0.87 });
    expect(t.valLoss).toEqual([[3000, 0.45]]);
    expect(t.valAcc).toEqual([[3000, 0.87]]);

    const data = new Float32Array(5 * 5 * 1 * 8);
    t.handle({ type: 'filters', runId, blockId: 'conv2d_1', shape: [5, 5, 1, 8], data });
    t.handle({ type: 'filters', runId, blockId: 'conv2d_1', shape: [5, 5, 1, 8], data });
    expect(t.filters?.blockId).toBe('conv2d_1');
    expect(t.filters?.version).toBe(2);

    t.handle({ type: 'done', runId, stopped: false, testLoss: 0.4, testAccuracy: 0.88, seconds: 30 });
    expect(t.status).toBe('done');
    expect(t.isRunning).toBe(false);
    expect(t.result).toEqual({ testAccuracy: 0.88, testLoss: 0.4, seconds: 30, stopped: false });
  });

  it('ignores messages from an earlier run and NaN losses', () => {
    const { t, runId } = startRun();
    t.handle(progress('run_old', 500, 2.3, 0.1));
    expect(t.trainLoss).toEqual([]);
    t.handle(progress(runId, 500, Number.NaN, 0.1));
    expect(t.trainLoss).toEqual([]);
    expect(t.trainAcc).toEqual([[500, 0.1]]);
  });

  it('stops: sends stop for the current run and marks the result as stopped', () => {
    const { t, runId } = startRun();
    t.handle({ type: 'status', runId, phase: 'training', message: 'Training' });
    t.stop();
    expect(t.status).toBe('stopping');
    expect(sent[1]).toEqual({ type: 'stop', runId });
    t.handle({ type: 'done', runId, stopped: true, testLoss: 1, testAccuracy: 0.5, seconds: 3 });
    expect(t.status).toBe('stopped');
    expect(t.result?.stopped).toBe(true);
  });

  it('shows worker errors, with the block they belong to, and clears them on the next run', () => {
    const { t, runId } = startRun();
    t.handle({ type: 'error', runId, message: 'Kernel not registered', blockId: 'conv2d_1' });
    expect(t.status).toBe('error');
    expect(t.error).toEqual({ message: 'Kernel not registered', blockId: 'conv2d_1' });
    expect(t.isRunning).toBe(false);
    t.start(TEMPLATES[1].graph);
    expect(t.error).toBeNull();
    expect(t.status).toBe('starting');
  });

  it('posts structured-clone-safe settings, and fails the run when posting throws', () => {
    const t = useTrainingStore();
    t.setTransport({ post: (m) => { structuredClone(m); sent.push(m); } });
    t.updateConfig({ backends: ['webgl'] });
    t.start(TEMPLATES[1].graph);
    expect(sent[0].type === 'train' && sent[0].config.backends).toEqual(['webgl']);
    t.handle({ type: 'done', runId: t.runId as string, stopped: false, testLoss: 1, testAccuracy: 0.5, seconds: 1 });

    t.setTransport({ post: () => { throw new Error('worker gone'); } });
    t.start(TEMPLATES[1].graph);
    expect(t.status).toBe('error');
    expect(t.error?.message).toMatch(/worker gone/);
  });

  it('ends a run whose worker died', () => {
    const { t } = startRun();
    t.fail('The training worker stopped unexpectedly.');
    expect(t.status).toBe('error');
    expect(t.error?.message).toMatch(/unexpectedly/);
  });

  it('keeps a failed run failed: later messages of that run are ignored', () => {
    const { t, runId } = startRun();
    t.handle({ type: 'status', runId, phase: 'training', message: 'Training' });
    t.fail('A message from the training worker could not be read.');
    t.handle(progress(runId, 500, 2.3, 0.1));
    t.handle({ type: 'done', runId, stopped: false, testLoss: 0.4, testAccuracy: 0.88, seconds: 30 });
    expect(t.status).toBe('error');
    expect(t.result).toBeNull();
    expect(t.trainLoss).toEqual([]);
  });

  it('refuses to start with invalid settings and says which one', () => {
    const t = useTrainingStore();
    t.setTransport({ post: (m) => sent.push(m) });
    t.updateConfig({ epochs: 0 });
    expect(t.start(TEMPLATES[1].graph)).toBeNull();
    expect(sent).toEqual([]);
    expect(t.status).toBe('error');
    expect(t.error?.message).toMatch(/Epochs must be at least 1/);
    expect(t.isRunning).toBe(false);
    t.updateConfig({ epochs: 1 });
    expect(t.start(TEMPLATES[1].graph)).not.toBeNull();
    expect(t.error).toBeNull();
  });
});
