// The job server with an imported dataset: the arrays arrive once in a 'train' message and are
// cached by id (later messages may leave them out), a dataset the worker no longer holds is a clear
// error, and a network that does not fit the data fails before training with the block to change.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { compile, CompileError } from '@/core/compile/compiler';
import { importDataset } from '@/core/data/sources';
import { instantiate, templateById } from '@/core/graph/templates';
import { applyFitFixes, checkDataFit } from '@/core/data/sources';
import { JobServer } from '@/core/jobs/server';
import { DEFAULT_TRAIN_CONFIG, type FromWorker } from '@/core/train/protocol';
import { barRows } from './helpers/data-fixtures';

function server() {
  const out: FromWorker[] = [];
  const s = new JobServer({ post: (m) => void out.push(m), compile, isCompileError: (e) => e instanceof CompileError, loaders: () => ({ cpu: async () => {} }) });
  return { s, out };
}

const config = { ...DEFAULT_TRAIN_CONFIG, epochs: 4, batchSize: 16, learningRate: 0.01, backends: ['cpu' as const] };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('JobServer with imported data', () => {
  it('trains on a dataset sent once and cached by id; checks the network against it first', async () => {
    const { x, y } = barRows(160, 4, 8, 9);
    const rows = y.map((k, i) => `${Array.from(x.subarray(i * 64, (i + 1) * 64)).join(',')},${k}`);
    const { data } = await importDataset({ files: [{ path: 'bars.csv', read: async () => new TextEncoder().encode(rows.join('\n')) }] });
    const base = instantiate(templateById('logistic-regression')!);
    const { s, out } = server();

    // The template's 28×28, 10-class head does not fit 8×8 data with 4 classes: an error on the Input block, before any step.
    await s.handle({ type: 'train', runId: 'bad', graph: base, config, dataset: { kind: 'memory', id: 'd1', name: 'bars', data } });
    const err = out.find((m) => m.type === 'error');
    expect(err).toMatchObject({ blockId: base.blocks.find((b) => b.type === 'Input')!.id });
    expect(err && 'message' in err && err.message).toMatch(/smaller than the Input block .*set the size to 8×8/);
    expect(out.some((m) => m.type === 'progress')).toBe(false);

    // Fitted, without the arrays: the worker still holds them under d1.
    const graph = applyFitFixes(base, checkDataFit(base, { height: 8, width: 8, channels: 1, classes: 4 }));
    await s.handle({ type: 'train', runId: 'good', graph, config, dataset: { kind: 'memory', id: 'd1', name: 'bars' } });
    const done = out.find((m) => m.type === 'done' && m.runId === 'good');
    expect(done && 'testAccuracy' in done && done.testAccuracy).toBeGreaterThan(0.7);

    await s.handle({ type: 'train', runId: 'gone', graph, config, dataset: { kind: 'memory', id: 'other', name: 'photos' } });
    expect(out.find((m) => m.type === 'error' && m.runId === 'gone')).toMatchObject({ message: 'The dataset "photos" is no longer loaded; import it again.' });
  }, 60_000);
});
