// Graph → tf.LayersModel with the functional API, so any DAG (residual Add, Concatenate branches)
// compiles. Every layer is named after its block id: model.getLayer(blockId) finds a block's layer,
// and saved weights carry block ids. Pure: no training setup (the trainer compiles the optimizer).
// Each block builds its own layer (its `layer` in core/blocks/); this file wires them together.
import * as tf from '@tensorflow/tfjs';
import { analyze, incoming } from '../graph/analyze';
import { BLOCK_SPEC, isBlockType, isOutputType, resolveParams, type CustomLayerClasses, type Initializer } from '../blocks/index';
import type { Block, Graph, Params } from '../graph/types';
import { SameAvgPool2D } from './layers/avgpool';
import { registerCustomLayers } from './layers/index';
import { SeededDropout } from './layers/dropout';
import { GroupedConv2D } from './layers/groupedconv';
import { Upsample2D } from './layers/upsample';
import { L2Pool2D } from './layers/l2pool';
import { LocalContrastNorm } from './layers/lcn';

export { registerCustomLayers };

export interface CompiledModel {
  model: tf.LayersModel;
  inputBlockId: string;
  classifierBlockId: string;
  /** Input shape without the batch dimension. */
  inputShape: number[];
  classes: number;
  /** Conv2D blocks that are part of the model, in topological order. */
  convBlockIds: string[];
}

export class CompileError extends Error {
  readonly blockId?: string;

  constructor(message: string, blockId?: string) {
    super(message);
    this.name = 'CompileError';
    this.blockId = blockId;
  }
}

const BLOCK_ID = /^[A-Za-z0-9_]+$/;

const num = (p: Params, key: string): number => Number(p[key]);

export interface CompileOptions {
  /** Seeds the weight initializers, so a run can be repeated exactly; unseeded when undefined. */
  seed?: number;
}

const SCALED_INITIALIZERS = {
  glorotUniform: tf.initializers.glorotUniform,
  glorotNormal: tf.initializers.glorotNormal,
  heUniform: tf.initializers.heUniform,
  heNormal: tf.initializers.heNormal,
} as const;

/** A kernel initializer: 'normal' is N(0, initStd²) (tfjs' randomNormal), 'zeros' all zeros. */
function kernelInitializer(kind: string, p: Params, seed: number | undefined): Initializer {
  switch (kind) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'normal':
      return tf.initializers.randomNormal({ mean: 0, stddev: num(p, 'initStd'), seed });
    default: {
      const make = SCALED_INITIALIZERS[kind as keyof typeof SCALED_INITIALIZERS];
      if (!make) throw new Error(`unknown initializer "${kind}"`);
      return make({ seed });
    }
  }
}

const CUSTOM: CustomLayerClasses = { SameAvgPool2D, L2Pool2D, LocalContrastNorm, SeededDropout, GroupedConv2D, Upsample2D };

/** The tfjs layer for one non-Input block, named after the block id (built by its block spec). */
function makeLayer(block: Block, p: Params, seed: number | undefined): tf.layers.Layer {
  const spec = isBlockType(block.type) ? BLOCK_SPEC[block.type] : undefined;
  if (!spec?.layer) throw new CompileError(`Unknown block type "${String(block.type)}".`, block.id);
  // Each layer gets its own seed, so two equal layers do not start with equal weights.
  return spec.layer({ tf, name: block.id, params: p, seed, init: (kind) => kernelInitializer(kind, p, seed), custom: CUSTOM });
}

/** Ids of `target` and every block it depends on: blocks whose output is unused stay out of the model. */
function ancestors(target: string, inputsOf: Map<string, string[]>): Set<string> {
  const seen = new Set<string>([target]);
  const stack = [target];
  while (stack.length > 0) {
    for (const s of inputsOf.get(stack.pop() as string) ?? []) {
      if (!seen.has(s)) {
        seen.add(s);
        stack.push(s);
      }
    }
  }
  return seen;
}

/** Builds the (untrained, optimizer-less) model for a graph that analyze() accepts. */
export function compile(graph: Graph, options: CompileOptions = {}): CompiledModel {
  registerCustomLayers();
  const analysis = analyze(graph);
  if (!analysis.ok) {
    const first = analysis.issues.find((i) => i.severity === 'error');
    throw new CompileError(first?.message ?? 'The network has errors.', first?.blockId);
  }
  const byId = new Map(graph.blocks.map((b) => [b.id, b]));
  for (const b of graph.blocks) {
    if (!BLOCK_ID.test(b.id)) throw new CompileError(`Block id "${b.id}" is not usable as a layer name.`, b.id);
  }
  const input = graph.blocks.find((b) => b.type === 'Input');
  const head = graph.blocks.find((b) => isOutputType(b.type));
  if (!input || !head) throw new CompileError('The network needs one Input and one output (a Softmax classifier or a Reconstruction).');

  const inputsOf = incoming(graph);
  const needed = ancestors(head.id, inputsOf);
  if (!needed.has(input.id)) throw new CompileError('The classifier is not connected to the Input.', head.id);

  const inputShape = analysis.blocks[input.id].shape as number[];
  const outputs = new Map<string, tf.SymbolicTensor>();
  const created: tf.layers.Layer[] = [];
  const convBlockIds: string[] = [];
  let current: Block = input;
  try {
    for (const id of analysis.order) {
      if (!needed.has(id)) continue;
      const block = byId.get(id) as Block;
      current = block;
      if (block.type === 'Input') {
        outputs.set(id, tf.input({ shape: inputShape, name: id }));
        continue;
      }
      const seed = options.seed === undefined ? undefined : options.seed * 1000 + created.length;
      const layer = makeLayer(block, resolveParams(block), seed);
      created.push(layer);
      // Edge order is the input order (it matters for Concatenate).
      const sources = (inputsOf.get(id) ?? []).map((s) => outputs.get(s) as tf.SymbolicTensor);
      const out = layer.apply(sources.length === 1 ? sources[0] : sources) as tf.SymbolicTensor;
      outputs.set(id, out);
      if (block.type === 'Conv2D') convBlockIds.push(id);
    }
    if (head.type === 'Reconstruction') {
      const out = analysis.blocks[head.id].shape ?? [];
      if (out.join('×') !== inputShape.join('×')) {
        throw new CompileError(`The Reconstruction gives ${out.join('×')} but the Input is ${inputShape.join('×')}: an autoencoder must output its input's shape.`, head.id);
      }
    }
    const model = tf.model({ inputs: outputs.get(input.id) as tf.SymbolicTensor, outputs: outputs.get(head.id) as tf.SymbolicTensor });
    return {
      model,
      inputBlockId: input.id,
      classifierBlockId: head.id,
      inputShape: [...inputShape],
      // A reconstruction head has no classes.
      classes: head.type === 'Classifier' ? num(resolveParams(head), 'classes') : 0,
      convBlockIds,
    };
  } catch (err) {
    // Layers built before the failure own weight variables: free them.
    for (const layer of created) if (layer.built) layer.dispose();
    if (err instanceof CompileError) throw err;
    throw new CompileError(`Cannot build ${current.type} "${current.id}": ${(err as Error).message}`, current.id);
  }
}
