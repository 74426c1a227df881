// The training settings' ranges and options: one source for the settings form, project files and
// the training store, so a file or a stale config cannot start a run the form would not allow.
import { checkParam } from '../graph/catalog';
import type { ParamSpec } from '../graph/types';
import { BACKEND_CHAIN, type BackendName, type TrainConfig } from './protocol';

export type TrainSettingSpec = ParamSpec & {
  key: keyof TrainConfig;
  /** May be left empty (undefined), e.g. "all examples". */
  optional?: boolean;
  placeholder?: string;
};

// Settings reuse the block ParamSpec shape, so they get the same typed inputs and range checks.
export const TRAIN_SETTING_SPECS: readonly TrainSettingSpec[] = [
  { key: 'optimizer', label: 'Optimizer', kind: 'enum', default: 'adam', options: ['sgd', 'momentum', 'adam'], help: 'Adam adapts the step per weight and is the safe default; SGD with momentum is the classic.' },
  { key: 'learningRate', label: 'Learning rate', kind: 'float', default: 0.001, min: 1e-6, max: 10, step: 0.0001, help: 'Step size. Adam: about 0.001; SGD: about 0.01–0.1.' },
  { key: 'momentum', label: 'Momentum', kind: 'float', default: 0.9, min: 0, max: 0.999, step: 0.01, help: 'How much of the previous step carries over.' },
  { key: 'batchSize', label: 'Batch size', kind: 'int', default: 32, min: 1, max: 4096, step: 1, help: 'Examples per weight update.' },
  { key: 'epochs', label: 'Epochs', kind: 'int', default: 1, min: 1, max: 1000, step: 1, help: 'Passes over the training examples.' },
  { key: 'validationSplit', label: 'Validation split', kind: 'float', default: 0.1, min: 0, max: 0.5, step: 0.05, help: 'Fraction of the training set held out for the validation curves.' },
  { key: 'maxExamples', label: 'Examples per epoch', kind: 'int', default: 0, min: 1, max: 60000, step: 100, optional: true, placeholder: 'all', help: 'Train on at most this many examples per epoch, for quick runs. Empty = all.' },
  { key: 'maxTestExamples', label: 'Test examples', kind: 'int', default: 0, min: 1, max: 10000, step: 100, optional: true, placeholder: 'all (10,000)', help: 'Evaluate on at most this many test images. Empty = all.' },
];

/** What is wrong with a training config, as a message naming the setting, or undefined when it is fine. */
export function checkTrainConfig(config: TrainConfig): string | undefined {
  for (const spec of TRAIN_SETTING_SPECS) {
    const value = config[spec.key];
    if (value === undefined && spec.optional) continue;
    const problem = checkParam(spec, value);
    if (problem) return `Training settings: ${problem}`; // checkParam's message names the setting
  }
  if (!Number.isInteger(config.seed)) return 'Training settings: Seed must be a whole number.';
  const { backends } = config;
  if (backends !== undefined && (!Array.isArray(backends) || !backends.length || !backends.every((b) => BACKEND_CHAIN.includes(b as BackendName)))) {
    return `Training setting "backends" must list some of ${BACKEND_CHAIN.join(', ')}.`;
  }
  return undefined;
}
