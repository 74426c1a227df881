// The training settings' specs: one per setting with a one-line explanation, shown only where it
// matters, and checkTrainConfig refusing what the form would refuse.
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRAIN_CONFIG, type TrainConfig } from '../../renderer/src/core/train/config';
import { checkTrainConfig, TRAIN_SETTING_SPECS, visibleSettings } from '../../renderer/src/core/train/settings';

const cfg = (over: Partial<TrainConfig>): TrainConfig => ({ ...DEFAULT_TRAIN_CONFIG, ...over });
const shown = (over: Partial<TrainConfig>) => visibleSettings(cfg(over)).map((s) => s.key);

describe('TRAIN_SETTING_SPECS', () => {
  it('covers every setting of TrainConfig except the seed and backends (chosen elsewhere)', () => {
    const keys = TRAIN_SETTING_SPECS.map((s) => s.key).sort();
    const all = [...Object.keys(DEFAULT_TRAIN_CONFIG), 'maxExamples', 'maxTestExamples'].filter((k) => k !== 'seed').sort();
    expect(keys).toEqual(all);
  });

  it('has defaults equal to DEFAULT_TRAIN_CONFIG and a one-line explanation each', () => {
    for (const spec of TRAIN_SETTING_SPECS) {
      if (!spec.optional) expect(spec.default, spec.key).toEqual(DEFAULT_TRAIN_CONFIG[spec.key]);
      expect(spec.help.length, spec.key).toBeGreaterThan(20);
      expect(spec.help, spec.key).not.toContain('\n');
    }
  });

  it('offers all seven optimizers, four schedules and three clip modes', () => {
    const options = (k: string) => TRAIN_SETTING_SPECS.find((s) => s.key === k)?.options;
    expect(options('optimizer')).toEqual(['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam']);
    expect(options('schedule')).toEqual(['constant', 'step', 'cosine', 'plateau']);
    expect(options('clip')).toEqual(['none', 'norm', 'value']);
  });
});

describe('visibleSettings', () => {
  it('shows momentum only for momentum and nesterov', () => {
    expect(shown({ optimizer: 'adam' })).not.toContain('momentum');
    expect(shown({ optimizer: 'sgd' })).not.toContain('momentum');
    expect(shown({ optimizer: 'momentum' })).toContain('momentum');
    expect(shown({ optimizer: 'nesterov' })).toContain('momentum');
  });

  it("shows each schedule's own settings", () => {
    const sched = ['stepEvery', 'stepFactor', 'plateauPatience', 'minLearningRate'] as const;
    const pick = (s: TrainConfig['schedule']) => shown({ schedule: s }).filter((k) => (sched as readonly string[]).includes(k));
    expect(pick('constant')).toEqual([]);
    expect(pick('step')).toEqual(['stepEvery', 'stepFactor', 'minLearningRate']);
    expect(pick('cosine')).toEqual(['minLearningRate']);
    expect(pick('plateau')).toEqual(['stepFactor', 'plateauPatience', 'minLearningRate']);
  });

  it('shows the clip threshold only when clipping, the patience only with early stopping', () => {
    expect(shown({ clip: 'none' })).not.toContain('clipValue');
    expect(shown({ clip: 'norm' })).toContain('clipValue');
    expect(shown({ clip: 'value' })).toContain('clipValue');
    expect(shown({ earlyStopping: false })).not.toContain('earlyStoppingPatience');
    expect(shown({ earlyStopping: true })).toContain('earlyStoppingPatience');
    expect(shown({})).toEqual(expect.arrayContaining(['optimizer', 'learningRate', 'schedule', 'weightDecay', 'clip', 'earlyStopping', 'batchSize', 'epochs']));
  });
});

describe('checkTrainConfig', () => {
  it('accepts the defaults and every optimizer, schedule and clip mode', () => {
    expect(checkTrainConfig(DEFAULT_TRAIN_CONFIG)).toBeUndefined();
    for (const optimizer of ['sgd', 'momentum', 'nesterov', 'adagrad', 'adadelta', 'rmsprop', 'adam'] as const) expect(checkTrainConfig(cfg({ optimizer }))).toBeUndefined();
    for (const schedule of ['constant', 'step', 'cosine', 'plateau'] as const) expect(checkTrainConfig(cfg({ schedule }))).toBeUndefined();
    for (const clip of ['none', 'norm', 'value'] as const) expect(checkTrainConfig(cfg({ clip }))).toBeUndefined();
    expect(checkTrainConfig(cfg({ earlyStopping: true, weightDecay: 5e-4 }))).toBeUndefined();
  });

  it('refuses each new setting out of range, naming it', () => {
    const cases: [Partial<TrainConfig>, string][] = [
      [{ weightDecay: -0.1 }, 'Weight decay (L2) must be at least 0'],
      [{ stepEvery: 0 }, 'Decay every (epochs) must be at least 1'],
      [{ stepEvery: 1.5 }, 'Decay every (epochs) must be a whole number'],
      [{ stepFactor: 1 }, 'Decay factor must be at most 0.99'],
      [{ stepFactor: 0 }, 'Decay factor must be at least 0.01'],
      [{ plateauPatience: 0 }, 'Plateau patience (epochs) must be at least 1'],
      [{ minLearningRate: -1 }, 'Minimum learning rate must be at least 0'],
      [{ clipValue: 0 }, 'Clip threshold must be at least'],
      [{ earlyStoppingPatience: 0 }, 'Stopping patience (epochs) must be at least 1'],
      [{ earlyStopping: 'yes' as unknown as boolean }, 'Early stopping must be on or off'],
      [{ clip: 'sometimes' as TrainConfig['clip'] }, 'Gradient clipping must be one of none, norm, value'],
      [{ momentum: 1 }, 'Momentum must be at most 0.999'],
    ];
    for (const [patch, message] of cases) expect(checkTrainConfig(cfg(patch)), JSON.stringify(patch)).toContain(message);
  });

  it('refuses a floor above the starting rate, and plateau or early stopping without validation data', () => {
    expect(checkTrainConfig(cfg({ schedule: 'cosine', learningRate: 0.001, minLearningRate: 0.01 }))).toContain('Minimum learning rate must not be above');
    expect(checkTrainConfig(cfg({ schedule: 'constant', learningRate: 0.001, minLearningRate: 0.01 }))).toBeUndefined();
    expect(checkTrainConfig(cfg({ schedule: 'plateau', validationSplit: 0 }))).toContain('plateau schedule watches the validation loss');
    expect(checkTrainConfig(cfg({ earlyStopping: true, validationSplit: 0 }))).toContain('Early stopping watches the validation loss');
    expect(checkTrainConfig(cfg({ validationSplit: 0 }))).toBeUndefined();
  });
});
