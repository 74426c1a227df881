// The netwright CLI in process (main() with captured output): arguments, help, and every way a
// user's input can be wrong — one line on stderr, exit code 2, no stack trace.
import { TEMPLATES } from '../../renderer/src/core/graph/templates';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main';
import type { Io } from '../../cli/io';
import { ProgressReporter, progressText } from '../../cli/progress';
import { serializeProject } from '../../renderer/src/core/graph/project';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';

function capture(cwd: string) {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { stdout: { write: (s) => void out.push(s) }, stderr: { write: (s) => void err.push(s) }, cwd, env: {} };
  return { io, out: () => out.join(''), err: () => err.join('') };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-cli-'));
});

async function cli(...argv: string[]) {
  const c = capture(dir);
  const code = await main(argv, c.io);
  return { code, stdout: c.out(), stderr: c.err() };
}

/** One line on stderr naming the problem, exit 2, nothing on stdout, no stack trace. */
async function expectUsageError(argv: string[], message: string | RegExp) {
  const r = await cli(...argv);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.endsWith('\n')).toBe(true);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
  expect(r.stderr).toMatch(message);
  return r.stderr;
}

const write = (name: string, text: string) => {
  writeFileSync(join(dir, name), text);
  return join(dir, name);
};

describe('netwright help', () => {
  it('prints the tool help and each command’s help with exit 0', async () => {
    const top = await cli('--help');
    expect(top.code).toBe(0);
    for (const c of ['train', 'eval', 'predict', 'logistic-regression', 'convnetjs-mnist', 'lenet-5', 'small-alexnet-lcn']) expect(top.stdout).toContain(c);
    for (const [cmd, flags] of [['train', ['--epochs', '--limit', '--batch', '--lr', '--backend', '--seed', '--out', '--report']], ['eval', ['--report']], ['predict', ['--report']]] as const) {
      const r = await cli(cmd, '--help');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`Usage: netwright ${cmd}`);
      for (const f of flags) expect(r.stdout).toContain(f);
    }
    expect((await cli('help', 'eval')).stdout).toContain('Usage: netwright eval');
    expect((await cli('train', 'nonsense', '-h')).code).toBe(0);
  });

  it('--version prints the package version', async () => {
    const r = await cli('--version');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^netwright \d+\.\d+\.\d+\n$/);
  });

  it('without a command: the help, exit 2', async () => {
    const r = await cli();
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Usage:');
  });
});

describe('netwright arguments and inputs', () => {
  const graph = instantiate(templateById('logistic-regression')!);
  const project = (over: Record<string, unknown> = {}) => JSON.stringify({ ...JSON.parse(serializeProject({ graph, trainConfig: DEFAULT_TRAIN_CONFIG })), ...over });

  it('refuses bad arguments', async () => {
    await expectUsageError(['fly'], /^netwright: unknown command "fly"/);
    await expectUsageError(['train', 'logistic-regression', '--bogus'], /^netwright train: Unknown option '--bogus' \(see netwright train --help\)$/m);
    await expectUsageError(['train'], 'train: needs exactly one project file or template id, got 0');
    await expectUsageError(['train', 'lenet-5', 'lenet-5'], 'got 2');
    await expectUsageError(['train', 'lenet-5', '--epochs', 'abc'], '--epochs needs a whole number, got "abc"');
    await expectUsageError(['train', 'lenet-5', '--epochs', '0'], 'train: Epochs must be at least 1');
    await expectUsageError(['train', 'lenet-5', '--limit', '2.5'], '--limit needs a whole number');
    await expectUsageError(['train', 'lenet-5', '--limit', '100000'], 'Examples per epoch must be at most 60000');
    await expectUsageError(['train', 'lenet-5', '--batch', '0'], 'Batch size must be at least 1');
    await expectUsageError(['train', 'lenet-5', '--test-limit', '0'], 'Test examples must be at least 1');
    await expectUsageError(['train', 'lenet-5', '--lr', 'fast'], '--lr needs a number, got "fast"');
    await expectUsageError(['train', 'lenet-5', '--lr=-1'], 'Learning rate must be at least');
    await expectUsageError(['train', 'lenet-5', '--lr', '-1'], 'train: --lr needs a value (write --lr=-X for a value that starts with "-")');
    await expectUsageError(['train', 'lenet-5', '--seed', '1.5'], '--seed needs a whole number');
    await expectUsageError(['train', 'lenet-5', '--epochs'], /train: Option '--epochs <value>' argument missing/);
    await expectUsageError(['train', 'lenet-5', '--backend', 'webgl'], 'the webgl backend needs a browser; in Node use --backend wasm or cpu');
    await expectUsageError(['train', 'lenet-5', '--backend', 'tpu'], 'unknown backend "tpu"');
    await expectUsageError(['train', 'lenet-5', '--out', join(dir, 'no/such/folder/p.json')], /--out .*the folder .* does not exist/);
    await expectUsageError(['eval'], 'eval: needs exactly one trained project file, got 0');
    await expectUsageError(['eval', 'a.json', '--limit', '5'], "Unknown option '--limit'");
    await expectUsageError(['predict', 'p.json'], 'predict: needs a trained project file and at least one image or folder');
  });

  it('applies the flags to the source’s settings; the whole test set unless asked', async () => {
    const { trainConfigFrom } = await import('../../cli/commands/train');
    const base = { ...DEFAULT_TRAIN_CONFIG, maxTestExamples: 500, backends: ['webgl' as const], learningRate: 0.05 };
    expect(trainConfigFrom(base, { epochs: '3', limit: '2000', batch: '64', lr: '0.003', seed: '9', backend: 'wasm' })).toEqual({
      ...DEFAULT_TRAIN_CONFIG, epochs: 3, maxExamples: 2000, batchSize: 64, learningRate: 0.003, seed: 9, backends: ['wasm'], maxTestExamples: undefined,
    });
    expect(trainConfigFrom(base, {})).toEqual({ ...base, backends: undefined, maxTestExamples: undefined });
    expect(trainConfigFrom(base, { 'test-limit': '1000', backend: 'auto' })).toMatchObject({ maxTestExamples: 1000, backends: undefined, learningRate: 0.05 });
  });

  it('refuses an unknown template, naming the templates', async () => {
    await expectUsageError(['train', 'resnet-152'], `train: "resnet-152" is neither a project file nor a template (templates: ${TEMPLATES.map((t) => t.id).join(', ')})`);
  });

  it('refuses missing and broken project files, saying what is wrong', async () => {
    await expectUsageError(['train', 'missing.netwright.json'], 'train: cannot read missing.netwright.json: no such file');
    await expectUsageError(['train', write('bad.json', '{ not json')], 'not valid JSON');
    await expectUsageError(['train', write('other.json', '{"format":"something-else"}')], 'This is not a Netwright project file.');
    await expectUsageError(['train', write('future.json', project({ version: 99 }))], 'saved by a newer Netwright (format version 99)');
    await expectUsageError(['eval', dir], 'is a folder, not a project file');
    const badWeights = JSON.parse(project());
    badWeights.runs = [{ id: 'r', name: 'r', createdAt: 1, graph, config: DEFAULT_TRAIN_CONFIG, dataset: { kind: 'mnist' }, state: 'done', curves: { trainLoss: [], trainAcc: [], valLoss: [], valAcc: [], learningRate: [] }, epoch: 1, weights: { specs: [{ name: 'classifier_1/kernel', shape: [784, 10] }], data: 'AAAA' } }];
    await expectUsageError(['eval', write('damaged.json', JSON.stringify(badWeights))], /damaged.json: Run 1 weights hold 3 bytes but their shapes need 31360/);
  });

  it('refuses an invalid network, naming the block at fault', async () => {
    // Input wired straight into the classifier: a 28×28×1 image where a vector is needed.
    const broken = { ...graph, blocks: graph.blocks.filter((b) => b.type !== 'Flatten'), edges: [{ id: 'e1', source: 'input_1', target: 'classifier_1', targetPort: 'in' as const }] };
    const file = write('invalid.json', JSON.stringify({ format: 'netwright-project', version: 2, graph: broken, trainConfig: DEFAULT_TRAIN_CONFIG }));
    await expectUsageError(['train', file], /train: the network is invalid: Softmax classifier block "classifier_1": /);
    const dangling = { ...graph, edges: graph.edges.slice(1) };
    await expectUsageError(['train', write('dangling.json', JSON.stringify({ format: 'netwright-project', version: 1, graph: dangling }))], /block "flatten_1"/);
  });

  it('refuses a network MNIST cannot feed (3 channels), naming the Input block', async () => {
    const rgb = structuredClone(graph);
    rgb.blocks[0].params.channels = 3;
    await expectUsageError(['train', write('rgb.json', serializeProject({ graph: rgb, trainConfig: DEFAULT_TRAIN_CONFIG }))], /Input block "input_1" does not fit MNIST.*3 channel/);
  }, 30_000);

  it('refuses an untrained project for eval and predict', async () => {
    const file = write('untrained.json', project());
    await expectUsageError(['eval', file], /has no trained run with weights: train it first \(netwright train .*untrained.json --out FILE\)/);
    await expectUsageError(['predict', file, dir], 'has no trained run with weights');
  });
});

describe('progress', () => {
  const p = { epoch: 1, epochs: 2, examplesSeen: 1500, totalExamples: 6000, examplesPerSec: 2345.6, loss: 0.51234 };
  it('shows examples, percent, ex/s and loss', () => {
    expect(progressText(p, 10)).toBe('[###.......]  25% 1,500/6,000 examples  2,346 ex/s  loss 0.5123  epoch 1/2');
  });

  it('redraws one line on a terminal, prints throttled plain lines otherwise', () => {
    const tty: string[] = [];
    const bar = new ProgressReporter({ write: (s) => void tty.push(s), isTTY: true, columns: 120 });
    bar.progress(p);
    bar.progress({ ...p, examplesSeen: 3000 });
    bar.line('Epoch 1/2: done');
    expect(tty[0].startsWith('\r[')).toBe(true);
    expect(tty.join('')).not.toMatch(/examples.*\n.*examples/);
    expect(tty.at(-1)).toBe('Epoch 1/2: done\n');

    const plain: string[] = [];
    let t = 0;
    const lines = new ProgressReporter({ write: (s) => void plain.push(s), isTTY: false }, () => t, 5000);
    lines.progress(p);
    t = 1000;
    lines.progress({ ...p, examplesSeen: 2000 }); // too soon: skipped
    t = 6500;
    lines.progress({ ...p, examplesSeen: 4000 });
    t = 7000;
    lines.progress({ ...p, examplesSeen: 6000 }); // the last one is always shown
    expect(plain).toHaveLength(3);
    expect(plain.every((l) => l.endsWith('\n') && !l.includes('\r') && !l.includes('['))).toBe(true);
  });
});
