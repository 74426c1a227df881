// The project store with its runs: Save writes the project's runs with the weights, Open on another
// machine (empty history) brings them back, a malformed file changes nothing, Save As and recent
// projects through the Host.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { setHost } from '../../renderer/src/composables/useHost';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { createMemoryHost, type MemoryHost } from '../../renderer/src/host/memory';
import { memoryRunStorage, setRunStorage, useRunStorage } from '../../renderer/src/host/run-storage';
import { useGraphStore } from '../../renderer/src/stores/graph';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { useTrainingStore } from '../../renderer/src/stores/training';

let host: MemoryHost;
/** A fresh app: new stores, an empty run history, a host with the given files. */
function freshApp(files: Record<string, Uint8Array> = {}): void {
  host = createMemoryHost({ files });
  setHost(host);
  setRunStorage(memoryRunStorage());
  setActivePinia(createPinia());
}
beforeEach(() => freshApp());

const graph = instantiate(templateById('logistic-regression')!);
function run(id: string, createdAt: number, state: RunRecord['state'] = 'done', seed = 1): RunRecord {
  const values = Float32Array.from({ length: 784 * 10 + 10 }, (_, i) => Math.sin(i * seed) / 10);
  return {
    id, name: `logistic #${id}`, createdAt, graph, config: { ...DEFAULT_TRAIN_CONFIG, maxExamples: 300 }, dataset: { kind: 'mnist' }, state,
    curves: { trainLoss: [[32, 2]], trainAcc: [[32, 0.2]], valLoss: [], valAcc: [], learningRate: [[0, 0.001]] }, epoch: 1,
    metrics: { testAccuracy: 0.8, testLoss: 0.7, seconds: 1, examplesSeen: 300, examplesPerSecond: 300, params: 7850, multiplyAdds: 7840 },
    weights: { specs: [{ name: 'classifier_1/kernel', shape: [784, 10] }, { name: 'classifier_1/bias', shape: [10] }], data: values.buffer },
  };
}

/** Everything an Open could change, as plain values. */
function snapshot() {
  const p = useProjectStore();
  const r = useRunsStore();
  return {
    graph: useGraphStore().graph, config: useTrainingStore().config, dataset: useTrainingStore().dataset,
    runs: r.records, selected: r.selectedId, name: p.name, path: p.path, dirty: p.dirty, canUndo: useGraphStore().canUndo,
  };
}

describe('projects keep their runs', () => {
  it('Save writes every run of the project with its weights; Open elsewhere restores graph, runs and weights', async () => {
    const project = useProjectStore();
    const runs = useRunsStore();
    project.loadTemplate('logistic-regression');
    runs.add(run('a', 1000));
    runs.add(run('b', 2000, 'stopped', 2));
    runs.add(run('live', 3000, 'running', 3)); // still training: not written
    expect(project.dirty).toBe(true);
    expect(await project.save()).toBe(true);
    expect(project.dirty).toBe(false);
    const path = [...host.files.keys()][0];
    const text = host.readText(path);
    expect(parseProject(text).runs!.map((r) => r.id)).toEqual(['b', 'a']);
    // Compact: two runs of 7850 float32 weights are 2 × 31,400 bytes, base64 4/3 of that, plus curves and graphs.
    expect(text.length).toBeGreaterThan(2 * 31_400 * (4 / 3));
    expect(text.length).toBeLessThan(2 * 31_400 * (4 / 3) + 30_000);

    freshApp({ [path]: host.files.get(path)! }); // another machine: nothing in its history
    const p2 = useProjectStore();
    const r2 = useRunsStore();
    host.queueOpen(path);
    expect(await p2.open()).toBe(true);
    expect(useGraphStore().graph).toEqual(graph);
    expect(r2.records.map((r) => r.id)).toEqual(['b', 'a']);
    expect(r2.selectedId).toBe('b');
    expect(new Float32Array(r2.byId.get('a')!.weights!.data)).toEqual(new Float32Array(run('a', 1000).weights!.data));
    expect(new Float32Array(r2.byId.get('b')!.weights!.data)).toEqual(new Float32Array(run('b', 2000, 'stopped', 2).weights!.data));
    expect((await useRunStorage().list()).map((r) => r.id).sort()).toEqual(['a', 'b']); // kept after a reload too
    expect(p2.dirty).toBe(false);
    expect(p2.name).toBe(path.replace('.netwright.json', ''));
  });

  it('Open merges by id: the file replaces a stored copy, other runs stay, a paused run reads as stopped', async () => {
    const file = serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG, runs: [{ ...run('a', 1000), name: 'renamed' }, run('p', 1500, 'paused')] });
    freshApp({ 'x.netwright.json': new TextEncoder().encode(file) });
    const runs = useRunsStore();
    runs.add(run('a', 1000));
    runs.add(run('mine', 5000));
    host.queueOpen('x.netwright.json');
    expect(await useProjectStore().open()).toBe(true);
    expect(runs.records.map((r) => [r.id, r.name, r.state])).toEqual([['mine', 'logistic #mine', 'done'], ['p', 'logistic #p', 'stopped'], ['a', 'renamed', 'done']]);
    expect(runs.selectedId).toBe('p');
  });

  it.each([
    ['not JSON', 'netwright'],
    ['truncated', '{"format":"netwright-project","version":3,"graph":{"ver'],
    ['a future version', JSON.stringify({ format: 'netwright-project', version: 99 })],
    ['weights of the wrong length', (() => {
      const d = JSON.parse(serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG, runs: [run('z', 1)] }));
      d.runs[0].weights.data = d.runs[0].weights.data.slice(0, -8);
      return JSON.stringify(d);
    })()],
    ['a run with a bad graph after good ones', (() => {
      const d = JSON.parse(serializeProject({ graph, trainConfig: { ...DEFAULT_TRAIN_CONFIG, epochs: 7 }, runs: [run('ok', 1), run('bad', 2)] }));
      d.runs[1].graph.edges[0].target = 'gone';
      return JSON.stringify(d);
    })()],
  ])('refuses %s with a message and leaves the open project untouched', async (_what, text) => {
    const project = useProjectStore();
    const runs = useRunsStore();
    project.loadTemplate('convnetjs-mnist');
    runs.add(run('mine', 10));
    expect(await project.save()).toBe(true);
    useTrainingStore().setConfig({ ...DEFAULT_TRAIN_CONFIG, batchSize: 48 }); // unsaved change
    const before = snapshot();
    const stored = await useRunStorage().list();
    host.files.set('bad.netwright.json', new TextEncoder().encode(text));
    host.queueOpen('bad.netwright.json');
    await expect(project.open()).rejects.toThrow(/\w/);
    expect(snapshot()).toEqual(before);
    expect(useGraphStore().graph).toBe(before.graph);
    expect(runs.records).toBe(before.runs);
    expect(await useRunStorage().list()).toEqual(stored);
    expect(host.recentList.map((r) => r.name)).not.toContain('bad.netwright.json');
  });
});

describe('Save As, dirty mark and recent projects', () => {
  it('a finished run makes the project dirty; Save As asks for a new name, and a cancel keeps the old file', async () => {
    const project = useProjectStore();
    project.loadTemplate('logistic-regression');
    expect(await project.save()).toBe(true);
    const first = project.path;
    expect(project.dirty).toBe(false);
    useRunsStore().add(run('r1', 1));
    expect(project.dirty).toBe(true);
    expect(await project.save()).toBe(true); // in place: no question
    expect(project.path).toBe(first);
    expect(parseProject(host.readText(first!)).runs).toHaveLength(1);

    host.queueSaveAs(null);
    expect(await project.saveAs()).toBe(false);
    expect(project.path).toBe(first);
    host.queueSaveAs('copy.netwright.json');
    expect(await project.saveAs()).toBe(true);
    expect(project.path).toBe('copy.netwright.json');
    expect(project.name).toBe('copy');
    // The same content; the copy is a document of its own (its own id, the runs moved along with it).
    const { documentId: copyId, ...copy } = JSON.parse(host.readText('copy.netwright.json')) as Record<string, unknown>;
    const { documentId: firstId, ...original } = JSON.parse(host.readText(first!)) as Record<string, unknown>;
    expect(copy).toEqual(original);
    expect(copyId).not.toBe(firstId);
    expect(copyId).toBe(project.documentId);
  });

  it('remembers opened and saved projects, newest first, and reopens one', async () => {
    const project = useProjectStore();
    project.loadTemplate('logistic-regression');
    host.queueSaveAs('one.netwright.json');
    await project.save();
    project.loadTemplate('lenet-5');
    host.queueSaveAs('two.netwright.json');
    await project.saveAs();
    expect(project.recent.map((r) => r.name)).toEqual(['two.netwright.json', 'one.netwright.json']);
    expect(await project.openRecent('one.netwright.json')).toBe(true);
    expect(project.name).toBe('one');
    expect(useGraphStore().graph.blocks.map((b) => b.type)).toEqual(['Input', 'Flatten', 'Classifier']);
    expect(project.recent.map((r) => r.name)).toEqual(['one.netwright.json', 'two.netwright.json']);
    await project.clearRecent();
    expect(project.recent).toEqual([]);
  });
});

describe('Import a TF.js model', () => {
  it('opens model.json + weights as a new project with a finished run holding the weights; a bad model changes nothing', async () => {
    const { exportTfjs } = await import('../../renderer/src/core/export/index');
    const w = run('x', 1).weights!;
    const files = exportTfjs({ graph, weights: w }).map((f) => ({ name: f.name, data: typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data }));
    const project = useProjectStore();
    const runs = useRunsStore();
    project.loadTemplate('lenet-5');
    await project.save();
    const before = snapshot();
    host.queueOpenMany([files[0], { ...files[1], data: files[1].data.slice(0, 100) }]);
    await expect(project.importModel()).rejects.toThrow(/too short|hold/);
    expect(snapshot()).toEqual(before);

    host.queueOpenMany(files.slice(0, 2));
    expect(await project.importModel()).toBe(true);
    expect(useGraphStore().graph.blocks.map((b) => b.type)).toEqual(['Input', 'Flatten', 'Classifier']);
    expect(project.path).toBeUndefined();
    const imported = runs.selected!;
    expect(imported.state).toBe('done');
    expect(imported.graph).toEqual(useGraphStore().graph);
    expect(new Float32Array(imported.weights!.data)).toEqual(new Float32Array(w.data));
    expect(project.dirty).toBe(true);
  });
});
