// netwright patches <trained project> --layer <block id>: the Zeiler–Fergus top-k patches of every
// filter of one layer over the MNIST test set (or --data), through the job server's load +
// viz-patches jobs (the app's Look inside view runs the same job). Writes one PNG grid (a row per
// filter, its k patches left to right, strongest first) and a JSON listing of every patch.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DatasetRef, JobResult } from '../../renderer/src/core/train/protocol';
import { intFlag, parse, stringFlag } from '../args';
import { backendChain, checkGraph, readProjectFile, toJson, trainedRun } from '../common';
import { Engine, newId, RunFailed } from '../engine';
import { CliError, EXIT, type Io } from '../io';
import { mnistRef } from '../mnist';
import { patchGrid } from '../../renderer/src/core/viz/grid';
import { checkMnistInput } from './shared';

const FLAGS = {
  layer: { type: 'string' },
  top: { type: 'string' },
  data: { type: 'string' },
  label: { type: 'string' },
  limit: { type: 'string' },
  out: { type: 'string' },
  backend: { type: 'string' },
} as const;

type Patches = Extract<JobResult, { kind: 'viz-patches' }>;

/** The JSON listing: per filter its patches in model-input pixels (see `offset` for dataset pixels). */
export function patchListing(r: Patches, meta: { project: string; runId: string; runName: string }) {
  return {
    command: 'patches',
    ...meta,
    layer: r.layer,
    split: r.split,
    imagesScanned: r.scanned,
    top: r.k,
    inputShape: r.inputShape,
    offset: { y: r.offset[0], x: r.offset[1] },
    receptiveField: { size: [r.field.y.size, r.field.x.size], jump: [r.field.y.jump, r.field.x.jump], start: [r.field.y.start, r.field.x.start] },
    filters: r.hits.map((hits, filter) => ({
      filter,
      patches: hits.map((h) => ({ image: h.image, x: h.rect.x, y: h.rect.y, width: h.rect.width, height: h.rect.height, activation: h.activation, unit: { y: h.y, x: h.x } })),
    })),
  };
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('patches', argv, FLAGS);
  if (positionals.length !== 1) throw new CliError(`patches: needs exactly one trained project file, got ${positionals.length} (see netwright patches --help)`);
  const [path] = positionals;
  const layer = stringFlag('patches', 'layer', values.layer);
  if (!layer) throw new CliError('patches: --layer <block id> is required (a Conv2D or pooling block of the network)');
  const outDir = stringFlag('patches', 'out', values.out);
  if (!outDir) throw new CliError('patches: --out DIR is required');
  const top = intFlag('patches', 'top', values.top) ?? 9;
  if (top < 1 || top > 64) throw new CliError('patches: --top must be 1..64');
  const limit = intFlag('patches', 'limit', values.limit);
  const dataPath = stringFlag('patches', 'data', values.data);
  const label = stringFlag('patches', 'label', values.label);
  const backends = backendChain('patches', stringFlag('patches', 'backend', values.backend));
  const project = await readProjectFile('patches', path, io);
  const record = trainedRun('patches', project, path);
  checkGraph('patches', record.graph, `the network of run "${record.name}"`);
  if (!record.graph.blocks.some((b) => b.id === layer)) {
    throw new CliError(`patches: the network has no block "${layer}" (blocks: ${record.graph.blocks.map((b) => b.id).join(', ')})`);
  }

  let dataset: DatasetRef;
  if (dataPath !== undefined) {
    const { importPath } = await import('./data');
    const { data, summary } = await importPath('patches', dataPath, io.cwd, label);
    dataset = { kind: 'memory', id: newId('data'), name: summary.name, data };
  } else {
    await checkMnistInput('patches', record.graph);
    dataset = mnistRef(io.env);
  }
  const engine = await Engine.create();
  const runId = record.id;
  try {
    await engine.job({ type: 'load', jobId: newId('load'), runId, graph: record.graph, config: { ...record.config, backends }, dataset, weights: record.weights });
  } catch (e) {
    if (e instanceof RunFailed) {
      if (/No TensorFlow\.js backend/.test(e.message)) throw new CliError(`patches: ${e.message}`, EXIT.failed);
      throw new CliError(`patches: ${path}: run "${record.name}" cannot be loaded: ${e.message}`);
    }
    throw e;
  }
  io.stderr.write(`Top-${top} patches of ${layer} in run "${record.name}" (${engine.backend?.name ?? '?'})\n`);
  let shown = 0;
  const r = await engine.job({ type: 'viz-patches', jobId: newId('patches'), runId, layer, k: top, ...(limit ? { limit } : {}) }, (fraction, message) => {
    if (fraction - shown >= 0.25 || fraction === 1) {
      shown = fraction;
      io.stderr.write(`  ${Math.round(fraction * 100)}% ${message}\n`);
    }
  }).catch((e: Error) => {
    throw new CliError(`patches: ${e.message}`, /no feature maps/.test(e.message) ? EXIT.usage : EXIT.failed);
  });

  const dir = resolve(io.cwd, outDir);
  mkdirSync(dir, { recursive: true });
  const { PNG } = (await import('pngjs')).default;
  const grid = patchGrid(r, Math.max(1, Math.round(32 / Math.max(r.patch[0], r.patch[1]))));
  const png = new PNG({ width: grid.width, height: grid.height });
  png.data = Buffer.from(grid.rgba.buffer, grid.rgba.byteOffset, grid.rgba.byteLength);
  const pngPath = join(dir, `patches-${layer}.png`);
  const jsonPath = join(dir, `patches-${layer}.json`);
  writeFileSync(pngPath, PNG.sync.write(png));
  writeFileSync(jsonPath, toJson(patchListing(r, { project: path, runId: record.id, runName: record.name })));
  io.stderr.write(`Wrote ${pngPath} (${r.hits.length} filters × ${r.k} patches of ${r.patch[0]}×${r.patch[1]} px) and ${jsonPath}\n`);
  return 0;
}
