// Graph → tf.LayersModel with the functional API, so any DAG (residual Add, Concatenate branches)
// compiles. Every layer is named after its block id: model.getLayer(blockId) finds a block's layer,
// and saved weights carry block ids. Pure: no training setup (the trainer compiles the optimizer).
import * as tf from '@tensorflow/tfjs';
import { analyze, incoming } from '../graph/analyze';
import { resolveParams } from '../graph/catalog';
import type { Block, Graph, Params } from '../graph/types';
import { SameAvgPool2D } from './layers/avgpool';
import { registerCustomLayers } from './layers/index';
import { SeededDropout } from './layers/dropout';
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

type Activation = 'relu' | 'sigmoid' | 'tanh' | 'linear';
type Initializer = 'glorotUniform' | 'glorotNormal' | 'heUniform' | 'heNormal' | 'normal' | 'zeros';
type Padding = 'same' | 'valid';

const num = (p: Params, key: string): number => Number(p[key]);
const str = <T extends string>(p: Params, key: string): T => String(p[key]) as T;

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
function kernelInitializer(kind: Initializer, p: Params, seed: number | undefined): ReturnType<typeof tf.initializers.zeros> {
  switch (kind) {
    case 'zeros':
      return tf.initializers.zeros();
    case 'normal':
      return tf.initializers.randomNormal({ mean: 0, stddev: num(p, 'initStd'), seed });
    default:
      return SCALED_INITIALIZERS[kind]({ seed });
  }
}

/** The tfjs layer for one non-Input block, named after the block id. */
function makeLayer(block: Block, p: Params, seed: number | undefined): tf.layers.Layer {
  const name = block.id;
  // Each layer gets its own seed, so two equal layers do not start with equal weights.
  const init = (kind: Initializer) => kernelInitializer(kind, p, seed);
  switch (block.type) {
    case 'Conv2D':
      return tf.layers.conv2d({
        name,
        filters: num(p, 'filters'),
        kernelSize: num(p, 'kernelSize'),
        strides: num(p, 'stride'),
        padding: str<Padding>(p, 'padding'),
        activation: str<Activation>(p, 'activation'),
        kernelInitializer: init(str<Initializer>(p, 'initializer')),
        useBias: Boolean(p.useBias),
      });
    case 'MaxPool2D':
      return tf.layers.maxPooling2d({ name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride'), padding: str<Padding>(p, 'padding') });
    case 'AvgPool2D': {
      const args = { name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride') };
      // The stock layer's gradient is wrong at the borders with 'same' padding (see layers/avgpool.ts).
      return str<Padding>(p, 'padding') === 'same'
        ? new SameAvgPool2D({ ...args, padding: 'same' })
        : tf.layers.averagePooling2d({ ...args, padding: 'valid' });
    }
    case 'L2Pool2D':
      return new L2Pool2D({ name, poolSize: num(p, 'poolSize'), strides: num(p, 'stride'), padding: str<Padding>(p, 'padding') });
    case 'LocalContrastNorm':
      return new LocalContrastNorm({ name, kernelSize: num(p, 'kernelSize'), sigma: num(p, 'sigma') });
    case 'Dropout':
      // Seeded: a new mask each step from (seed, step), so a run repeats; tfjs' own seeded Dropout
      // would reuse one mask for the whole run (see layers/dropout.ts).
      return seed === undefined ? tf.layers.dropout({ name, rate: num(p, 'rate') }) : new SeededDropout({ name, rate: num(p, 'rate'), seed });
    case 'Dense':
      return tf.layers.dense({
        name,
        units: num(p, 'units'),
        activation: str<Activation>(p, 'activation'),
        kernelInitializer: init(str<Initializer>(p, 'initializer')),
        useBias: Boolean(p.useBias),
      });
    case 'Flatten':
      return tf.layers.flatten({ name });
    case 'Activation':
      return tf.layers.activation({ name, activation: str<Activation>(p, 'fn') });
    case 'BatchNorm':
      return tf.layers.batchNormalization({ name, axis: -1, momentum: num(p, 'momentum'), epsilon: num(p, 'epsilon') });
    case 'Add':
      return tf.layers.add({ name });
    case 'Concatenate':
      return tf.layers.concatenate({ name, axis: -1 });
    case 'Classifier':
      return tf.layers.dense({ name, units: num(p, 'classes'), activation: 'softmax', kernelInitializer: init('glorotUniform') });
    default:
      throw new CompileError(`Unknown block type "${String(block.type)}".`, block.id);
  }
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
  const head = graph.blocks.find((b) => b.type === 'Classifier');
  if (!input || !head) throw new CompileError('The network needs one Input and one Softmax classifier.');

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
    const model = tf.model({ inputs: outputs.get(input.id) as tf.SymbolicTensor, outputs: outputs.get(head.id) as tf.SymbolicTensor });
    return {
      model,
      inputBlockId: input.id,
      classifierBlockId: head.id,
      inputShape: [...inputShape],
      classes: num(resolveParams(head), 'classes'),
      convBlockIds,
    };
  } catch (err) {
    // Layers built before the failure own weight variables: free them.
    for (const layer of created) if (layer.built) layer.dispose();
    if (err instanceof CompileError) throw err;
    throw new CompileError(`Cannot build ${current.type} "${current.id}": ${(err as Error).message}`, current.id);
  }
}
