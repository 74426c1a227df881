// Per-layer gradient norms for any run: the setting (off by default) asks the worker for them, the
// record's curves keep every reading (and a checkpoint's curves, which lack them, do not drop them).
import { beforeEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { newRunRecord, reduceRun } from '../../renderer/src/core/runs/reduce';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import { checkTrainConfig, TRAIN_SETTING_SPECS } from '../../renderer/src/core/train/settings';
import { emptyCurves, type Checkpoint, type FromWorker, type ToWorker } from '../../renderer/src/core/train/protocol';
import { createMemoryHost } from '../../renderer/src/host/memory';
import { memoryRunStorage, setRunStorage } from '../../renderer/src/host/run-storage';
import { setHost } from '../../renderer/src/composables/useHost';
import { useTrainingStore } from '../../renderer/src/stores/training';
import { useRunsStore } from '../../renderer/src/stores/runs';
import { logisticRegression } from '../../renderer/src/core/lab/graphs';

const progress = (seen: number, norms?: Record<string, number>[]): FromWorker => ({
  type: 'progress', runId: 'r', epoch: 1, examplesSeen: seen, totalExamples: 1000, loss: 1, accuracy: 0.5, examplesPerSec: 10,
  ...(norms ? { gradientNorms: norms.map((n, i) => ({ steps: i, examplesSeen: seen - 10 * (norms.length - 1 - i), norms: n })) } : {}),
});

describe('reduceRun keeps gradient norms', () => {
  const fresh = () => newRunRecord('r', 'R', logisticRegression(), DEFAULT_TRAIN_CONFIG, 0);

  it('appends each progress message’s readings as {examplesSeen, norms}; none recorded leaves the field out', () => {
    let r = reduceRun(fresh(), progress(100));
    expect(r.curves.gradientNorms).toBeUndefined();
    r = reduceRun(r, progress(200, [{ dense_1: 0.5, classifier_1: 2 }, { dense_1: 0.25, classifier_1: 1 }]));
    r = reduceRun(r, progress(300, [{ dense_1: 0.125, classifier_1: 0.5 }]));
    expect(r.curves.gradientNorms).toEqual([
      { examplesSeen: 190, norms: { dense_1: 0.5, classifier_1: 2 } },
      { examplesSeen: 200, norms: { dense_1: 0.25, classifier_1: 1 } },
      { examplesSeen: 300, norms: { dense_1: 0.125, classifier_1: 0.5 } },
    ]);
    expect(r.curves.trainLoss).toHaveLength(3);
  });

  it('a checkpoint (the worker’s curves, without norms) keeps them', () => {
    let r = reduceRun(fresh(), progress(200, [{ dense_1: 1 }]));
    const checkpoint = { epoch: 1, seconds: 1, examplesSeen: 200, curves: { ...emptyCurves(), trainLoss: [[200, 1]] } } as unknown as Checkpoint;
    r = reduceRun(r, { type: 'checkpoint', runId: 'r', checkpoint });
    expect(r.curves.trainLoss).toEqual([[200, 1]]);
    expect(r.curves.gradientNorms).toEqual([{ examplesSeen: 200, norms: { dense_1: 1 } }]);
  });
});

describe('the "record gradient norms" setting', () => {
  beforeEach(() => {
    setHost(createMemoryHost({ mnistBaseUrl: 'http://test/data/mnist/' }));
    setRunStorage(memoryRunStorage());
    setActivePinia(createPinia());
  });

  it('is off by default, valid either way, and a Run setting with help', () => {
    expect(DEFAULT_TRAIN_CONFIG.recordGradientNorms).toBe(false);
    expect(checkTrainConfig({ ...DEFAULT_TRAIN_CONFIG, recordGradientNorms: true })).toBeUndefined();
    expect(TRAIN_SETTING_SPECS.find((s) => s.key === 'recordGradientNorms')?.group).toBe('Run');
  });

  it('asks the worker for readings only when on, and the record keeps them', () => {
    const sent: ToWorker[] = [];
    const t = useTrainingStore();
    t.setTransport({ post: (m) => sent.push(m) });
    t.start(logisticRegression());
    const off = sent[0];
    expect(off.type === 'train' && off.gradientNormsEvery).toBeFalsy();
    t.handle({ type: 'done', runId: t.runId!, stopped: false, testLoss: 1, testAccuracy: 0.9, seconds: 1, examplesSeen: 1 });

    t.updateConfig({ recordGradientNorms: true });
    const id = t.start(logisticRegression())!;
    const on = sent.find((m) => m.type === 'train' && m.runId === id);
    expect(on?.type === 'train' && on.gradientNormsEvery).toBe(10);
    t.handle({ ...progress(64, [{ classifier_1: 0.3 }]), runId: id } as FromWorker);
    expect(useRunsStore().byId.get(id)?.curves.gradientNorms).toEqual([{ examplesSeen: 64, norms: { classifier_1: 0.3 } }]);
  });
});
