// Training from a stored dataset (core/data/store) through the job server, as the app's worker does
// with OPFS: the worker opens it by id and reads batches as training asks — never the whole set —
// and the run is the same run as on the same examples held in memory.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@/core/compile/compiler';
import { isStreamed, type SourceData } from '@/core/data/arrays';
import { importDataset } from '@/core/data/sources';
import { memoryShelf } from '@/core/data/store/memory';
import { openStored, storeImported } from '@/core/data/store/stored';
import type { DatasetShelf } from '@/core/data/store/types';
import { DataKeeper } from '@/core/jobs/data';
import { JobServer } from '@/core/jobs/server';
import { DEFAULT_TRAIN_CONFIG, type DatasetRef, type FromWorker, type JobResult, type ToWorker, type TrainConfig } from '@/core/train/protocol';
import { blobValues } from '@/core/train/weights';
import { encodeIdx } from '@/core/data/idx';
import { diskFetch, tinyConvGraph } from './helpers/mnist';

const cfg: TrainConfig = { ...DEFAULT_TRAIN_CONFIG, epochs: 2, batchSize: 32, learningRate: 0.01, validationSplit: 0.1, backends: ['cpu'], seed: 7 };

/** 1,200 training and 300 test MNIST digits as an imported IDX dataset (the import's own parser). */
async function digits() {
  const bytes = async (name: string) => new Uint8Array(await (await diskFetch(`/${name}`)).arrayBuffer());
  const cut = (idx: Uint8Array, n: number, itemBytes: number, dims: number[]) => {
    const head = 4 + 4 * dims.length;
    return encodeIdx({ dtype: 'uint8', shape: [n, ...dims.slice(1)], data: idx.slice(head, head + n * itemBytes) });
  };
  const files = [
    { path: 'train-images-idx3-ubyte', data: cut(await bytes('train-images-idx3-ubyte'), 1200, 784, [0, 28, 28]) },
    { path: 'train-labels-idx1-ubyte', data: cut(await bytes('train-labels-idx1-ubyte'), 1200, 1, [0]) },
    { path: 't10k-images-idx3-ubyte', data: cut(await bytes('t10k-images-idx3-ubyte'), 300, 784, [0, 28, 28]) },
    { path: 't10k-labels-idx1-ubyte', data: cut(await bytes('t10k-labels-idx1-ubyte'), 300, 1, [0]) },
  ];
  return importDataset({ files: files.map((f) => ({ path: f.path, read: async () => f.data })) });
}

function server(shelf: DatasetShelf, reads: number[]) {
  const out: FromWorker[] = [];
  const s = new JobServer({
    post: (m) => void out.push(m),
    compile,
    isCompileError: (e) => e instanceof CompileError,
    loaders: () => ({ cpu: async () => {} }),
    fetchFn: diskFetch,
    openStored: async (id) => {
      const folder = await shelf.folder(id, false);
      if (!folder) throw new Error('it is no longer stored');
      const opened = await openStored(folder);
      // Count what training asks for: each read's example count.
      const counted = (d: SourceData['train']) => {
        if (!isStreamed(d)) throw new Error('a stored split must be streamed');
        const read = d.read.bind(d);
        return { ...d, read: (indices: ArrayLike<number>) => (reads.push(indices.length), read(indices)) };
      };
      return { ...opened, data: { train: counted(opened.data.train), test: counted(opened.data.test) } };
    },
  });
  return { s, out };
}

async function job(s: JobServer, out: FromWorker[], msg: Extract<ToWorker, { jobId: string }>): Promise<JobResult> {
  await s.handle(msg);
  const reply = out.find((m) => (m.type === 'job-result' || m.type === 'job-error') && m.jobId === msg.jobId);
  if (!reply || reply.type === 'job-error') throw new Error(reply?.type === 'job-error' ? reply.message : 'no reply');
  return (reply as Extract<FromWorker, { type: 'job-result' }>).result;
}

async function trainOn(dataset: DatasetRef, shelf: DatasetShelf, reads: number[]) {
  const { s, out } = server(shelf, reads);
  await s.handle({ type: 'train', runId: 'r', graph: tinyConvGraph(), config: cfg, dataset });
  const err = out.find((m) => m.type === 'error');
  if (err?.type === 'error') throw new Error(err.message);
  const w = await job(s, out, { type: 'weights', jobId: 'w', runId: 'r' });
  const ev = await job(s, out, { type: 'evaluate', jobId: 'e', runId: 'r' });
  if (w.kind !== 'weights' || ev.kind !== 'evaluate') throw new Error('unexpected results');
  const epochs = out.filter((m): m is Extract<FromWorker, { type: 'epoch' }> => m.type === 'epoch');
  return { weights: blobValues(w.weights), evaluation: ev.evaluation, epochs, s, out };
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('training from a stored dataset', () => {
  it('streams batches from the shelf (never the whole set at once) and equals the same run in memory', async () => {
    const imported = await digits();
    const shelf = memoryShelf();
    await storeImported((await shelf.folder('d1', true))!, 'd1', imported, {});

    const reads: number[] = [];
    const stored = await trainOn({ kind: 'stored', id: 'd1', name: 'digits' }, shelf, reads);
    const memory = await trainOn({ kind: 'memory', id: 'd1', name: 'digits', data: imported.data }, shelf, []);

    // It learned: the loss falls and the test accuracy is well above chance.
    expect(stored.epochs[1].loss).toBeLessThan(stored.epochs[0].loss);
    expect(stored.evaluation.accuracy).toBeGreaterThan(0.5);
    // Read batch by batch: training reads a batch at a time; evaluation in its own batches (256);
    // no read asks for a whole split (1,200 train, 300 test).
    expect(reads.filter((n) => n <= cfg.batchSize).length).toBeGreaterThanOrEqual(2 * Math.floor((1200 * 0.9) / cfg.batchSize));
    expect(Math.max(...reads)).toBeLessThanOrEqual(256);
    expect(stored.evaluation.count).toBe(300);
    // The same examples in the same batches: the same weights and the same evaluation.
    expect(stored.weights).toEqual(memory.weights);
    expect(stored.evaluation.accuracy).toBe(memory.evaluation.accuracy);

    // Activation maps of one test image read that image alone, not the test split.
    reads.length = 0;
    const maps = await job(stored.s, stored.out, { type: 'viz-activations', jobId: 'v', runId: 'r', input: { split: 'test', index: 3 } });
    expect(maps.kind).toBe('viz-activations');
    expect(reads).toEqual([1]);
  }, 120_000);

  it('a stored dataset that is gone is a clear error on the run, not a crash', async () => {
    const shelf = memoryShelf();
    const { s, out } = server(shelf, []);
    await s.handle({ type: 'train', runId: 'r', graph: tinyConvGraph(), config: cfg, dataset: { kind: 'stored', id: 'gone', name: 'my photos' } });
    const err = out.find((m) => m.type === 'error');
    expect(err?.type === 'error' && err.message).toMatch(/"my photos" could not be opened.*import it again/);
  });
});

describe('DataKeeper', () => {
  /** A shelf of tiny stored datasets whose opens and closes are recorded. */
  async function keeperOf(ids: string[], gate?: Promise<void>) {
    const shelf = memoryShelf();
    const imported = await digits();
    for (const id of ids) await storeImported((await shelf.folder(id, true))!, id, imported, {});
    const closed: string[] = [];
    const reads: { id: string; n: number }[] = [];
    const keeper = new DataKeeper({
      openStored: async (id) => {
        if (gate && id === ids[0]) await gate;
        const o = await openStored((await shelf.folder(id, false))!);
        const count = (d: SourceData['train']) => (isStreamed(d) ? { ...d, read: (ix: ArrayLike<number>) => (reads.push({ id, n: ix.length }), d.read(ix)) } : d);
        return { data: { train: count(o.data.train), test: count(o.data.test) }, close: async () => (closed.push(id), o.close()) };
      },
    });
    const ref = (id: string) => ({ kind: 'stored' as const, id, name: id });
    return { keeper, ref, closed, reads };
  }

  it('keeps a dataset open while a run or job uses it, even after newer ones push it out', async () => {
    const { keeper, ref, closed } = await keeperOf(['a', 'b', 'c']);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const using = keeper.use(ref('a'), async (d) => {
      await held;
      return d.train.count;
    });
    await keeper.load(ref('b'));
    await keeper.load(ref('c')); // 'a' drops out of the newest two, but is in use
    expect(closed).toEqual([]);
    release();
    expect(await using).toBe(1200);
    expect(closed).toEqual(['a']);
  }, 60_000);

  it('closes a dataset that drops out while it is still opening', async () => {
    let open!: () => void;
    const { keeper, ref, closed } = await keeperOf(['a', 'b', 'c'], new Promise<void>((r) => (open = r)));
    const first = keeper.load(ref('a'));
    await keeper.load(ref('b'));
    await keeper.load(ref('c'));
    open();
    await first;
    await new Promise((r) => setTimeout(r, 0));
    expect(closed).toEqual(['a']);
  }, 60_000);

  it("a job's split comes from the dataset it holds, even after newer ones pushed that out", async () => {
    const { keeper, ref, closed } = await keeperOf(['a', 'b', 'c']);
    const test = await keeper.use(ref('a'), async (_, split) => {
      await keeper.load(ref('b'));
      await keeper.load(ref('c')); // 'a' drops out of the newest two while the job holds it
      return split('test');
    });
    expect(test.count).toBe(300);
    expect(closed).toEqual(['a']); // closed once, when the job let go
  }, 60_000);

  it('reads only the split a job asks for', async () => {
    const { keeper, ref, reads } = await keeperOf(['a']);
    const test = await keeper.use(ref('a'), (_, split) => split('test'));
    expect(test.count).toBe(300);
    expect(reads).toEqual([{ id: 'a', n: 300 }]);
  }, 60_000);
});
