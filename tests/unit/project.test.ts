import { describe, expect, it } from 'vitest';
import { parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';

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

  it('fills missing training settings with defaults', () => {
    const text = JSON.stringify({ format: 'netwright-project', version: 1, graph });
    expect(parseProject(text).trainConfig).toEqual(DEFAULT_TRAIN_CONFIG);
  });
});
