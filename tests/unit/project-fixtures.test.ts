// Every project format version that was ever written, as a file in tests/fixtures/projects/: each
// reads (migrating to the current version), writes back as the current version and reads the same.
// A new format version adds its fixture here; old fixtures are never edited.
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROJECT_VERSION, parseProject, serializeProject } from '../../renderer/src/core/graph/project';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/protocol';

const DIR = resolve(__dirname, '../fixtures/projects');
const fixture = (version: number) => readFileSync(join(DIR, `v${version}.netwright.json`), 'utf8');

describe('project format fixtures', () => {
  it('has a fixture for every version up to the current one, and none beyond', () => {
    const versions = readdirSync(DIR).map((f) => Number(/^v(\d+)\.netwright\.json$/.exec(f)?.[1])).sort((a, b) => a - b);
    expect(versions).toEqual(Array.from({ length: PROJECT_VERSION }, (_, i) => i + 1));
    for (const v of versions) expect(JSON.parse(fixture(v)).version).toBe(v);
  });

  it.each(Array.from({ length: PROJECT_VERSION }, (_, i) => i + 1))('version %i reads, and round-trips as the current version', (v) => {
    const p = parseProject(fixture(v));
    const again = serializeProject(p);
    expect(JSON.parse(again).version).toBe(PROJECT_VERSION);
    expect(parseProject(again)).toEqual(p);
  });

  it('version 1: the graph with its layout, settings completed with the defaults, no runs', () => {
    const p = parseProject(fixture(1));
    expect(p.graph.blocks.map((b) => [b.type, b.position.x])).toEqual([['Input', 0], ['MaxPool2D', 220], ['Flatten', 440], ['Classifier', 660]]);
    expect(p.trainConfig).toEqual({ ...DEFAULT_TRAIN_CONFIG, optimizer: 'sgd', learningRate: 0.01, batchSize: 20 });
    expect(p.runs).toBeUndefined();
    expect(p.dataset).toBeUndefined();
  });

  it('version 2: MNIST runs with weights bit for bit; a stopped run without weights; null metrics as NaN', () => {
    const p = parseProject(fixture(2));
    expect(p.runs!.map((r) => [r.id, r.state, r.dataset.kind])).toEqual([['run_v2_a', 'done', 'mnist'], ['run_v2_b', 'stopped', 'mnist']]);
    const w = new Float32Array(p.runs![0].weights!.data);
    expect(w).toHaveLength(170);
    expect(w[5]).toBe(Math.fround(Math.sin(5 * 1.7) / 4));
    expect(p.runs![1].weights).toBeUndefined();
    expect(p.runs![1].metrics!.testAccuracy).toBeNaN();
    expect(p.dataset).toBeUndefined();
  });

  it('version 3: the project dataset and runs on an imported dataset', () => {
    const p = parseProject(fixture(3));
    expect(p.dataset).toEqual({ kind: 'imported', id: 'ds_shapes_1', name: 'shapes', format: 'images', shape: [2, 2, 1], classes: ['circle', 'square', 'triangle'], train: 90, test: 30 });
    expect(p.runs![0].dataset).toEqual(p.dataset);
    expect(p.runs![0].metrics!.restoredEpoch).toBe(1);
    expect(Array.from(new Float32Array(p.runs![0].weights!.data))).toEqual(Array.from({ length: 15 }, (_, i) => (i - 7) / 8));
    expect(p.trainConfig.clip).toBe('norm');
  });

  it('refuses an imported dataset in a version 2 file (version 2 knew only MNIST), and a malformed one', () => {
    const v2 = JSON.parse(fixture(2));
    v2.runs[0].dataset = JSON.parse(fixture(3)).dataset;
    expect(() => parseProject(JSON.stringify(v2))).toThrow('Run 1 has an unknown dataset.');
    const bad = (patch: Record<string, unknown>) => {
      const v3 = JSON.parse(fixture(3));
      Object.assign(v3.dataset, patch);
      return () => parseProject(JSON.stringify(v3));
    };
    expect(bad({ shape: [2, 2] })).toThrow("The project: the imported dataset's shape is not [height, width, channels].");
    expect(bad({ format: 'parquet' })).toThrow('unknown format "parquet"');
    expect(bad({ classes: [1, 2] })).toThrow("classes are not a list of names");
    expect(bad({ train: -1 })).toThrow('example counts are not whole numbers');
    expect(bad({ id: '' })).toThrow('needs an id and a name');
  });

  it("version 3 with a run's recorded preprocessing (optional: files without it load as before)", () => {
    const preprocessing = { normalization: 'per-channel', input: { bytes: true, scale: 1 / 255, mean: [0.25], std: [0.5] }, resize: 'pad', color: 'gray' };
    const v3 = JSON.parse(fixture(3));
    v3.runs[0].dataset.preprocessing = preprocessing;
    const p = parseProject(JSON.stringify(v3));
    expect(p.runs![0].dataset).toEqual({ ...p.dataset, preprocessing });
    expect(parseProject(serializeProject(p))).toEqual(p);
    expect(parseProject(fixture(3)).runs![0].dataset).not.toHaveProperty('preprocessing');
    const bad = (patch: Record<string, unknown>) => {
      const f = JSON.parse(fixture(3));
      f.runs[0].dataset.preprocessing = { ...preprocessing, ...patch };
      return () => parseProject(JSON.stringify(f));
    };
    const invalid = "Run 1: the imported dataset's preprocessing is invalid";
    expect(bad({ normalization: 'zscore' })).toThrow(`${invalid}: unknown normalization "zscore".`);
    expect(bad({ input: { scale: 2 } })).toThrow(/needs "bytes"/);
    expect(bad({ input: { bytes: true, std: [0] } })).toThrow(/std is not a list of 1 to 4 positive numbers/);
    expect(bad({ input: { bytes: true, mean: ['0.5'] } })).toThrow(/mean is not a list/);
    expect(bad({ input: { bytes: true, scale: -1 } })).toThrow(/scale is not a positive number/);
    expect(bad({ resize: 'squash' })).toThrow(/unknown resize policy "squash"/);
    expect(bad({ color: 'cmyk' })).toThrow(/unknown colour mode "cmyk"/);
    const notObject = JSON.parse(fixture(3));
    notObject.dataset.preprocessing = 'standardize';
    expect(() => parseProject(JSON.stringify(notObject))).toThrow("The project: the imported dataset's preprocessing is invalid: not an object.");
  });
});
