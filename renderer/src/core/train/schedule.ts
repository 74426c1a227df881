// Learning-rate schedules and early stopping, as pure functions of the config and a small state
// that travels in checkpoints (ScheduleState). No tfjs: the trainer applies the rate with
// optimizers.ts' setLearningRate.
//
// Conventions (checked by tests/unit/train-schedule.test.ts):
// - Epochs are 1-based. learningRateForEpoch(config, e, state) is the rate in force during epoch e;
//   afterEpoch(config, state, e, valLoss) runs when epoch e has ended and its validation loss is known.
// - An epoch "improves" when its validation loss is lower than the best so far by more than a small
//   relative tolerance (1e-4 of the best, as PyTorch's ReduceLROnPlateau); noise-level changes do not
//   reset the patience counters.
// - state.badEpochs counts epochs since the last improvement and is never reset by a plateau cut, so
//   plateau halving and early stopping can share it: the rate is cut after every plateauPatience bad
//   epochs in a row (Keras' ReduceLROnPlateau), training stops when badEpochs reaches
//   earlyStoppingPatience (Keras' EarlyStopping). bestEpoch tells which weights to restore.
// - No validation loss (validationSplit 0, or NaN from a diverged pass — the NaN guard handles that)
//   changes nothing.
// - Floors: 'step' and 'plateau' never go below minLearningRate (nor raise a rate that started below it).
import type { TrainConfig } from './config';
import type { ScheduleState } from './protocol';

type ScheduleConfig = Pick<
  TrainConfig,
  'learningRate' | 'schedule' | 'stepEvery' | 'stepFactor' | 'plateauPatience' | 'minLearningRate' | 'epochs' | 'earlyStopping' | 'earlyStoppingPatience'
>;

/** Relative amount by which a validation loss must beat the best one to count as better. */
export const IMPROVEMENT_TOLERANCE = 1e-4;

export function initialSchedule(config: Pick<TrainConfig, 'learningRate'>): ScheduleState {
  return { learningRate: config.learningRate, bestValLoss: Infinity, badEpochs: 0, bestEpoch: 0 };
}

/** The decayed rate, floored at minLearningRate, never raised by the floor. */
function floored(config: Pick<TrainConfig, 'learningRate' | 'minLearningRate'>, rate: number): number {
  return Math.max(rate, Math.min(config.minLearningRate, config.learningRate));
}

/** The learning rate in force during `epoch` (1-based). */
export function learningRateForEpoch(config: ScheduleConfig, epoch: number, state: ScheduleState): number {
  const lr = config.learningRate;
  switch (config.schedule) {
    case 'constant':
      return lr;
    case 'step': {
      const cuts = Math.floor(Math.max(0, epoch - 1) / Math.max(1, config.stepEvery));
      return cuts === 0 ? lr : floored(config, lr * config.stepFactor ** cuts);
    }
    case 'cosine': {
      // Half a cosine from lr at epoch 1 down to minLearningRate at the last epoch.
      if (config.epochs <= 1) return lr;
      const t = Math.min(1, Math.max(0, (epoch - 1) / (config.epochs - 1)));
      const end = Math.min(config.minLearningRate, lr);
      return end + ((lr - end) * (1 + Math.cos(Math.PI * t))) / 2;
    }
    case 'plateau':
      return state.learningRate;
    default:
      return lr;
  }
}

/** A best loss read back from a file: JSON writes Infinity as null. */
const hasBest = (best: unknown): best is number => typeof best === 'number' && Number.isFinite(best);

/** Bookkeeping at the end of `epoch`: best validation loss, plateau cuts, early stopping. */
export function afterEpoch(
  config: ScheduleConfig,
  state: ScheduleState,
  epoch: number,
  valLoss: number | undefined,
): { state: ScheduleState; improved: boolean; stopEarly: boolean } {
  if (typeof valLoss !== 'number' || Number.isNaN(valLoss)) return { state: { ...state }, improved: false, stopEarly: false };

  const improved = !hasBest(state.bestValLoss)
    ? valLoss < Infinity
    : valLoss < state.bestValLoss - IMPROVEMENT_TOLERANCE * Math.abs(state.bestValLoss);
  const next: ScheduleState = improved
    ? { ...state, bestValLoss: valLoss, bestEpoch: epoch, badEpochs: 0 }
    : { ...state, badEpochs: state.badEpochs + 1 };

  if (!improved && config.schedule === 'plateau' && next.badEpochs % Math.max(1, config.plateauPatience) === 0) {
    next.learningRate = floored(config, next.learningRate * config.stepFactor);
  }
  const stopEarly = config.earlyStopping && next.badEpochs >= config.earlyStoppingPatience;
  return { state: next, improved, stopEarly };
}
