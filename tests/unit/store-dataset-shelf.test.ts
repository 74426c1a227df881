// The dataset store when imports are stored on disk (the app with OPFS; here a memory shelf shared
// with a fake import worker that runs the real store code): the entry streams from the shelf,
// previews come from it, training gets a `stored` ref without arrays, a reload reopens the newest
// dataset, and an older stored dataset still serves its runs.
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { isStreamed } from '../../renderer/src/core/data/arrays';
import { importDataset } from '../../renderer/src/core/data/sources';
import { detectFormat } from '../../renderer/src/core/data/sources/import';
import { importFolderToStore } from '../../renderer/src/core/data/store/folder-import';
import { memoryShelf } from '../../renderer/src/core/data/store/memory';
import { storeImported } from '../../renderer/src/core/data/store/stored';
import type { DatasetShelf } from '../../renderer/src/core/data/store/types';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { ToWorker } from '../../renderer/src/core/train/protocol';
import { setHost } from '../../renderer/src/composables/useHost';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { setDatasetCache, setDatasetShelf, setImportWorkerFactory, useDatasetStore, type ImportReply, type ImportRequest, type ImportWorker } from '../../renderer/src/stores/dataset';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { nodeDecodeImage as decodePng } from '../../cli/commands/data';
import { shapeFolder } from './helpers/data-fixtures';

const csv = ['x,y,label', ...Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 3) % 11},${i % 2 ? 'odd' : 'even'}`)].join('\n');

/** Does what dataset.worker.ts does with OPFS: decode to the shelf, reply 'stored'. */
class StoringWorker implements ImportWorker {
  onmessage: ((e: MessageEvent<ImportReply>) => void) | null = null;
  constructor(private readonly shelf: DatasetShelf) {}
  postMessage(m: ImportRequest): void {
    if (m.type !== 'import') return;
    const input = { files: m.files.map((f) => ({ path: f.path, read: async () => new Uint8Array(await f.blob.arrayBuffer()) })), dirs: m.dirs, name: m.name };
    void (async () => {
      const folder = (await this.shelf.folder(m.id, true))!;
      if (detectFormat(input.files) === 'images') await importFolderToStore(input, m.options, { decodeImage: decodePng }, folder, m.id);
      else await storeImported(folder, m.id, await importDataset(input, m.options), m.options);
    })().then(
      () => this.reply({ type: 'stored', id: m.id }),
      (e: Error) => this.reply({ type: 'error', id: m.id, message: e.message, skipped: [] }),
    );
  }
  private reply(r: ImportReply): void {
    this.onmessage?.({ data: r } as MessageEvent<ImportReply>);
  }
}

let shelf: DatasetShelf;
const settle = () => new Promise((r) => setTimeout(r, 50));

beforeEach(() => {
  setActivePinia(createPinia());
  setHost(createMemoryHost());
  shelf = memoryShelf();
  setDatasetShelf(shelf);
  setDatasetCache(null);
  setImportWorkerFactory(() => new StoringWorker(shelf));
});

describe('dataset store with stored datasets', () => {
  it('opens an import from the shelf: streamed data, previews per class, a stored ref for training', async () => {
    const data = useDatasetStore();
    const files = [...shapeFolder(6, 3)].map(([path, bytes]) => ({ path, blob: new Blob([bytes as BlobPart]) }));
    data.importFiles(files, 'shapes');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const entry = data.current!;
    expect(isStreamed(entry.data.train)).toBe(true);
    expect(entry.storage?.bytes).toBe((entry.summary.train + entry.summary.test) * entry.summary.shape.reduce((a, b) => a * b, 1));
    // Previews: up to 8 per class, each an H×W×C image of its class.
    const [h, w, c] = entry.summary.shape;
    expect(entry.samples.length).toBe(entry.summary.counts.train.reduce((a, n) => a + Math.min(8, n), 0));
    expect(entry.samples.every((s) => s.pixels.length === h * w * c && s.label === entry.data.train.labels[s.index])).toBe(true);

    const training = useTrainingStore();
    const posted: ToWorker[] = [];
    training.setTransport({ post: (m) => void posted.push(m) });
    expect(training.dataset).toBe(entry.id);
    const graph = instantiate(templateById('logistic-regression')!);
    for (const issue of data.fitIssues(graph)) for (const [k, v] of Object.entries(issue.fix.params)) graph.blocks.find((b) => b.id === issue.blockId)!.params[k] = v;
    training.start(graph);
    const msg = posted.find((m) => m.type === 'train');
    // No arrays travel: the worker opens the dataset by id.
    expect(msg?.type === 'train' && msg.dataset).toEqual({ kind: 'stored', id: entry.id, name: 'shapes' });
    // The recorded preprocessing reads the stored dataset's description.
    expect(data.descriptor()?.kind === 'imported' && data.descriptor()).toMatchObject({ id: entry.id, shape: entry.summary.shape });
  });

  it('reopens the newest stored dataset after a reload, and older stored datasets still serve their runs', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const first = data.current!.id;
    await settle();
    data.setOptions({ testFraction: 0.5 });
    data.reimport();
    await expect.poll(() => data.current?.id !== first, { timeout: 10_000 }).toBe(true);
    const second = data.current!;

    setActivePinia(createPinia()); // a reload: fresh stores, the same shelf
    const again = useDatasetStore();
    expect(again.current).toBeNull();
    await again.restore();
    expect(again.current?.id).toBe(second.id);
    expect(again.current?.summary).toEqual(second.summary);
    expect(again.current?.options?.testFraction).toBe(0.5);
    expect(again.showPreview).toBe(false);
    // The picked files did not survive the reload: Apply cannot re-import them.
    expect(data.canReimport).toBe(true);
    expect(again.canReimport).toBe(false);
    expect(again.reimport()).toBeNull();
    // A run on the first import still gets its dataset from the shelf.
    expect(again.refFor(first, 'a.csv')).toEqual({ kind: 'stored', id: first, name: 'a.csv' });
  });

  it('an import the shelf cannot open is an error where the user looks, and nothing becomes current', async () => {
    const data = useDatasetStore();
    setImportWorkerFactory(() => ({
      onmessage: null,
      postMessage(this: ImportWorker, m: ImportRequest) {
        if (m.type === 'import') setTimeout(() => this.onmessage?.({ data: { type: 'stored', id: m.id } } as MessageEvent<ImportReply>));
      },
    }));
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('error');
    expect(data.error?.message).toMatch(/could not be opened.*import it again/);
    expect(data.current).toBeNull();
  });

  it('opening a project selects its dataset when the shelf still keeps it, and the project stays saved', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const kept = data.current!.id;
    const text = useProjectStore().fileText();
    expect(JSON.parse(text).dataset.id).toBe(kept);

    setActivePinia(createPinia()); // another session: nothing loaded, the shelf keeps the dataset
    const project = useProjectStore();
    project.openFile({ name: 'a.netwright.json', path: '/a.netwright.json', data: new TextEncoder().encode(text) });
    await expect.poll(() => useTrainingStore().dataset, { timeout: 10_000 }).toBe(kept);
    expect(useDatasetStore().current?.id).toBe(kept);
    expect(project.dirty).toBe(false);

    // A project whose dataset is gone keeps MNIST selected and says to import it again.
    await shelf.remove(kept);
    setActivePinia(createPinia());
    useProjectStore().openFile({ name: 'a.netwright.json', path: '/a.netwright.json', data: new TextEncoder().encode(text) });
    await settle();
    expect(useTrainingStore().dataset).toBe('mnist');
    expect(useDatasetStore().current).toBeNull();
  });

  it('a new run trains only on the loaded dataset its record describes; the newest of two quick opens wins', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const a = data.current!.id;
    const aText = useProjectStore().fileText();
    await settle();
    data.setOptions({ testFraction: 0.5 });
    data.reimport();
    await expect.poll(() => data.current?.id !== a, { timeout: 10_000 }).toBe(true);
    const b = data.current!.id;
    const bText = useProjectStore().fileText();

    // The selection names A while B is loaded: Train refuses instead of recording B's data for A.
    const training = useTrainingStore();
    const posted: ToWorker[] = [];
    training.setTransport({ post: (m) => void posted.push(m) });
    training.dataset = a;
    const graph = instantiate(templateById('logistic-regression')!);
    expect(training.start(graph)).toBeNull();
    expect(training.error?.message).toMatch(/no longer loaded/);
    expect(posted.filter((m) => m.type === 'train')).toHaveLength(0);

    // Open A, then B at once, with A's dataset slower to open: B's ends up loaded and selected.
    const slow: DatasetShelf = { ...shelf, folder: async (id, create) => (id === a && (await new Promise((r) => setTimeout(r, 40))), shelf.folder(id, create)) };
    setDatasetShelf(slow);
    setActivePinia(createPinia());
    const project = useProjectStore();
    project.openFile({ name: 'a.netwright.json', path: '/a.netwright.json', data: new TextEncoder().encode(aText) });
    project.openFile({ name: 'b.netwright.json', path: '/b.netwright.json', data: new TextEncoder().encode(bText) });
    await settle();
    await settle();
    await settle();
    expect(useDatasetStore().current?.id).toBe(b);
    expect(useTrainingStore().dataset).toBe(b);
    expect(JSON.parse(project.fileText()).dataset.id).toBe(b);
  });
});
