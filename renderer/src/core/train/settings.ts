// The training settings' ranges and options: one source for the settings form, project files and
// the training store, so a file or a stale config cannot start a run the form would not allow.
import { checkParam } from '../graph/catalog';
import type { ParamSpec } from '../graph/types';
import { BACKEND_CHAIN, CLIP_MODES, OPTIMIZERS, SCHEDULES, SHIFT_PADDINGS, type BackendName, type ScheduleName, type TrainConfig } from './config';

export type TrainSettingSpec = ParamSpec & {
  key: keyof TrainConfig;
  /** May be left empty (undefined), e.g. "all examples". */
  optional?: boolean;
  placeholder?: string;
  /** Heading of the form section the setting belongs to. */
  group: TrainSettingGroup;
  /** Whether the setting matters for this config (the form hides it otherwise); always when absent. */
  visible?: (config: TrainConfig) => boolean;
};

export type TrainSettingGroup = 'Optimizer' | 'Learning-rate schedule' | 'Regularization' | 'Augmentation' | 'Run';

const usesMomentum = (c: TrainConfig): boolean => c.optimizer === 'momentum' || c.optimizer === 'nesterov';
const scheduleIs = (...names: ScheduleName[]) => (c: TrainConfig): boolean => names.includes(c.schedule);

// Settings reuse the block ParamSpec shape, so they get the same typed inputs and range checks.
// Each help text is the one-line explanation the form shows under the control.
export const TRAIN_SETTING_SPECS: readonly TrainSettingSpec[] = [
  {
    key: 'optimizer', group: 'Optimizer', label: 'Optimizer', kind: 'enum', default: 'adam', options: OPTIMIZERS,
    help: 'sgd steps against the gradient; momentum/nesterov keep a velocity; adagrad, adadelta, rmsprop and adam scale each weight\'s step by its gradient history.',
  },
  {
    key: 'learningRate', group: 'Optimizer', label: 'Learning rate', kind: 'float', default: 0.001, min: 1e-6, max: 10, step: 0.0001,
    help: 'Step size. Adam and RMSProp: about 0.001; SGD and momentum: 0.01–0.1; Adagrad: 0.01; Adadelta: about 1.',
  },
  {
    key: 'momentum', group: 'Optimizer', label: 'Momentum', kind: 'float', default: 0.9, min: 0, max: 0.999, step: 0.01, visible: usesMomentum,
    help: 'Fraction of the previous step kept in the next: rolls through small bumps and speeds up along consistent slopes. Nesterov looks ahead before taking the gradient.',
  },
  {
    key: 'schedule', group: 'Learning-rate schedule', label: 'Schedule', kind: 'enum', default: 'constant', options: SCHEDULES,
    help: 'Big steps early, small steps late: step decay cuts the rate every few epochs, cosine glides it down, plateau halves it when validation loss stalls.',
  },
  {
    key: 'stepEvery', group: 'Learning-rate schedule', label: 'Decay every (epochs)', kind: 'int', default: 1, min: 1, max: 1000, step: 1, visible: scheduleIs('step'),
    help: 'Multiply the learning rate by the factor after this many epochs, again and again.',
  },
  {
    key: 'stepFactor', group: 'Learning-rate schedule', label: 'Decay factor', kind: 'float', default: 0.5, min: 0.01, max: 0.99, step: 0.05, visible: scheduleIs('step', 'plateau'),
    help: 'What each cut multiplies the learning rate by (0.5 halves it, 0.1 divides by ten).',
  },
  {
    key: 'plateauPatience', group: 'Learning-rate schedule', label: 'Plateau patience (epochs)', kind: 'int', default: 1, min: 1, max: 100, step: 1, visible: scheduleIs('plateau'),
    help: 'Cut the rate after this many epochs in a row without a better validation loss.',
  },
  {
    key: 'minLearningRate', group: 'Learning-rate schedule', label: 'Minimum learning rate', kind: 'float', default: 1e-6, min: 0, max: 10, step: 0.00001, visible: scheduleIs('step', 'cosine', 'plateau'),
    help: 'The rate never decays below this floor; cosine ends exactly here at the last epoch.',
  },
  {
    key: 'weightDecay', group: 'Regularization', label: 'Weight decay (L2)', kind: 'float', default: 0, min: 0, max: 1, step: 0.0001,
    help: 'Pulls every kernel weight towards zero a little each step (adds decay·w to its gradient), preferring small weights that generalize; biases are not decayed. 0 = off.',
  },
  {
    key: 'clip', group: 'Regularization', label: 'Gradient clipping', kind: 'enum', default: 'none', options: CLIP_MODES,
    help: 'Stops one bad batch from throwing the weights far away: norm rescales all gradients when their total length is too big, value caps each one.',
  },
  {
    key: 'clipValue', group: 'Regularization', label: 'Clip threshold', kind: 'float', default: 15, min: 1e-6, max: 1e6, step: 0.5, visible: (c) => c.clip !== 'none',
    help: 'norm: the longest the whole gradient may be (the lecture uses 15); value: the largest any single gradient may be.',
  },
  {
    key: 'earlyStopping', group: 'Regularization', label: 'Early stopping', kind: 'bool', default: false,
    help: 'Stop when the validation loss stops improving and keep the weights of its best epoch: the simplest guard against overfitting.',
  },
  {
    key: 'earlyStoppingPatience', group: 'Regularization', label: 'Stopping patience (epochs)', kind: 'int', default: 2, min: 1, max: 100, step: 1, visible: (c) => c.earlyStopping,
    help: 'How many epochs in a row without a better validation loss before training stops.',
  },
  {
    key: 'flipHorizontal', group: 'Augmentation', label: 'Random horizontal flips', kind: 'bool', default: false, optional: true,
    help: 'Mirrors half of the training images left↔right (never for evaluation): for data where a mirrored image is still the same class, not for digits or text.',
  },
  {
    key: 'shiftPixels', group: 'Augmentation', label: 'Random shifts (± pixels)', kind: 'int', default: 0, min: 0, max: 16, step: 1, optional: true, placeholder: 'off',
    help: 'Moves each training image by up to this many pixels in x and y, seeded like the crops, so the network learns that position barely matters. Empty or 0 = off.',
  },
  {
    key: 'shiftPadding', group: 'Augmentation', label: 'Shift padding', kind: 'enum', default: 'zero', options: SHIFT_PADDINGS, optional: true, visible: (c) => (c.shiftPixels ?? 0) > 0,
    help: 'What fills the border a shift uncovers: zero (black) or the nearest edge pixel repeated.',
  },
  { key: 'batchSize', group: 'Run', label: 'Batch size', kind: 'int', default: 32, min: 1, max: 4096, step: 1, help: 'Examples per weight update.' },
  { key: 'epochs', group: 'Run', label: 'Epochs', kind: 'int', default: 1, min: 1, max: 1000, step: 1, help: 'Passes over the training examples.' },
  { key: 'validationSplit', group: 'Run', label: 'Validation split', kind: 'float', default: 0.1, min: 0, max: 0.5, step: 0.05, help: 'Fraction of the training set held out for the validation curves (and for plateau and early stopping).' },
  { key: 'maxExamples', group: 'Run', label: 'Examples per epoch', kind: 'int', default: 0, min: 1, max: 60000, step: 100, optional: true, placeholder: 'all', help: 'Train on at most this many examples per epoch, for quick runs. Empty = all.' },
  {
    key: 'recordGradientNorms', group: 'Run', label: 'Record gradient norms', kind: 'bool', default: false, optional: true,
    help: 'Measures each layer\'s gradient norm every 10 steps for the per-layer chart under Curves (vanishing gradients show as low early layers); costs a little time.',
  },
  { key: 'maxTestExamples', group: 'Run', label: 'Test examples', kind: 'int', default: 0, min: 1, max: 10000, step: 100, optional: true, placeholder: 'all (10,000)', help: 'Evaluate on at most this many test images. Empty = all.' },
];

/** The settings that matter for this config, in form order. */
export function visibleSettings(config: TrainConfig): TrainSettingSpec[] {
  return TRAIN_SETTING_SPECS.filter((s) => s.visible?.(config) ?? true);
}

/** What is wrong with a training config, as a message naming the setting, or undefined when it is fine. */
export function checkTrainConfig(config: TrainConfig): string | undefined {
  for (const spec of TRAIN_SETTING_SPECS) {
    const value = config[spec.key];
    if (value === undefined && spec.optional) continue;
    const problem = checkParam(spec, value);
    if (problem) return `Training settings: ${problem}`; // checkParam's message names the setting
  }
  // Rules across settings, checked only where the setting is in use (the form hides it otherwise).
  if (config.schedule !== 'constant' && config.minLearningRate > config.learningRate) {
    return 'Training settings: Minimum learning rate must not be above the learning rate.';
  }
  if ((config.schedule === 'plateau' || config.earlyStopping) && !(config.validationSplit > 0)) {
    const what = config.schedule === 'plateau' ? 'The plateau schedule' : 'Early stopping';
    return `Training settings: ${what} watches the validation loss: set a validation split above 0.`;
  }
  if (!Number.isInteger(config.seed)) return 'Training settings: Seed must be a whole number.';
  const { backends } = config;
  if (backends !== undefined && (!Array.isArray(backends) || !backends.length || !backends.every((b) => BACKEND_CHAIN.includes(b as BackendName)))) {
    return `Training setting "backends" must list some of ${BACKEND_CHAIN.join(', ')}.`;
  }
  return undefined;
}
