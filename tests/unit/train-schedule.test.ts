// Learning-rate schedules, plateau halving and early stopping, on hand-computed sequences.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../renderer/src/core/train/config';
import type { ScheduleState } from '../../renderer/src/core/train/protocol';
import { afterEpoch, initialSchedule, learningRateForEpoch } from '../../renderer/src/core/train/schedule';

const cfg = (over: Partial<TrainConfig>): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, ...over });

/** Runs afterEpoch over a list of validation losses; returns the rate in force each epoch and the events. */
function simulate(config: TrainConfig, losses: (number | undefined)[]) {
  let state = initialSchedule(config);
  const rates: number[] = [];
  const improved: boolean[] = [];
  let stoppedAfter: number | undefined;
  for (let e = 1; e <= losses.length; e++) {
    rates.push(learningRateForEpoch(config, e, state));
    const r = afterEpoch(config, state, e, losses[e - 1]);
    state = r.state;
    improved.push(r.improved);
    if (r.stopEarly) {
      stoppedAfter = e;
      break;
    }
  }
  return { rates, improved, stoppedAfter, state };
}

describe('initialSchedule', () => {
  it('starts at the configured rate with no best loss', () => {
    expect(initialSchedule(cfg({ learningRate: 0.1 }))).toEqual({ learningRate: 0.1, bestValLoss: Infinity, badEpochs: 0, bestEpoch: 0 });
  });
});

describe('learningRateForEpoch', () => {
  const state = initialSchedule(cfg({ learningRate: 0.1 }));

  it('constant: the same rate every epoch', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'constant', epochs: 5 });
    expect([1, 2, 3, 4, 5].map((e) => learningRateForEpoch(c, e, state))).toEqual([0.1, 0.1, 0.1, 0.1, 0.1]);
  });

  it('step: times stepFactor every stepEvery epochs, floored at minLearningRate', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'step', stepEvery: 2, stepFactor: 0.5, minLearningRate: 0.02 });
    const rates = [1, 2, 3, 4, 5, 6, 7, 8].map((e) => learningRateForEpoch(c, e, state));
    // 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, then 0.0125 floored to 0.02.
    [0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.02, 0.02].forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 12));
    const every = cfg({ learningRate: 1, schedule: 'step', stepEvery: 1, stepFactor: 0.1, minLearningRate: 0 });
    expect(learningRateForEpoch(every, 4, state)).toBeCloseTo(0.001, 12);
  });

  it('step: a rate that starts below the floor is not raised', () => {
    const c = cfg({ learningRate: 1e-7, schedule: 'step', stepEvery: 1, stepFactor: 0.5, minLearningRate: 1e-6 });
    expect(learningRateForEpoch(c, 3, state)).toBeCloseTo(1e-7, 15);
  });

  it('cosine: from learningRate at epoch 1 to minLearningRate at the last epoch, half-way at the middle', () => {
    const c = cfg({ learningRate: 0.1, minLearningRate: 0.001, schedule: 'cosine', epochs: 5 });
    const rates = [1, 2, 3, 4, 5].map((e) => learningRateForEpoch(c, e, state));
    const mid = 0.001 + 0.099 / 2;
    // t = 0, 1/4, 1/2, 3/4, 1 → (1 + cos πt)/2 = 1, 0.8536, 0.5, 0.1464, 0
    const expected = [0.1, 0.001 + 0.099 * 0.8535533905932737, mid, 0.001 + 0.099 * 0.14644660940672627, 0.001];
    expected.forEach((r, i) => expect(rates[i]).toBeCloseTo(r, 12));
    // One epoch: nothing to anneal.
    expect(learningRateForEpoch(cfg({ learningRate: 0.1, schedule: 'cosine', epochs: 1 }), 1, state)).toBe(0.1);
  });

  it('plateau: the rate held in the state', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'plateau' });
    expect(learningRateForEpoch(c, 7, { ...state, learningRate: 0.0125 })).toBe(0.0125);
  });
});

describe('afterEpoch', () => {
  it('tracks the best validation loss and its epoch; improvement must beat a small relative tolerance', () => {
    const c = cfg({ schedule: 'constant' });
    const { improved, state } = simulate(c, [1.0, 0.8, 0.79995, 0.7, 0.75]);
    // 0.79995 is only 6e-5 relative below 0.8: noise, not an improvement.
    expect(improved).toEqual([true, true, false, true, false]);
    expect(state).toMatchObject({ bestValLoss: 0.7, bestEpoch: 4, badEpochs: 1 });
  });

  it('plateau: ×stepFactor after plateauPatience bad epochs in a row, floored; counting restarts after a cut', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'plateau', plateauPatience: 2, stepFactor: 0.5, minLearningRate: 0.02 });
    const { rates } = simulate(c, [1.0, 0.9, 0.95, 0.92, 0.93, 0.94, 0.8, 0.85, 0.86, 0.9, 0.9, 0.9, 0.9]);
    // bad epochs: 3,4 → cut after 4 (0.05); 5,6 → cut after 6 (0.025); 7 improves; 8,9 → cut after 9
    // (0.0125 floored to 0.02); 10, 11 → cut (stays 0.02).
    expect(rates).toEqual([0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.025, 0.025, 0.025, 0.02, 0.02, 0.02, 0.02]);
  });

  it('plateau with patience 1 halves after every bad epoch', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'plateau', plateauPatience: 1, stepFactor: 0.5, minLearningRate: 0 });
    const { rates } = simulate(c, [1, 1.1, 1.2, 0.5, 0.6]);
    expect(rates).toEqual([0.1, 0.1, 0.05, 0.025, 0.025]);
  });

  it('other schedules never touch the state rate', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'step', plateauPatience: 1 });
    expect(simulate(c, [1, 2, 3, 4]).state.learningRate).toBe(0.1);
  });

  it('early stopping: stops when badEpochs reaches the patience, and says which epoch was best', () => {
    const c = cfg({ earlyStopping: true, earlyStoppingPatience: 3 });
    const r = simulate(c, [1.0, 0.7, 0.8, 0.75, 0.72, 0.6, 0.65]);
    expect(r.stoppedAfter).toBe(5);
    expect(r.state).toMatchObject({ bestEpoch: 2, bestValLoss: 0.7, badEpochs: 3 });
  });

  it('early stopping off: never stops', () => {
    const c = cfg({ earlyStopping: false, earlyStoppingPatience: 1 });
    expect(simulate(c, [1, 2, 3, 4, 5]).stoppedAfter).toBeUndefined();
  });

  it('plateau cuts do not reset the early-stopping count', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'plateau', plateauPatience: 1, stepFactor: 0.5, minLearningRate: 0, earlyStopping: true, earlyStoppingPatience: 3 });
    const r = simulate(c, [1, 2, 2, 2, 2]);
    expect(r.stoppedAfter).toBe(4);
    expect(r.rates).toEqual([0.1, 0.1, 0.05, 0.025]);
  });

  it('no validation loss (validationSplit 0) or NaN triggers nothing', () => {
    const c = cfg({ learningRate: 0.1, schedule: 'plateau', plateauPatience: 1, earlyStopping: true, earlyStoppingPatience: 1 });
    const r = simulate(c, [undefined, undefined, Number.NaN, undefined]);
    expect(r.stoppedAfter).toBeUndefined();
    expect(r.rates).toEqual([0.1, 0.1, 0.1, 0.1]);
    expect(r.state).toEqual(initialSchedule(c));
    // A NaN epoch between good ones does not count as bad.
    const mixed = simulate(cfg({ earlyStopping: true, earlyStoppingPatience: 2 }), [1, Number.NaN, 0.9, Number.NaN, 1.2]);
    expect(mixed.stoppedAfter).toBeUndefined();
    expect(mixed.state).toMatchObject({ bestEpoch: 3, badEpochs: 1 });
  });

  it('a state read back from JSON (Infinity written as null) still works', () => {
    const c = cfg({ schedule: 'plateau' });
    const fromFile = JSON.parse(JSON.stringify(initialSchedule(c))) as ScheduleState;
    expect(fromFile.bestValLoss).toBeNull();
    const r = afterEpoch(c, fromFile, 1, 2.3);
    expect(r.improved).toBe(true);
    expect(r.state).toMatchObject({ bestValLoss: 2.3, bestEpoch: 1, badEpochs: 0 });
  });

  it('does not mutate the state it is given', () => {
    const c = cfg({ schedule: 'plateau', plateauPatience: 1 });
    const s: ScheduleState = { learningRate: 0.1, bestValLoss: 1, badEpochs: 0, bestEpoch: 1 };
    const copy = { ...s };
    afterEpoch(c, s, 2, 2);
    expect(s).toEqual(copy);
  });
});
