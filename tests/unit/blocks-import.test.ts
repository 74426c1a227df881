// Every block that exports to TF.js imports back: for each block type in the registry whose `tfjs`
// lowering writes a layer, and for its defaults and every one-parameter change of them (each enum
// option, each boolean flipped, each number one step off), a small network around the block
// (image or vector input; two branches into a merge block; Flatten and a classifier after it) is
// compiled, exported, imported and exported again: the same blocks, the same model.json and the
// same weights. A block added without a `tfjsImport` (or with one that loses a parameter) fails here.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_SPECS, isOutputType, resolveParams, type BlockSpec } from '../../renderer/src/core/blocks/index';
import { compile } from '../../renderer/src/core/compile/compiler';
import { exportTfjs } from '../../renderer/src/core/export/index';
import { importTfjs } from '../../renderer/src/core/export/import-tfjs';
import { analyze } from '../../renderer/src/core/graph/analyze';
import type { BlockType, Graph, Params, ParamSpec, Shape } from '../../renderer/src/core/graph/types';
import { readModelWeights } from '../../renderer/src/core/train/weights';
import { graphOf } from './helpers/export-graphs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const INPUTS: Params[] = [{ kind: 'image', height: 8, width: 7, channels: 4 }, { kind: 'vector', length: 12 }];

/** Another valid value of one parameter: every other enum option, the other boolean, one step up (or down at the max). */
function otherValues(p: ParamSpec): unknown[] {
  if (p.kind === 'enum') return (p.options ?? []).filter((o) => o !== p.default);
  if (p.kind === 'bool') return [!p.default];
  const step = p.step ?? 1;
  const up = Number(p.default) + step;
  return [p.max !== undefined && up > p.max ? Number(p.default) - step : up];
}

/** The defaults (empty params) and every one-parameter change of them. */
const variants = (spec: BlockSpec): Params[] => [{}, ...spec.params.flatMap((p) => otherValues(p).map((v) => ({ [p.key]: v }) as Params))];

/** Whether the block's tfjs lowering writes a layer (Reconstruction refuses every export). */
function exportsToTfjs(spec: BlockSpec): boolean {
  try {
    spec.tfjs(resolveParams({ type: spec.type, params: {} }), [[8, 7, 4]], [8, 7, 4]);
    return true;
  } catch {
    return false;
  }
}

const shapeOf = (spec: BlockSpec, params: Params, inputs: Shape[]): Shape | undefined => {
  const p = resolveParams({ type: spec.type, params });
  if (spec.checkParams?.(p)) return undefined;
  return spec.shape(p, inputs).shape;
};

/** in → the block (→ Flatten) → classifier (the Input block is its own input); undefined where the block does not fit. */
function networkAround(spec: BlockSpec, params: Params, input: Params): Graph | undefined {
  const blocks: Parameters<typeof graphOf>[0] = [];
  const edges: [string, string][] = [];
  let out: Shape | undefined;
  if (spec.inputs === 0) {
    blocks.push(['block', spec.type, { ...input, ...params }]);
    out = shapeOf(spec, { ...input, ...params }, []);
  } else {
    blocks.push(['in', 'Input', input]);
    const shape = shapeOf(BLOCK_SPECS.find((s) => s.type === 'Input')!, input, [])!;
    if (spec.inputs === 'many') {
      blocks.push(['left', 'Activation', { fn: 'tanh' }], ['right', 'Activation', { fn: 'sigmoid' }]);
      edges.push(['in', 'left'], ['in', 'right'], ['left', 'block'], ['right', 'block']);
      out = shapeOf(spec, params, [shape, shape]);
    } else {
      edges.push(['in', 'block']);
      out = shapeOf(spec, params, [shape]);
    }
    blocks.push(['block', spec.type, params]);
  }
  if (!out) return undefined;
  if (!isOutputType(spec.type)) {
    if (out.length !== 1) blocks.push(['flat', 'Flatten']);
    edges.push(['block', out.length !== 1 ? 'flat' : 'head']);
    if (out.length !== 1) edges.push(['flat', 'head']);
    blocks.push(['head', 'Classifier', { classes: 3 }]);
  }
  const graph = graphOf(blocks, edges);
  return analyze(graph).ok ? graph : undefined;
}

const typesById = (g: Graph) => Object.fromEntries(g.blocks.map((b) => [b.id, b.type as BlockType]));

describe('every block that exports to TF.js imports back', () => {
  const exportable = BLOCK_SPECS.filter(exportsToTfjs);

  it('covers the registry (only blocks whose tfjs lowering refuses are left out)', () => {
    expect(exportable.length).toBeGreaterThan(BLOCK_SPECS.length - 3);
    for (const spec of exportable) expect(spec.tfjsImport, `${spec.type} has a tfjs layer but no tfjsImport`).toBeDefined();
  });

  it.each(exportable.map((s) => [s.type, s] as const))('%s: defaults and every one-parameter change round-trip', async (_type, spec) => {
    const checked: string[] = [];
    for (const params of variants(spec)) {
      for (const input of INPUTS) {
        const graph = networkAround(spec, params, input);
        if (!graph) continue;
        const what = `${spec.type} ${JSON.stringify(params)} on a ${String(input.kind)} input`;
        let model;
        try {
          ({ model } = compile(graph));
        } catch {
          continue; // the analysis lets it through but tfjs cannot build it (Flatten of a vector): nothing to export
        }
        const weights = await readModelWeights(model);
        model.dispose();
        const files = exportTfjs({ graph, weights });
        let imported;
        try {
          imported = importTfjs(files);
        } catch (e) {
          throw new Error(`${what} exports but does not import: ${(e as Error).message}`, { cause: e });
        }
        expect(typesById(imported.graph), what).toEqual(typesById(graph));
        const again = exportTfjs({ graph: imported.graph, weights: imported.weights });
        expect(JSON.parse(again[0].data as string), what).toEqual(JSON.parse(files[0].data as string));
        expect(again[1].data, what).toEqual(files[1].data);
        checked.push(JSON.stringify(params));
      }
    }
    expect(checked, `no test network fits ${spec.type} with its defaults`).toContain('{}');
    // At most one change fits none of the networks (the Sobel bank needs a 3×3 kernel; an LCN window must be odd).
    expect(new Set(checked).size, `${spec.type}: checked ${[...new Set(checked)].join(' ')}`).toBeGreaterThanOrEqual(variants(spec).length - 1);
  });
});
