import { describe, expect, it } from 'vitest';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';
import { checkTrainConfig } from '../../renderer/src/core/train/settings';

describe('project files', () => {
  const graph = instantiate(templateById('convnetjs-mnist')!);
  const project = { graph, trainConfig: { ...DEFAULT_TRAIN_CONFIG, batchSize: 64, maxExamples: 3000, backends: ['webgl' as const, 'cpu' as const] } };

  it('round-trips the graph and training settings', () => {
    expect(parseProject(serializeProject(project))).toEqual(project);
  });

  it('explains what is wrong with a broken file', () => {
    expect(() => parseProject('{')).toThrow('not valid JSON');
    expect(() => parseProject('{"format":"other"}')).toThrow('not a Netwright project file');
    expect(() => parseProject(JSON.stringify({ format: 'netwright-project', version: 9 }))).toThrow('newer Netwright');
    const bad = JSON.parse(serializeProject(project));
    bad.graph.blocks[1].type = 'Conv9D';
    expect(() => parseProject(JSON.stringify(bad))).toThrow('Block "conv2d_1" has an unknown type "Conv9D".');
    const dangling = JSON.parse(serializeProject(project));
    dangling.graph.edges[0].target = 'nope';
    expect(() => parseProject(JSON.stringify(dangling))).toThrow('refers to a missing block');
    const wrongType = JSON.parse(serializeProject(project));
    wrongType.trainConfig.batchSize = 'big';
    expect(() => parseProject(JSON.stringify(wrongType))).toThrow('Training setting "batchSize" has the wrong type.');
    const badBackend = JSON.parse(serializeProject(project));
    badBackend.trainConfig.backends = ['cuda'];
    expect(() => parseProject(JSON.stringify(badBackend))).toThrow('"backends" must list some of webgpu, webgl, wasm, cpu');
  });

  it('rejects training settings out of their range, naming the setting', () => {
    const withConfig = (patch: Record<string, unknown>) => {
      const data = JSON.parse(serializeProject(project));
      Object.assign(data.trainConfig, patch);
      return JSON.stringify(data);
    };
    expect(() => parseProject(withConfig({ optimizer: 'rmsprop' }))).toThrow('Optimizer must be one of sgd, momentum, adam');
    expect(() => parseProject(withConfig({ epochs: 0 }))).toThrow('Epochs must be at least 1');
    expect(() => parseProject(withConfig({ batchSize: 2.5 }))).toThrow('Batch size must be a whole number');
    expect(() => parseProject(withConfig({ validationSplit: -0.1 }))).toThrow('Validation split must be at least 0');
    expect(() => parseProject(withConfig({ maxExamples: 1e9 }))).toThrow('Examples per epoch must be at most 60000');
    expect(checkTrainConfig(DEFAULT_TRAIN_CONFIG)).toBeUndefined();
  });

  it('fills missing training settings with defaults', () => {
    const text = JSON.stringify({ format: 'netwright-project', version: 1, graph });
    expect(parseProject(text).trainConfig).toEqual(DEFAULT_TRAIN_CONFIG);
  });
});
