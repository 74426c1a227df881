import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type ViteDevServer } from 'vite';
import vue from '@vitejs/plugin-vue';
import { createSSRApp, h, type Component } from 'vue';
import { renderToString } from 'vue/server-renderer';
import {
  describeDifference,
  describeSettings,
  diffConfigs,
  escapeHtml,
  formatCount,
  formatDuration,
  formatPercent,
  runColor,
  toRunRow,
  tradeoffPoints,
  runScore,
  type RunRow,
} from '../../renderer/src/components/runRows';
import { DEFAULT_TRAIN_CONFIG } from '../../renderer/src/core/train/config';
import { emptyCurves } from '../../renderer/src/core/train/protocol';
import { emptyGraph } from '../../renderer/src/core/graph/edit';
import { autoencoderNet } from '../../renderer/src/core/lab/experiments';
import type { RunRecord } from '../../renderer/src/core/runs/record';

describe('formatCount', () => {
  it('shows about three significant digits with k/M/G', () => {
    expect(formatCount(7_850)).toBe('7.9k');
    expect(formatCount(61_706)).toBe('61.7k');
    expect(formatCount(857_738)).toBe('858k');
    expect(formatCount(1.2e6)).toBe('1.2M');
    expect(formatCount(1_000)).toBe('1k');
    expect(formatCount(3.4e9)).toBe('3.4G');
  });

  it('keeps small counts whole and handles the unit boundaries', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(999.6)).toBe('1k');
    expect(formatCount(99_960)).toBe('100k');
    expect(formatCount(999_960)).toBe('1M');
    expect(formatCount(-7_850)).toBe('-7.9k');
    expect(formatCount(Number.NaN)).toBe('—');
  });
});

describe('formatDuration and formatPercent', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(0.42)).toBe('0.4 s');
    expect(formatDuration(9.9)).toBe('9.9 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(59.6)).toBe('1m 00s');
    expect(formatDuration(185)).toBe('3m 05s');
    expect(formatDuration(3_725)).toBe('1h 02m');
    expect(formatDuration(undefined)).toBe('—');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('—');
  });

  it('formats accuracy with two decimals', () => {
    expect(formatPercent(0.98123)).toBe('98.12%');
    expect(formatPercent(undefined)).toBe('—');
  });
});

describe('runColor', () => {
  it('gives distinct valid colours, stable per index', () => {
    const colours = Array.from({ length: 24 }, (_, i) => runColor(i));
    for (const c of colours) expect(c).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(colours).size).toBe(colours.length);
    expect(runColor(3)).toBe(colours[3]);
    expect(runColor(15)).toBe(colours[15]);
  });

  it('keeps colours light enough for the dark theme', () => {
    for (let i = 0; i < 24; i++) {
      const hex = runColor(i);
      const [r, g, b] = [1, 3, 5].map((o) => parseInt(hex.slice(o, o + 2), 16) / 255);
      // Relative luminance well above the panel surface (#171c24, about 0.011).
      expect(0.2126 * r + 0.7152 * g + 0.0722 * b).toBeGreaterThan(0.25);
    }
  });
});

describe('describeSettings', () => {
  it('summarises the defaults in one short line', () => {
    expect(describeSettings(DEFAULT_TRAIN_CONFIG)).toBe('adam 0.001 · batch 32 · 1 ep');
  });

  it('adds the tricks that are on', () => {
    const line = describeSettings({
      ...DEFAULT_TRAIN_CONFIG,
      optimizer: 'sgd',
      learningRate: 0.01,
      epochs: 5,
      schedule: 'cosine',
      weightDecay: 0.0005,
      clip: 'norm',
      clipValue: 15,
      earlyStopping: true,
      maxExamples: 6000,
    });
    expect(line).toBe('sgd 0.01 · batch 32 · 5 ep · cosine · wd 0.0005 · clip norm 15 · early stop · ≤6k ex');
  });

  it('prints learning rates without float noise', () => {
    expect(describeSettings({ optimizer: 'adam', learningRate: 0.1 * 0.003, batchSize: 8, epochs: 2 })).toBe('adam 0.0003 · batch 8 · 2 ep');
  });
});

describe('diffConfigs', () => {
  it('lists the settings that differ, in definition order', () => {
    const a = { ...DEFAULT_TRAIN_CONFIG };
    const b = { ...DEFAULT_TRAIN_CONFIG, learningRate: 0.01, optimizer: 'sgd' as const, backends: ['wasm' as const] };
    const d = diffConfigs(a, b);
    expect(d.map((x) => x.key)).toEqual(['optimizer', 'learningRate', 'backends']);
    expect(d[1]).toEqual({ key: 'learningRate', a: 0.001, b: 0.01 });
    expect(d.map(describeDifference)).toEqual(['optimizer adam → sgd', 'learningRate 0.001 → 0.01', 'backends — → wasm']);
  });

  it('finds no difference between equal settings, or a partial one and its defaults', () => {
    expect(diffConfigs(DEFAULT_TRAIN_CONFIG, { ...DEFAULT_TRAIN_CONFIG })).toEqual([]);
    expect(diffConfigs({ learningRate: 0.001 }, DEFAULT_TRAIN_CONFIG)).toEqual([]);
    expect(diffConfigs({ backends: ['webgl', 'cpu'] }, { backends: ['webgl', 'cpu'] })).toEqual([]);
    expect(diffConfigs({ backends: ['webgl', 'cpu'] }, { backends: ['cpu', 'webgl'] }).map((x) => x.key)).toEqual(['backends']);
  });
});

const record = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'r1',
  name: 'ConvNetJS · relu',
  createdAt: 1_700_000_000_000,
  graph: emptyGraph(),
  config: { ...DEFAULT_TRAIN_CONFIG, epochs: 3 },
  dataset: { kind: 'mnist' },
  state: 'done',
  curves: emptyCurves(),
  epoch: 3,
  metrics: { testAccuracy: 0.981, testLoss: 0.06, seconds: 42, examplesSeen: 180_000, examplesPerSecond: 4_300, params: 61_706, multiplyAdds: 857_738 },
  ...over,
});

describe('toRunRow and tradeoffPoints', () => {
  it('builds a row from a record', () => {
    const row = toRunRow(record(), { colorIndex: 2, stale: true, resumable: false });
    expect(row).toMatchObject({
      id: 'r1',
      state: 'done',
      epoch: 3,
      epochs: 3,
      testAccuracy: 0.981,
      params: 61_706,
      multiplyAdds: 857_738,
      optimizer: 'adam',
      learningRate: 0.001,
      seconds: 42,
      color: runColor(2),
      stale: true,
      resumable: false,
      settings: 'adam 0.001 · batch 32 · 3 ep',
    });
  });

  it('takes the counts from the caller while a run has no metrics', () => {
    const row = toRunRow(record({ state: 'running', metrics: undefined, epoch: 1 }), { colorIndex: 0, stale: false, resumable: false, params: 7_850, multiplyAdds: 7_840 });
    expect(row.testAccuracy).toBeUndefined();
    expect(row.params).toBe(7_850);
    expect(row.multiplyAdds).toBe(7_840);
  });

  it('shows a reconstruction run by its test MSE (accuracy NaN does not apply) and leaves it out of the trade-off chart', () => {
    const ae = record({ id: 'ae', graph: autoencoderNet(), metrics: { testAccuracy: Number.NaN, testLoss: 0.00551, seconds: 5, examplesSeen: 2000, examplesPerSecond: 400, params: 3_000, multiplyAdds: 900_000 } });
    const row = toRunRow(ae, { colorIndex: 0, stale: false, resumable: false });
    expect(row.reconstruction).toBe(true);
    expect(runScore(row)).toMatchObject({ text: 'MSE 0.00551', value: 0.00551 });
    expect(runScore(row).title).toMatch(/accuracy does not apply/);
    expect(runScore({ ...row, testLoss: Number.NaN })).toMatchObject({ text: '—', value: undefined });
    const classifier = toRunRow(record(), { colorIndex: 1, stale: false, resumable: false });
    expect(classifier.reconstruction).toBe(false);
    expect(runScore(classifier)).toEqual({ text: '98.10%', title: 'Test accuracy', value: 0.981 });
    // Even with a finite accuracy, a reconstruction is not a point of the accuracy trade-off.
    expect(tradeoffPoints([row, { ...row, id: 'ae2', testAccuracy: 0.5 }, classifier]).map((p) => p.id)).toEqual(['r1']);
  });

  it('plots only runs with a test accuracy and a size', () => {
    const base = toRunRow(record(), { colorIndex: 0, stale: false, resumable: false });
    const rows: RunRow[] = [
      base,
      { ...base, id: 'r2', testAccuracy: undefined, state: 'running' },
      { ...base, id: 'r3', params: 0 },
      { ...base, id: 'r4', testAccuracy: Number.NaN },
      { ...base, id: 'r5', name: 'small', testAccuracy: 0.92, params: 7_850, multiplyAdds: 7_840, color: runColor(1) },
    ];
    expect(tradeoffPoints(rows)).toEqual([
      { id: 'r1', name: 'ConvNetJS · relu', color: runColor(0), testAccuracy: 0.981, params: 61_706, multiplyAdds: 857_738 },
      { id: 'r5', name: 'small', color: runColor(1), testAccuracy: 0.92, params: 7_850, multiplyAdds: 7_840 },
    ]);
  });
});

describe('escapeHtml', () => {
  it('escapes markup in run names', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });
});

// The components rendered to HTML by Vue's server renderer: no DOM library needed. Vite compiles the
// .vue files (the unit-test config has no Vue plugin). Events and ECharts need a browser: e2e.
describe('run panel components (server-rendered)', () => {
  let server: ViteDevServer;
  const load = async (name: string) => ((await server.ssrLoadModule(`/renderer/src/components/${name}.vue`)) as { default: Component }).default;
  const render = (c: Component, props: Record<string, unknown>) => renderToString(createSSRApp({ render: () => h(c, props) }));
  const count = (html: string, s: string) => html.split(s).length - 1;

  beforeAll(async () => {
    server = await createServer({ configFile: false, root: process.cwd(), plugins: [vue()], server: { middlewareMode: true, hmr: false, ws: false }, appType: 'custom', logLevel: 'error' });
  });
  afterAll(() => server?.close());

  const base = toRunRow(record(), { colorIndex: 0, stale: false, resumable: false });
  const rows: RunRow[] = [
    { ...base, name: 'relu <script>x</script>' },
    { ...base, id: 'r2', name: 'sigmoid', state: 'paused', epoch: 1, testAccuracy: undefined, seconds: undefined, stale: true, resumable: true, color: runColor(1), params: 0, multiplyAdds: 0 },
  ];

  it('lists runs with their state, accuracy, sizes, settings and actions', async () => {
    const html = await render(await load('RunHistory'), { runs: rows, selectedId: 'r1', overlayIds: ['r2'] });
    expect(count(html, 'data-testid="run-row"')).toBe(2);
    expect(html).toContain('data-run-id="r1" data-state="done" aria-current="true"');
    expect(html).toContain('data-run-id="r2" data-state="paused"');
    expect(html).toContain('relu &lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x');
    expect(html).toMatch(/data-testid="run-accuracy" data-value="0.981"[^>]*>98.10%</);
    expect(html).toContain('>61.7k</span> params');
    expect(html).toContain('>858k</span> madds');
    expect(html).toContain('adam 0.001 · batch 32 · 3 ep');
    expect(count(html, 'data-testid="run-reopen"')).toBe(2);
    expect(count(html, 'data-testid="run-resume"')).toBe(1);
    expect(count(html, 'data-testid="run-delete"')).toBe(2);
    expect(count(html, 'older network</span>')).toBe(1);
    // Only r2 is overlaid.
    expect(count(html, 'data-testid="run-overlay" checked')).toBe(1);
    expect(html).toContain('paused 1/3');
    // Sizes not known yet read as a dash, not zero.
    expect(html).toContain('>—</span> params');
    expect(html).not.toContain('>0</span> params');
  });

  it('says what the history is for when there are no runs', async () => {
    const html = await render(await load('RunHistory'), { runs: [], selectedId: null, overlayIds: [] });
    expect(html).toContain('No runs yet');
    expect(html).not.toContain('run-row');
  });

  it('composes the panel: overlaid runs with curves, finished runs on the trade-off chart, their settings compared', async () => {
    const curves = { ...emptyCurves(), trainLoss: [[32, 2.3], [64, 1.9]] as [number, number][] };
    const html = await render(await load('RunsPanel'), {
      rows,
      selectedId: null,
      overlayIds: ['r1', 'r2'],
      curvesById: { r1: curves, r2: curves },
      configsById: { r1: DEFAULT_TRAIN_CONFIG, r2: { ...DEFAULT_TRAIN_CONFIG, learningRate: 0.01 } },
    });
    expect(html).toContain('data-testid="runs-panel"');
    expect(html).toContain('data-testid="run-compare-chart" data-series-count="2" data-metric="loss" data-series="train"');
    expect(html).toContain('data-testid="tradeoff-chart" data-point-count="1" data-x="params"');
    expect(html).toContain('Settings differ: learningRate 0.001 → 0.01');
    for (const id of ['compare-metric-loss', 'compare-metric-accuracy', 'tradeoff-x-params', 'tradeoff-x-madds', 'runs-tab-compare', 'runs-tab-tradeoff']) {
      expect(html).toContain(`data-testid="${id}"`);
    }
  });

  it('shows empty charts when nothing is overlaid or finished', async () => {
    const html = await render(await load('RunsPanel'), { rows: [], selectedId: null, overlayIds: [], curvesById: {} });
    expect(html).toContain('data-series-count="0"');
    expect(html).toContain('data-point-count="0"');
    expect(html).toContain('Tick “overlay” on runs');
    expect(html).toContain('Finished runs appear here');
  });
});
