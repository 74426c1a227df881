// The dataset store when imports are stored on disk (the app with OPFS; here a memory shelf shared
// with the real import service of the import worker): the entry streams from the shelf,
// previews come from it, training gets a `stored` ref without arrays, a reload reopens the newest
// dataset, and an older stored dataset still serves its runs.
import { IDBFactory } from 'fake-indexeddb';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { isStreamed } from '../../renderer/src/core/data/arrays';
import { memoryShelf } from '../../renderer/src/core/data/store/memory';
import type { DatasetShelf } from '../../renderer/src/core/data/store/types';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { ToWorker } from '../../renderer/src/core/train/protocol';
import { setHost } from '../../renderer/src/composables/useHost';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { setDatasetCache, setDatasetShelf, setImportWorkerFactory, useDatasetStore, type ImportReply, type ImportRequest, type ImportWorker } from '../../renderer/src/stores/dataset';
import { useProjectStore } from '../../renderer/src/stores/project';
import { useUiStore } from '../../renderer/src/stores/ui';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { importService } from '../../renderer/src/worker/import-service';
import { nodeDecodeImage as decodePng } from '../../cli/commands/data';
import { shapeFolder } from './helpers/data-fixtures';

const csv = ['x,y,label', ...Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 3) % 11},${i % 2 ? 'odd' : 'even'}`)].join('\n');

/** The real import service (what dataset.worker.ts runs) on a memory shelf, Node's decoder. */
function serviceWorker(shelf: DatasetShelf | null, sent: ImportRequest[] = []): ImportWorker {
  const w: ImportWorker = {
    onmessage: null,
    postMessage(m: ImportRequest) {
      sent.push(m);
      void handle(m);
    },
  };
  const handle = importService({ shelf, decode: decodePng, post: (r) => w.onmessage?.({ data: r } as MessageEvent<ImportReply>) });
  return w;
}

let shelf: DatasetShelf;
const settle = () => new Promise((r) => setTimeout(r, 50));

beforeEach(() => {
  setActivePinia(createPinia());
  setHost(createMemoryHost());
  shelf = memoryShelf();
  setDatasetShelf(shelf);
  setDatasetCache(null);
  setImportWorkerFactory(() => serviceWorker(shelf));
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
    // Both are offered, newest first, and the first one opens again without an import.
    expect(again.kept.map((k) => k.id)).toEqual([second.id, first]);
    expect(await again.reopen(first)).toBe(true);
    expect(again.current?.id).toBe(first);
    expect(again.current?.summary.test).not.toBe(second.summary.test);
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

  it('a cancelled import leaves nothing on the shelf, and one that lands after Cancel is discarded', async () => {
    const toService: ImportRequest[] = [];
    setImportWorkerFactory(() => serviceWorker(shelf, toService));
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    data.cancel(); // before the table is parsed: the service checks before it writes
    await settle();
    expect(data.status).toBe('idle');
    expect(await shelf.list()).toEqual([]);
    // The service itself held back (no late 'stored' reply for the store to discard).
    expect(toService.map((m) => m.type)).toEqual(['import', 'cancel']);

    // A worker that finished storing just as Cancel was pressed: its late 'stored' reply removes it.
    const sent: ImportRequest[] = [];
    let reply: ((r: ImportReply) => void) | null = null;
    setActivePinia(createPinia());
    setImportWorkerFactory(() => {
      const w: ImportWorker = { onmessage: null, postMessage: (m) => void sent.push(m) };
      reply = (r) => w.onmessage?.({ data: r } as MessageEvent<ImportReply>);
      return w;
    });
    const again = useDatasetStore();
    const id = again.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    again.cancel();
    reply!({ type: 'stored', id });
    expect(sent.map((m) => m.type)).toEqual(['import', 'cancel', 'discard']);
    expect(again.current).toBeNull();
  });

  it('without a shelf (or when OPFS refuses) the service imports in memory', async () => {
    const refusing: DatasetShelf = { ...memoryShelf(), folder: () => Promise.reject(new DOMException('Security error when calling GetDirectory', 'SecurityError')) };
    setImportWorkerFactory(() => serviceWorker(refusing));
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    expect(data.current?.storage).toBeUndefined();
    expect(isStreamed(data.current!.data.train)).toBe(false);
    expect(data.refFor(data.current!.id)).toMatchObject({ kind: 'memory' });
  });

  it('a reload brings the autosaved project back with its stored dataset selected', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const id = data.current!.id;
    expect(useTrainingStore().dataset).toBe(id);
    await useProjectStore().autosave();

    setActivePinia(createPinia()); // the reload: same host (autosave), same shelf
    const project = useProjectStore();
    expect(await project.restore()).toBe(true);
    await expect.poll(() => useTrainingStore().dataset, { timeout: 10_000 }).toBe(id);
    expect(useDatasetStore().current?.id).toBe(id);
    expect(project.autosaved).toBe(true);
  });

  it('an import that lands while an older reopen is still opening stays current', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const a = data.current!.id;
    data.importFiles([{ path: 'b.csv', blob: new Blob([csv]) }], 'b.csv');
    await expect.poll(() => data.current?.id !== a && data.status === 'ready', { timeout: 10_000 }).toBe(true);
    // Reopening A is slow; an import of C starts and finishes meanwhile.
    setDatasetShelf({ ...shelf, folder: async (id, create) => (id === a && (await new Promise((r) => setTimeout(r, 80))), shelf.folder(id, create)) });
    const reopening = data.reopen(a);
    data.importFiles([{ path: 'c.csv', blob: new Blob([csv]) }], 'c.csv');
    await expect.poll(() => data.current?.name === 'c.csv' && data.status === 'ready', { timeout: 10_000 }).toBe(true);
    expect(await reopening).toBeNull();
    expect(data.current?.name).toBe('c.csv');
    expect(useTrainingStore().dataset).toBe(data.current!.id);
  });

  it('without a shelf, a reload selects the project dataset from the in-memory cache (no "import it again")', async () => {
    setDatasetShelf(null);
    setDatasetCache(new IDBFactory());
    setImportWorkerFactory(() => serviceWorker(null));
    const data = useDatasetStore();
    data.importFiles([{ path: 'a.csv', blob: new Blob([csv]) }], 'a.csv');
    await expect.poll(() => data.status, { timeout: 10_000 }).toBe('ready');
    const id = data.current!.id;
    expect(data.current!.storage).toBeUndefined();
    await settle();
    await useProjectStore().autosave();

    setActivePinia(createPinia());
    const notices: string[] = [];
    const ui = useUiStore();
    const notify = ui.notify.bind(ui);
    ui.notify = ((m: string, ...rest: unknown[]) => (notices.push(m), (notify as (...a: unknown[]) => void)(m, ...rest))) as typeof ui.notify;
    expect(await useProjectStore().restore()).toBe(true);
    await expect.poll(() => useTrainingStore().dataset, { timeout: 10_000 }).toBe(id);
    expect(notices.filter((n) => /import it again/.test(n))).toEqual([]);
  });
});
