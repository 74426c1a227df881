// The dataset store with a fake import worker that runs the real importDataset in process: picked
// files become a dataset, progress and Cancel work, and training posts the imported arrays (and
// records the dataset) instead of MNIST.
import { IDBFactory } from 'fake-indexeddb';
import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it } from 'vitest';
import { importDataset } from '../../renderer/src/core/data/sources';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import type { ToWorker } from '../../renderer/src/core/train/protocol';
import { setHost } from '../../renderer/src/composables/useHost';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { pickedFromInput, setDatasetCache, setDatasetShelf, setImportWorkerFactory, useDatasetStore, type ImportReply, type ImportRequest, type ImportWorker } from '../../renderer/src/stores/dataset';
import { useTrainingStore } from '../../renderer/src/stores/training';

const csv = ['x,y,label', ...Array.from({ length: 40 }, (_, i) => `${i % 5},${(i * 3) % 11},${i % 2 ? 'odd' : 'even'}`)].join('\n');

class FakeWorker implements ImportWorker {
  onmessage: ((e: MessageEvent<ImportReply>) => void) | null = null;
  sent: ImportRequest[] = [];
  /** Holds replies until release() when set, so Cancel can be tested mid-import. */
  hold = false;
  private held: ImportReply[] = [];
  postMessage(m: ImportRequest): void {
    this.sent.push(m);
    if (m.type !== 'import') return;
    const files = m.files.map((f) => ({ path: f.path, read: async () => new Uint8Array(await f.blob.arrayBuffer()) }));
    void importDataset({ files, name: m.name }, m.options).then(
      (result) => this.reply({ type: 'done', id: m.id, result }),
      (e: Error) => this.reply({ type: 'error', id: m.id, message: e.message, skipped: [] }),
    );
  }
  private reply(r: ImportReply): void {
    if (this.hold) this.held.push(r);
    else this.onmessage?.({ data: r } as MessageEvent<ImportReply>);
  }
  release(): void {
    for (const r of this.held.splice(0)) this.onmessage?.({ data: r } as MessageEvent<ImportReply>);
  }
}

let worker: FakeWorker;
const settle = () => new Promise((r) => setTimeout(r, 20));

beforeEach(() => {
  setActivePinia(createPinia());
  setHost(createMemoryHost());
  worker = new FakeWorker();
  setImportWorkerFactory(() => worker);
  setDatasetCache(null);
  setDatasetShelf(null);
});

describe('dataset store', () => {
  it('strips the picked folder from paths', () => {
    const f = (path: string) => Object.assign(new File(['1'], path.split('/').pop()!), { webkitRelativePath: path });
    const picked = pickedFromInput([f('shapes/red/1.png'), f('shapes/blue/2.png')]);
    expect(picked.name).toBe('shapes');
    expect(picked.files.map((p) => p.path)).toEqual(['red/1.png', 'blue/2.png']);
  });

  it('imports, re-imports with new options, and trains on the imported arrays', async () => {
    const data = useDatasetStore();
    data.importFiles([{ path: 't.csv', blob: new Blob([csv]) }], 't.csv');
    expect(data.status).toBe('importing');
    await settle();
    expect(data.status).toBe('ready');
    expect(data.current?.summary.classes).toEqual(['even', 'odd']);
    expect(data.showPreview).toBe(true);
    const firstId = data.current!.id;

    data.setOptions({ testFraction: 0.5 });
    data.reimport();
    await settle();
    expect(data.current!.summary.test).toBe(20);
    expect(data.current!.id).not.toBe(firstId);

    const training = useTrainingStore();
    const posted: ToWorker[] = [];
    training.setTransport({ post: (m) => void posted.push(m) });
    training.dataset = data.current!.id;
    const graph = instantiate(templateById('logistic-regression')!);
    expect(data.fitIssues(graph).map((i) => i.fix.label)).toEqual(['set the size to 1×2', 'set classes to 2']);
    const runId = training.start(graph);
    const msg = posted.find((m) => m.type === 'train');
    expect(msg?.type === 'train' && msg.dataset.kind === 'memory' && msg.dataset.data?.train.count).toBe(20);
    expect(useTrainingStore().runId).toBe(runId);
  });

  it('reopens the last imported dataset from the cache after a reload, so its runs can use it', async () => {
    setDatasetCache(new IDBFactory());
    const data = useDatasetStore();
    data.importFiles([{ path: 't.csv', blob: new Blob([csv]) }], 't.csv');
    await settle();
    const { id, summary } = data.current!;
    await settle();
    setActivePinia(createPinia()); // a reload: fresh stores, same IndexedDB
    const again = useDatasetStore();
    expect(again.current).toBeNull();
    await again.restore();
    expect(again.current?.id).toBe(id);
    expect(again.current?.summary).toEqual(summary);
    const ref = again.refFor(id);
    const before = data.current!.data.train;
    expect(ref.kind === 'memory' && ref.data && 'images' in ref.data.train && ref.data.train.images).toEqual('images' in before && before.images);
    expect(again.showPreview).toBe(false);
  });

  it('cancels an import under way and ignores its late result', async () => {
    const data = useDatasetStore();
    worker.hold = true;
    const id = data.importFiles([{ path: 't.csv', blob: new Blob([csv]) }], 't.csv');
    data.cancel();
    expect(worker.sent.at(-1)).toEqual({ type: 'cancel', id });
    await settle();
    worker.release();
    expect(data.status).toBe('idle');
    expect(data.current).toBeNull();
    expect(() => data.refFor(id)).toThrow(/import it again/);
  });
});
