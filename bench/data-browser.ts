// Data speed in Chromium (issue 7, the browser half of data.ts): the same generated folder of N
// 28×28 grey PNGs (data.ts's generator) imported through the built web app's folder input, twice,
// each in a fresh Chromium with a new profile on disk: stored (the default: the dataset worker decodes into
// OPFS, training streams batches from there) and in memory (`__netwright.setDatasetShelf(null)`:
// the arrays come back to the page and travel to the training worker). For each: images/s from
// setInputFiles to the dataset store's 'ready'; then the same net (fitted to 28×28×1 with the
// dataset-fix-all button), wasm, batch 64, the same seed, trained for a few epochs: examples/s of
// each epoch (epoch messages of the run, timed in the page), the median without the first, the
// ratio streamed / in memory, whether the epoch losses are equal, and the JS memory of the page
// and its workers (performance.measureUserAgentSpecificMemory; the page is cross-origin isolated).
//
// The web app is built once at start with vite.web.config.ts into node_modules/.cache/netwright-
// bench-data-web/ (not dist-web/, which the e2e tests serve); --skip-build reuses that build.
// Run: npx tsx bench/data-browser.ts [--n 10000] [--epochs 5] [--template convnetjs-mnist]
//      [--skip-build] [--incognito] [--report FILE]
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { generate } from './data';
import { serve } from './serve';

const ROOT = resolve(import.meta.dirname, '..');
const OUT = join(ROOT, 'node_modules/.cache/netwright-bench-data-web');
const { values: args } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    epochs: { type: 'string', default: '5' },
    template: { type: 'string', default: 'convnetjs-mnist' },
    'skip-build': { type: 'boolean', default: false },
    /** Playwright's default off-the-record context (OPFS kept in memory, file I/O through the browser process) instead of a profile on disk. */
    incognito: { type: 'boolean', default: false },
    report: { type: 'string' },
  },
});
const N = Number(args.n);
const EPOCHS = Math.max(2, Number(args.epochs));
const BATCH = 64;
const SEED = 5;
type Mode = 'stored' | 'memory';

/** What the bench reads through the app's test handle (window.__netwright). */
interface Handle {
  dataset: {
    status: string;
    error: { message: string } | null;
    current: { id: string; summary: { train: number; test: number; shape: number[] }; storage?: { bytes: number }; data: { train: { images?: ArrayLike<number>; dtype?: string; scale?: number; mean?: number[]; std?: number[] } } } | null;
  };
  training: {
    config: Record<string, unknown>;
    dataset: string;
    startWith(graph: unknown, cfg: unknown, name: string, opts: { onMessage(m: { type: string }): void }): { runId: string; ended: Promise<unknown> } | null;
  };
  graph: { graph: unknown };
  setDatasetShelf(shelf: null): void;
}
/** One run message as the page logged it (t: performance.now() in the page). */
interface Logged { t: number; type: string; epoch?: number; examplesSeen?: number; loss?: number; phase?: string; backend?: string; label?: string; message?: string; testAccuracy?: number; seconds?: number }

interface ModeResult {
  mode: Mode;
  importSeconds: number;
  /** Until setInputFiles returned (Playwright handing the 10k files to the input). */
  pickSeconds: number;
  imagesPerSecond: number;
  train: number;
  test: number;
  storedBytes: number | null;
  backend: string;
  epochSeconds: number[];
  epochExamplesPerSecond: number[];
  medianExamplesPerSecond: number;
  epochLosses: number[];
  testAccuracy: number;
  memory: Record<string, number> | null;
}

async function buildApp(): Promise<void> {
  if (args['skip-build'] && existsSync(join(OUT, 'index.html'))) {
    console.log(`using the existing web build in ${OUT} (--skip-build)`);
    return;
  }
  console.log(`building the web app (vite.web.config.ts) into ${OUT} ...`);
  const t = performance.now();
  await build({ configFile: join(ROOT, 'vite.web.config.ts'), logLevel: 'warn', build: { outDir: OUT, emptyOutDir: true } });
  console.log(`built in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};
const MB = (b: number | undefined) => (b === undefined ? '–' : `${(b / 2 ** 20).toFixed(1)} MB`);

/** JS memory of the page and each worker, by what it is (measureUserAgentSpecificMemory), or null where unavailable. */
async function measureMemory(page: Page): Promise<Record<string, number> | null> {
  return page.evaluate(async () => {
    type Breakdown = { bytes: number; attribution: { url?: string; scope?: string }[] };
    const perf = performance as Performance & { measureUserAgentSpecificMemory?(): Promise<{ bytes: number; breakdown: Breakdown[] }> };
    if (!perf.measureUserAgentSpecificMemory || !crossOriginIsolated) return null;
    const timeout = new Promise<null>((ok) => setTimeout(() => ok(null), 60_000));
    const m = await Promise.race([perf.measureUserAgentSpecificMemory(), timeout]);
    if (!m) return null;
    const out: Record<string, number> = { total: m.bytes };
    for (const b of m.breakdown) {
      const a = b.attribution[0];
      // tfjs-wasm's pthread helpers start from blob: URLs (each also reports the shared wasm memory).
      const file = (a?.url ?? '').split('/').pop()!;
      const name = !a ? 'shared/other' : a.scope === 'Window' ? 'page' : a.url?.startsWith('blob:') ? 'wasm helper workers' : file.replace(/-[\w-]{8}\.js$/, '');
      out[name] = (out[name] ?? 0) + b.bytes;
    }
    return out;
  });
}

const LAUNCH = {
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  // ForceEagerMeasureMemory: measureUserAgentSpecificMemory answers at once instead of after the next GC (up to 20 s).
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--enable-blink-features=ForceEagerMeasureMemory'],
};

/**
 * A fresh browser for one mode. By default a real profile on disk (a new temporary user-data
 * folder), as a user has: Playwright's usual newContext() is off the record, where OPFS lives in
 * memory and every sync-access-handle read is a round trip to the browser process (--incognito).
 */
async function openContext(profile: string): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const viewport = { width: 1440, height: 900 };
  if (args.incognito) {
    const browser = await chromium.launch(LAUNCH);
    const context = await browser.newContext({ viewport });
    return { context, close: () => browser.close() };
  }
  const context = await chromium.launchPersistentContext(profile, { ...LAUNCH, viewport });
  return { context, close: () => context.close() };
}

let chromiumVersion = '?';

async function runMode(url: string, folder: string, profile: string, mode: Mode): Promise<ModeResult> {
  const { context, close } = await openContext(profile);
  // tsx (esbuild keepNames) wraps functions named in page.evaluate callbacks in __name(): give the page one.
  await context.addInitScript('globalThis.__name = (f) => f');
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') console.log(`  [page] ${m.text()}`);
  });
  page.on('pageerror', (e) => console.log(`  [page error] ${e.message}`));
  try {
    if (chromiumVersion === '?') {
      const cdp = await context.newCDPSession(page);
      chromiumVersion = ((await cdp.send('Browser.getVersion')) as { product: string }).product;
    }
    await page.goto(`${url}index.html`);
    await page.locator('.app[data-ready="true"]').waitFor({ timeout: 120_000 });
    await page.getByTestId(`welcome-template-${args.template}`).click();
    if (mode === 'memory') await page.evaluate(() => (window as unknown as { __netwright: Handle }).__netwright.setDatasetShelf(null));

    // Import: from handing the folder to the input until the store says ready (decoded, stored or back in the page, preview opened).
    const t0 = performance.now();
    await page.getByTestId('dataset-folder-input').setInputFiles(folder, { timeout: 300_000 });
    const picked = performance.now();
    await page.waitForFunction(() => ['ready', 'error'].includes((window as unknown as { __netwright: Handle }).__netwright.dataset.status), null, { polling: 50, timeout: 600_000 });
    const importSeconds = (performance.now() - t0) / 1000;
    const ds = await page.evaluate(() => {
      const d = (window as unknown as { __netwright: Handle }).__netwright.dataset;
      return { status: d.status, error: d.error?.message ?? null, id: d.current?.id, train: d.current?.summary.train ?? 0, test: d.current?.summary.test ?? 0, storage: d.current?.storage ?? null,
        // How the page holds the training split: a streamed one by its dtype, arrays by their type.
        holds: ((t) => (t ? `${t.dtype ?? t.images?.constructor.name}${t.scale !== undefined ? `, scale ${t.scale}` : ''}${t.mean ? `, mean ${t.mean.join()} std ${t.std?.join()}` : ''}` : '?'))(d.current?.data.train) };
    });
    if (ds.status !== 'ready') throw new Error(`${mode} import failed: ${ds.error}`);
    if ((mode === 'stored') !== (ds.storage !== null)) throw new Error(`${mode} import: expected it ${mode === 'stored' ? 'stored on disk' : 'in memory'}, storage = ${JSON.stringify(ds.storage)}`);
    console.log(`  ${mode}: imported ${ds.train} train + ${ds.test} test in ${importSeconds.toFixed(1)} s (${((picked - t0) / 1000).toFixed(1)} s of it setInputFiles) = ${Math.round(N / importSeconds)} images/s${ds.storage ? `, ${MB(ds.storage.bytes)} in OPFS` : ''} (${ds.holds})`);

    // Fit the net to 28×28×1 with the button, wasm, then train through the training store (its onMessage hook times the epochs).
    await page.getByTestId('dataset-dialog-close').click();
    if (await page.getByTestId('dataset-fit').count()) {
      await page.getByTestId('dataset-fix-all').click();
      await page.getByTestId('dataset-fit').waitFor({ state: 'detached' });
    }
    await page.getByTestId('train-backend').selectOption('wasm');
    const cfg = { batchSize: BATCH, epochs: EPOCHS, seed: SEED, validationSplit: 0, maxTestExamples: 500, backends: ['wasm'], optimizer: 'adam', learningRate: 0.001, earlyStopping: false };
    await page.evaluate(
      ([cfg, id]) => {
        const w = window as unknown as { __netwright: Handle; __benchLog: Logged[]; __benchEnd: Promise<unknown> };
        const nw = w.__netwright;
        if (nw.training.dataset !== id) throw new Error(`the training dataset is ${nw.training.dataset}, not the import ${id}`);
        w.__benchLog = [];
        const started = nw.training.startWith(nw.graph.graph, { ...JSON.parse(JSON.stringify(nw.training.config)), ...cfg }, 'bench', {
          onMessage: (m) => w.__benchLog.push({ t: performance.now(), ...(m as Omit<Logged, 't'>) }),
        });
        if (!started) throw new Error('the run did not start');
        w.__benchEnd = started.ended.then(() => 'done', (e: unknown) => `error: ${e instanceof Error ? e.message : String(e)}`);
      },
      [cfg, ds.id] as const,
    );
    const end = await page.evaluate(() => (window as unknown as { __benchEnd: Promise<string> }).__benchEnd);
    if (end !== 'done') throw new Error(`${mode} training: ${end}`);
    const memory = await measureMemory(page);
    const log = await page.evaluate(() => (window as unknown as { __benchLog: Logged[] }).__benchLog.map(({ t, type, epoch, examplesSeen, loss, phase, backend, label, testAccuracy }) => ({ t, type, epoch, examplesSeen, loss, phase, backend, label, testAccuracy })));

    const backend = log.find((m) => m.type === 'backend');
    // Epoch k runs from the previous epoch's end (the first: from the first batch's progress report's start, i.e. the 'training' phase).
    const startAt = log.find((m) => m.type === 'status' && m.phase === 'training') ?? log.find((m) => m.type === 'progress')!;
    const epochs = log.filter((m) => m.type === 'epoch');
    const epochSeconds: number[] = [];
    const rates: number[] = [];
    epochs.forEach((e, i) => {
      const prev = i ? epochs[i - 1] : { t: startAt.t, examplesSeen: 0 };
      const s = (e.t - prev.t) / 1000;
      epochSeconds.push(s);
      rates.push((e.examplesSeen! - prev.examplesSeen!) / s);
    });
    const done = log.find((m) => m.type === 'done');
    const result: ModeResult = {
      mode, importSeconds, pickSeconds: (picked - t0) / 1000, imagesPerSecond: N / importSeconds, train: ds.train, test: ds.test,
      storedBytes: ds.storage?.bytes ?? null, backend: backend?.label ?? backend?.backend ?? '?',
      epochSeconds, epochExamplesPerSecond: rates, medianExamplesPerSecond: median(rates.slice(1)),
      epochLosses: epochs.map((e) => e.loss!), testAccuracy: done?.testAccuracy ?? NaN, memory,
    };
    console.log(`  ${mode}: trained on ${result.backend}: epochs ${rates.map((r, i) => `${Math.round(r)} ex/s (${epochSeconds[i].toFixed(1)} s)`).join(', ')}; test accuracy ${(result.testAccuracy * 100).toFixed(1)}%`);
    if (memory) console.log(`  ${mode}: JS memory after training: ${Object.entries(memory).map(([k, v]) => `${k} ${MB(v)}`).join(', ')}`);
    return result;
  } finally {
    await close();
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'netwright-bench-data-browser-'));
  await buildApp();
  const { url, server } = await serve(OUT);
  try {
    let t = performance.now();
    generate(join(dir, 'images'), N);
    console.log(`generated ${N} PNGs (28×28 grey, 10 classes) in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    console.log(`${args.incognito ? 'off-the-record context (OPFS in memory)' : 'a fresh profile on disk per mode'}, ${args.template} fitted to 28×28×1, wasm, batch ${BATCH}, Adam, seed ${SEED}, ${EPOCHS} epochs (no validation split):`);
    t = performance.now();
    const stored = await runMode(url, join(dir, 'images'), join(dir, 'profile-stored'), 'stored');
    const memory = await runMode(url, join(dir, 'images'), join(dir, 'profile-memory'), 'memory');
    const ratio = stored.medianExamplesPerSecond / memory.medianExamplesPerSecond;
    const same = stored.epochLosses.length === memory.epochLosses.length && stored.epochLosses.every((l, i) => l === memory.epochLosses[i]);
    const maxRel = Math.max(...stored.epochLosses.map((l, i) => Math.abs(l - memory.epochLosses[i]) / Math.abs(memory.epochLosses[i])));
    console.log(`\n| ${chromiumVersion} | import images/s (s) | train ex/s, median of epochs 2–${EPOCHS} | per epoch | epoch losses | page JS | training worker JS |`);
    console.log('|---|---:|---:|---|---|---:|---:|');
    for (const r of [stored, memory]) {
      const worker = r.memory ? Object.entries(r.memory).find(([k]) => k.includes('training'))?.[1] : undefined;
      console.log(
        `| ${r.mode === 'stored' ? 'stored (OPFS, streamed)' : 'in memory'} | ${Math.round(r.imagesPerSecond)} (${r.importSeconds.toFixed(1)}) | ${Math.round(r.medianExamplesPerSecond)} | ` +
          `${r.epochExamplesPerSecond.map((x) => Math.round(x)).join(' / ')} | ${r.epochLosses.map((l) => l.toFixed(4)).join(' ')} | ${MB(r.memory?.page)} | ${MB(worker)} |`,
      );
    }
    console.log(`\nstreamed / in memory: ${ratio.toFixed(3)} (${((ratio - 1) * 100).toFixed(1)}%; target within 10%); epoch losses equal: ${same ? 'yes, bit for bit' : `largest relative difference ${maxRel.toExponential(1)}`}`);
    console.log('(2 shared cores: differences under ~10–30% between single runs are noise here)');
    console.log(`total ${((performance.now() - t) / 1000).toFixed(0)} s`);
    if (args.report) {
      writeFileSync(args.report, JSON.stringify({ chromium: chromiumVersion, incognito: args.incognito, n: N, template: args.template, batch: BATCH, epochs: EPOCHS, stored, memory, ratio, lossesEqual: same, lossesMaxRelativeDifference: maxRel }, null, 2) + '\n');
      console.log(`wrote ${args.report}`);
    }
    if (!(maxRel < 1e-5)) process.exitCode = 1; // not the same batches
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
