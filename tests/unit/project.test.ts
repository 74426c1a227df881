import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, parseProject, serializeProject, type Project } from '../../renderer/src/core/graph/project';
import type { RunRecord } from '../../renderer/src/core/runs/record';
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
    expect(() => parseProject(withConfig({ optimizer: 'lbfgs' }))).toThrow('"optimizer" must be one of sgd, momentum');
    expect(() => parseProject(withConfig({ schedule: 'sometimes' }))).toThrow('"schedule" must be one of constant');
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

describe('trained project files (format version 2)', () => {
  const graph = instantiate(templateById('logistic-regression')!);
  const weightValues = Float32Array.from({ length: 784 * 10 + 10 }, (_, i) => Math.sin(i) * 0.1);
  const run: RunRecord = {
    id: 'run-1',
    name: 'logistic regression, 1 epoch',
    createdAt: 1_790_000_000_000,
    graph,
    config: { ...DEFAULT_TRAIN_CONFIG, maxExamples: 2000, seed: 7 },
    dataset: { kind: 'mnist' },
    state: 'done',
    backend: 'cpu',
    curves: { trainLoss: [[640, 1.2], [2000, 0.5]], trainAcc: [[640, 0.6], [2000, 0.85]], valLoss: [[2000, 0.45]], valAcc: [[2000, 0.87]], learningRate: [[0, 0.001]] },
    epoch: 1,
    metrics: { testAccuracy: 0.88, testLoss: 0.42, seconds: 3.5, examplesSeen: 2000, examplesPerSecond: 900, params: 7850, multiplyAdds: 7840 },
    weights: {
      specs: [{ name: 'classifier_1/kernel', shape: [784, 10] }, { name: 'classifier_1/bias', shape: [10] }],
      data: weightValues.buffer.slice(0),
    },
  };
  const trained: Project = { graph, trainConfig: run.config, runs: [run] };

  it('base64 agrees with Node for every tail length, and decoding is strict', () => {
    for (let n = 0; n < 20; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 89 + n * 13) & 255);
      const b64 = bytesToBase64(bytes);
      expect(b64).toBe(Buffer.from(bytes).toString('base64'));
      expect(Array.from(base64ToBytes(b64))).toEqual(Array.from(bytes));
    }
    expect(() => base64ToBytes('abc')).toThrow('not valid base64');
    expect(() => base64ToBytes('ab$d')).toThrow('not valid base64');
    expect(() => base64ToBytes('a=bc')).toThrow('not valid base64');
  });

  it('round-trips runs with their weights bit for bit, written as the current version with base64 data', () => {
    const text = serializeProject(trained);
    const raw = JSON.parse(text);
    expect(raw.version).toBe(3);
    expect(typeof raw.runs[0].weights.data).toBe('string');
    expect(raw.runs[0].weights.specs).toEqual(run.weights!.specs);
    // Compact: base64 is 4/3 of the float32 bytes, not a JSON list of numbers.
    expect(raw.runs[0].weights.data.length).toBe(Math.ceil((weightValues.byteLength / 3)) * 4);
    const back = parseProject(text);
    expect({ ...back.runs![0], weights: undefined }).toEqual({ ...run, weights: undefined });
    expect(Array.from(new Float32Array(back.runs![0].weights!.data))).toEqual(Array.from(weightValues));
    expect(back.graph).toEqual(graph);
  });

  it('keeps a stopped run’s NaN metrics as NaN (null in the file)', () => {
    const stopped: RunRecord = { ...run, state: 'stopped', metrics: { ...run.metrics!, testAccuracy: NaN, testLoss: NaN } };
    const text = serializeProject({ ...trained, runs: [stopped] });
    expect(JSON.parse(text).runs[0].metrics.testLoss).toBeNull();
    const back = parseProject(text).runs![0];
    expect(back.metrics!.testLoss).toBeNaN();
    expect(back.metrics!.testAccuracy).toBeNaN();
    expect(back.state).toBe('stopped');
  });

  it('migrates version 1 files: settings completed with the defaults, no runs', () => {
    const v1 = { format: 'netwright-project', version: 1, graph, trainConfig: { optimizer: 'sgd', learningRate: 0.05, momentum: 0.9, batchSize: 64, epochs: 2, validationSplit: 0.1, seed: 3 } };
    const p = parseProject(JSON.stringify(v1));
    expect(p.runs).toBeUndefined();
    expect(p.trainConfig).toEqual({ ...DEFAULT_TRAIN_CONFIG, optimizer: 'sgd', learningRate: 0.05, batchSize: 64, epochs: 2, seed: 3 });
    // A version 1 file never had runs: anything there is ignored, not half-read.
    expect(parseProject(JSON.stringify({ ...v1, runs: 'junk' })).runs).toBeUndefined();
  });

  it('refuses a future version and a nonsense version', () => {
    const future = { ...JSON.parse(serializeProject(trained)), version: 4 };
    expect(() => parseProject(JSON.stringify(future))).toThrow('saved by a newer Netwright (format version 4)');
    expect(() => parseProject(JSON.stringify({ ...future, version: '2' }))).toThrow('invalid format version');
  });

  it('completes a run’s older settings with the defaults', () => {
    const raw = JSON.parse(serializeProject(trained));
    raw.runs[0].config = { optimizer: 'adam', learningRate: 0.002, batchSize: 32, epochs: 1, validationSplit: 0.1, momentum: 0.9, seed: 1 };
    expect(parseProject(JSON.stringify(raw)).runs![0].config).toEqual({ ...DEFAULT_TRAIN_CONFIG, learningRate: 0.002 });
  });

  it('refuses weights whose byte length disagrees with their shapes, naming the run', () => {
    const raw = JSON.parse(serializeProject(trained));
    raw.runs[0].weights.specs[0].shape = [784, 11];
    expect(() => parseProject(JSON.stringify(raw))).toThrow('Run 1 weights hold 31400 bytes but their shapes need 34536 (8634 float32 values)');
    const short = JSON.parse(serializeProject(trained));
    short.runs[0].weights.data = short.runs[0].weights.data.slice(0, -8);
    expect(() => parseProject(JSON.stringify(short))).toThrow('the file is damaged');
    const garbled = JSON.parse(serializeProject(trained));
    garbled.runs[0].weights.data = `!${garbled.runs[0].weights.data.slice(1)}`;
    expect(() => parseProject(JSON.stringify(garbled))).toThrow('Run 1 weights data is not valid base64');
    const badShape = JSON.parse(serializeProject(trained));
    badShape.runs[0].weights.specs[1].shape = [2.5];
    expect(() => parseProject(JSON.stringify(badShape))).toThrow('Run 1 weight 2 needs a name and a shape of whole numbers');
  });

  it('validates every field of a run', () => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- free-form edits of parsed JSON
    const broken = (patch: (r: Record<string, any>) => void) => {
      const raw = JSON.parse(serializeProject(trained));
      patch(raw.runs[0]);
      return () => parseProject(JSON.stringify(raw));
    };
    expect(broken((r) => delete r.id)).toThrow('Run 1 has no id.');
    expect(broken((r) => (r.name = 5))).toThrow('Run 1 has no name.');
    expect(broken((r) => (r.createdAt = 'yesterday'))).toThrow('Run 1 has no creation time.');
    expect(broken((r) => (r.state = 'sleeping'))).toThrow('Run 1 has an unknown state "sleeping".');
    expect(broken((r) => (r.dataset = { kind: 'cifar' }))).toThrow('Run 1 has an unknown dataset.');
    expect(broken((r) => (r.epoch = -1))).toThrow('Run 1 has an invalid epoch count.');
    expect(broken((r) => (r.backend = 'cuda'))).toThrow('Run 1 has an unknown backend "cuda".');
    expect(broken((r) => (r.error = 42))).toThrow('Run 1 has an invalid error message.');
    expect(broken((r) => (r.graph.blocks[1].type = 'Conv9D'))).toThrow('Run 1: Block "flatten_1" has an unknown type "Conv9D".');
    expect(broken((r) => (r.config.batchSize = 'big'))).toThrow('Run 1 training setting "batchSize" has the wrong type.');
    expect(broken((r) => (r.config.epochs = 0))).toThrow('Epochs must be at least 1');
    expect(broken((r) => delete r.curves.valAcc)).toThrow('Run 1 curve "valAcc" is not a list of points.');
    expect(broken((r) => (r.curves.trainLoss[1] = [2000]))).toThrow('Run 1 curve "trainLoss" point 2 is not [examples, value].');
    expect(broken((r) => (r.metrics.testAccuracy = 'high'))).toThrow('Run 1 metric "testAccuracy" is not a number.');
    expect(broken((r) => (r.metrics.restoredEpoch = 1.5))).toThrow('Run 1 metric "restoredEpoch" is not a whole number.');
    expect(broken((r) => delete r.weights.data)).toThrow('Run 1 weights need specs and data.');
    const raw = JSON.parse(serializeProject(trained));
    raw.runs = [raw.runs[0], raw.runs[0]];
    expect(() => parseProject(JSON.stringify(raw))).toThrow('Two runs share the same id.');
    expect(() => parseProject(JSON.stringify({ ...raw, runs: {} }))).toThrow('The runs of this project are not a list.');
  });

  it('keeps a run without weights or metrics (an interrupted run)', () => {
    const bare: RunRecord = { ...run, state: 'interrupted', metrics: undefined, weights: undefined, backend: undefined };
    delete bare.metrics;
    delete bare.weights;
    delete bare.backend;
    expect(parseProject(serializeProject({ ...trained, runs: [bare] })).runs).toEqual([bare]);
  });
});

describe('project files: every past version and every malformed case', () => {
  // A version 1 file as the first releases wrote it (no runs, settings of that time).
  const V1 = JSON.stringify({
    format: 'netwright-project', version: 1,
    graph: { version: 1, blocks: [
      { id: 'input_1', type: 'Input', params: { kind: 'image', height: 28, width: 28, channels: 1 }, position: { x: 0, y: 0 } },
      { id: 'flatten_1', type: 'Flatten', params: {}, position: { x: 200, y: 0 } },
      { id: 'classifier_1', type: 'Classifier', params: { classes: 10 }, position: { x: 400, y: 0 } },
    ], edges: [{ id: 'e1', source: 'input_1', target: 'flatten_1' }, { id: 'e2', source: 'flatten_1', target: 'classifier_1' }] },
    trainConfig: { optimizer: 'sgd', learningRate: 0.01, batchSize: 20, epochs: 1 },
  });
  // A version 2 file with one trained run (weights as base64 float32).
  const weights = Float32Array.from({ length: 7850 }, (_, i) => ((i % 7) - 3) / 100);
  const V2 = JSON.stringify({
    ...JSON.parse(V1), version: 2,
    runs: [{
      id: 'run-a', name: 'first', createdAt: 1_790_000_000_000, graph: JSON.parse(V1).graph, config: { optimizer: 'sgd', learningRate: 0.01 },
      dataset: { kind: 'mnist' }, state: 'done', epoch: 1,
      curves: { trainLoss: [[20, 2.2]], trainAcc: [[20, 0.2]], valLoss: [], valAcc: [], learningRate: [[0, 0.01]] },
      metrics: { testAccuracy: 0.9, testLoss: null, seconds: 1, examplesSeen: 20, examplesPerSecond: 20, params: 7850, multiplyAdds: 7840 },
      weights: { specs: [{ name: 'classifier_1/kernel', shape: [784, 10] }, { name: 'classifier_1/bias', shape: [10] }], data: bytesToBase64(new Uint8Array(weights.buffer)) },
    }],
  });

  it('version 1 migrates: same graph, settings completed with the defaults, no runs', () => {
    const p = parseProject(V1);
    expect(p.graph.blocks.map((b) => b.type)).toEqual(['Input', 'Flatten', 'Classifier']);
    expect(p.trainConfig).toEqual({ ...DEFAULT_TRAIN_CONFIG, optimizer: 'sgd', learningRate: 0.01, batchSize: 20, epochs: 1 });
    expect(p.runs).toBeUndefined();
    // Written back as the current version, it reads the same.
    expect(JSON.parse(serializeProject(p)).version).toBe(3);
    expect(parseProject(serializeProject(p))).toEqual(p);
  });

  it('version 2 reads runs with their weights bit for bit (and a null metric as NaN)', () => {
    const p = parseProject(V2);
    expect(p.runs).toHaveLength(1);
    expect(new Float32Array(p.runs![0].weights!.data)).toEqual(weights);
    expect(p.runs![0].metrics!.testLoss).toBeNaN();
    expect(p.runs![0].config.learningRate).toBe(0.01);
    expect(parseProject(serializeProject(p))).toEqual(p);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- test edits of arbitrary JSON
  const edit = (text: string, fn: (d: Record<string, any>) => void): string => {
    const d = JSON.parse(text);
    fn(d);
    return JSON.stringify(d);
  };

  it.each([
    ['not JSON', 'netwright', /not valid JSON/],
    ['truncated', V2.slice(0, V2.length / 2), /not valid JSON \(it ends too early: truncated\?\)/],
    ['a future version', edit(V1, (d) => { d.version = 4; }), /saved by a newer Netwright \(format version 4\)/],
    ['an unknown block type', edit(V1, (d) => { d.graph.blocks[1].type = 'Conv9D'; }), /Block "flatten_1" has an unknown type "Conv9D"/],
    ['duplicate block ids', edit(V1, (d) => { d.graph.blocks[1].id = 'input_1'; }), /Two blocks share the same id/],
    ['a connection to a missing block', edit(V1, (d) => { d.graph.edges[1].target = 'gone'; }), /Connection "e2" refers to a missing block/],
    ['a __proto__ key', V1.replace('"params":{}', '"params":{"__proto__":{"polluted":true}}'), /has a "__proto__" key/],
    ['a constructor key', V1.replace('"format"', '"constructor":{},"format"'), /has a "constructor" key/],
    ['a number too large', V1.replace('"learningRate":0.01', '"learningRate":1e999'), /"learningRate" holds a number too large/],
    ['a huge weight shape', edit(V2, (d) => { d.runs[0].weights.specs[0].shape = [1e300]; }), /weight 1 needs a name and a shape of whole numbers/],
    ['weights shorter than their shapes', edit(V2, (d) => { d.runs[0].weights.data = d.runs[0].weights.data.slice(0, -8); }), /weights hold \d+ bytes but their shapes need 31400/],
    ['duplicate run ids', edit(V2, (d) => { d.runs.push(d.runs[0]); }), /Two runs share the same id/],
  ])('refuses %s with a message', (_what, text, message) => {
    expect(() => parseProject(text)).toThrow(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
