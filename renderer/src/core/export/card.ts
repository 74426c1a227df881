// A model card (Markdown): architecture table, parameters, multiply-adds, dataset, settings,
// metrics and curves of the run.
import { analyze } from '../graph/analyze';
import { multiplyAdds, reachableParams } from '../graph/cost';
import type { CurvePoint } from '../train/protocol';
import type { RunRecord } from '../runs/record';
import { plan, type ExportFile, type ExportInput } from './common';
import { exportPreprocessing } from './preprocessing';

const fmtInt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const fmt = (n: number | undefined, digits = 4): string => (n === undefined || !Number.isFinite(n) ? '—' : Number(n.toPrecision(digits)).toString());
const pct = (n: number | undefined): string => (n === undefined || !Number.isFinite(n) ? '—' : `${(n * 100).toFixed(2)}%`);
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

const SPARKS = '▁▂▃▄▅▆▇█';

/** A one-line picture of a curve. */
export function sparkline(points: readonly CurvePoint[], width = 40): string {
  const values = points.map((p) => p[1]).filter((v) => Number.isFinite(v));
  if (values.length === 0) return '';
  const step = Math.max(1, Math.ceil(values.length / width));
  const picked = values.filter((_, i) => i % step === 0);
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  return picked.map((v) => SPARKS[hi === lo ? 0 : Math.round(((v - lo) / (hi - lo)) * (SPARKS.length - 1))]).join('');
}

const FORMATS: Record<string, string> = { images: 'image folder', csv: 'CSV', idx: 'IDX', npy: 'NumPy' };

/** The Dataset row: name, format, shape, classes, train/test counts, and the normalization in brief. */
export function datasetText(dataset: RunRecord['dataset']): string {
  if (dataset.kind === 'mnist') return 'MNIST (60,000 training and 10,000 test images of handwritten digits, 28×28 grey)';
  const [h, w, c] = dataset.shape;
  const shown = dataset.classes.slice(0, 10).join(', ') + (dataset.classes.length > 10 ? `, … (${dataset.classes.length - 10} more)` : '');
  const norm = dataset.preprocessing ? `normalization "${dataset.preprocessing.normalization}"` : 'no recorded preprocessing';
  return `${dataset.name} (imported ${FORMATS[dataset.format] ?? dataset.format}): ${h}×${w}×${c}, ${dataset.classes.length} classes (${shown}); ` +
    `${fmtInt(dataset.train)} training and ${fmtInt(dataset.test)} test examples; ${norm} (see Input preprocessing)`;
}

function paramsText(params: Record<string, unknown>): string {
  return Object.entries(params).map(([k, v]) => `${k}=${String(v)}`).join(', ');
}

export function modelCard(input: ExportInput): string {
  const p = plan(input.graph, input.weights);
  const analysis = analyze(input.graph);
  const macs = multiplyAdds(input.graph, analysis);
  const params = reachableParams(input.graph, analysis);
  const run = input.run;
  const lines: string[] = [];
  lines.push(`# Model card: ${run ? run.name : 'Netwright network'}`, '');
  const pre = exportPreprocessing(run, p.inputShape.length === 3 ? p.inputShape[2] : 1);
  lines.push(`Trained with Netwright${run ? ` on ${new Date(run.createdAt).toISOString().slice(0, 10)}` : ''}. Input ${p.inputShape.join('×')} (channels last, prepared as described under Input preprocessing); output: probabilities of ${p.classes} classes.`, '');
  lines.push('## Summary', '', '| | |', '|---|---|');
  lines.push(`| Parameters | ${fmtInt(params)} |`);
  lines.push(`| Multiply-adds per example | ${fmtInt(macs.total)} |`);
  if (run) {
    lines.push(`| Dataset | ${cell(datasetText(run.dataset))} |`);
    lines.push(`| State | ${run.state}${run.error ? ` (${cell(run.error)})` : ''} |`);
    lines.push(`| Epochs | ${run.epoch} |`);
    if (run.backend) lines.push(`| Backend | ${run.backend} |`);
    const m = run.metrics;
    if (m) {
      lines.push(`| Test accuracy | ${pct(m.testAccuracy)} |`);
      lines.push(`| Test loss | ${fmt(m.testLoss)} |`);
      lines.push(`| Examples seen | ${fmtInt(m.examplesSeen)} |`);
      lines.push(`| Training time | ${fmt(m.seconds, 3)} s (${fmtInt(m.examplesPerSecond)} examples/s) |`);
      if (m.restoredEpoch !== undefined) lines.push(`| Early stopping | weights of epoch ${m.restoredEpoch} restored |`);
    }
  }
  lines.push('', '## Input preprocessing', '', pre.description);
  if (!pre.identity) lines.push('', `In code: \`PIXEL_SCALE = ${String(pre.scale)}\`, \`MEAN = [${pre.mean.map(String).join(', ')}]\`, \`STD = [${pre.std.map(String).join(', ')}]\` (model.py's \`preprocess()\` in the PyTorch export).`);
  lines.push('', '## Architecture', '', '| # | Block | Type | Output | Parameters | Multiply-adds | Settings |', '|---|---|---|---|---|---|---|');
  p.steps.forEach((s, i) => {
    const id = s.block.id;
    lines.push(`| ${i + 1} | ${cell(s.block.label ?? id)} | ${s.spec.label} | ${s.outputShape.join('×')} | ${fmtInt(analysis.blocks[id]?.params ?? 0)} | ${fmtInt(macs.perBlock[id] ?? 0)} | ${cell(paramsText(s.params))} |`);
  });
  if (run) {
    lines.push('', '## Training settings', '', '| Setting | Value |', '|---|---|');
    for (const [k, v] of Object.entries(run.config)) if (v !== undefined) lines.push(`| ${k} | ${cell(Array.isArray(v) ? v.join(', ') : String(v))} |`);
    const curves: [string, CurvePoint[]][] = [
      ['Training loss', run.curves.trainLoss], ['Training accuracy', run.curves.trainAcc],
      ['Validation loss', run.curves.valLoss], ['Validation accuracy', run.curves.valAcc], ['Learning rate', run.curves.learningRate],
    ];
    lines.push('', '## Curves', '', 'Against examples seen (first → last point).', '', '| Curve | Points | First | Last | Min | Max | Shape |', '|---|---|---|---|---|---|---|');
    for (const [name, pts] of curves) {
      const v = pts.map((q) => q[1]).filter(Number.isFinite);
      if (v.length === 0) {
        lines.push(`| ${name} | 0 | — | — | — | — | |`);
        continue;
      }
      lines.push(`| ${name} | ${pts.length} | ${fmt(v[0])} | ${fmt(v[v.length - 1])} | ${fmt(Math.min(...v))} | ${fmt(Math.max(...v))} | ${sparkline(pts)} |`);
    }
    const val = run.curves.valAcc;
    if (val.length > 0) {
      lines.push('', '| Examples seen | Validation loss | Validation accuracy |', '|---|---|---|');
      run.curves.valLoss.forEach(([x, loss], i) => lines.push(`| ${fmtInt(x)} | ${fmt(loss)} | ${pct(val[i]?.[1])} |`));
    }
  }
  lines.push('', '## Intended use and limits', '');
  lines.push('A network designed and trained in Netwright. Its accuracy holds for inputs like the training data (same size, scaling and kind of image); it has not been evaluated for anything else.', '');
  return lines.join('\n');
}

export function exportCard(input: ExportInput): ExportFile[] {
  return [{ name: 'MODEL_CARD.md', data: modelCard(input) }];
}
