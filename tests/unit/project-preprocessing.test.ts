// The app records an imported dataset's preprocessing with its runs (the dataset store's
// descriptor), a project file keeps it, and the drawing pad's normalization comes from the record
// (so it no longer needs the dataset to be loaded).
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { normalizationOf, normalizeInput, preprocessingOf, recordedNormalization } from '../../renderer/src/core/data/normalize';
import { importDataset } from '../../renderer/src/core/data/sources';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { newRunRecord } from '../../renderer/src/core/runs/reduce';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { setDatasetCache, setImportWorkerFactory, useDatasetStore, type ImportRequest, type ImportWorker } from '../../renderer/src/stores/dataset';

const csv = ['a,b,label', ...Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 3) % 11},${i % 2 ? 'odd' : 'even'}`)].join('\n');

/** Runs the real import in process, like the dataset worker. */
function fakeWorker(): ImportWorker {
  const w: ImportWorker = {
    onmessage: null,
    postMessage(m: ImportRequest) {
      if (m.type !== 'import') return;
      const files = m.files.map((f) => ({ path: f.path, read: async () => new Uint8Array(await f.blob.arrayBuffer()) }));
      void importDataset({ files, name: m.name }, m.options).then((result) => w.onmessage?.({ data: { type: 'done', id: m.id, result } } as MessageEvent));
    },
  };
  return w;
}

beforeEach(() => {
  setActivePinia(createPinia());
  setDatasetCache(null);
  setImportWorkerFactory(fakeWorker);
});

describe('preprocessing recorded with a run (app)', () => {
  it('the dataset store describes the import with its preprocessing; a project file keeps it', async () => {
    const data = useDatasetStore();
    data.setOptions({ normalization: 'per-channel' });
    data.importFiles([{ path: 't.csv', blob: new Blob([csv]) }], 't.csv');
    await new Promise((r) => setTimeout(r, 20));
    data.setOptions({ normalization: 'unit' }); // changed after the import: the record keeps what was used
    const d = data.descriptor()!;
    expect(d.kind).toBe('imported');
    if (d.kind !== 'imported') return;
    const input = normalizationOf(data.current!.data.train);
    expect(input.mean).toHaveLength(1);
    expect(d.preprocessing).toEqual({ normalization: 'per-channel', input });
    expect(d.preprocessing).not.toHaveProperty('resize'); // a table: no images to resize

    const run = { ...newRunRecord('run_1', 'r', instantiate(templateById('logistic-regression')!), DEFAULT_TRAIN_CONFIG, 1), dataset: d };
    const back = parseProject(serializeProject({ graph: run.graph, trainConfig: DEFAULT_TRAIN_CONFIG, runs: [run] }));
    expect(recordedNormalization(back.runs![0].dataset)).toEqual(input);
  });

  it('the recorded normalization turns a drawing into what training fed, like the loaded dataset would', async () => {
    const { data } = await importDataset({ files: [{ path: 't.csv', read: async () => new TextEncoder().encode(csv) }], name: 't' }, { normalization: 'standardize' });
    const recorded = preprocessingOf(data.train, 'csv', {}); // an entry cached before options were kept: the mode is inferred
    expect(recorded.normalization).toBe('standardize');
    const x = () => Float32Array.from([0.1, 0.5]);
    expect(normalizeInput(x(), 1, recordedNormalization({ kind: 'imported', preprocessing: recorded }))).toEqual(normalizeInput(x(), 1, normalizationOf(data.train)));
    expect(normalizeInput(x(), 1, recordedNormalization({ kind: 'imported', preprocessing: recorded }))).not.toEqual(x());
    expect(recordedNormalization({ kind: 'mnist' })).toBeNull();
    expect(recordedNormalization({ kind: 'imported' })).toBeNull();
  });
});
