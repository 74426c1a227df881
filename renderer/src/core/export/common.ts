// What every exporter shares: the export's input (graph, trained weights, run record), the
// compiled plan of the network (the blocks that reach the classifier, in order, with their
// shapes and inputs), and trained weights looked up by block and key. Pure: no tfjs, no I/O.
import { BLOCK_SPEC, resolveParams, type BlockSpec, type LoweringBase, type WeightTensor } from '../blocks/index';
import { analyze, incoming } from '../graph/analyze';
import { blocksReachingOutput } from '../graph/cost';
import type { Block, Graph, Params, Shape } from '../graph/types';
import type { RunRecord } from '../runs/record';
import type { WeightsBlob } from '../train/protocol';

/** One file of an export: its name (relative, no folders) and its bytes or text. */
export interface ExportFile {
  name: string;
  data: Uint8Array | string;
}

export interface ExportInput {
  graph: Graph;
  /** The trained weights, as readModelWeights() packs them (names `<blockId>/<key>`). */
  weights: WeightsBlob;
  /** The run that produced them (settings, metrics, curves); optional for the model files. */
  run?: RunRecord;
}

export class ExportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExportError';
  }
}

export interface PlanStep {
  block: Block;
  spec: BlockSpec;
  params: Params;
  /** Source block ids, in edge order. */
  sources: string[];
  inputShapes: Shape[];
  outputShape: Shape;
}

export interface Plan {
  /** Blocks that reach the classifier, in topological order (the Input first). */
  steps: PlanStep[];
  input: PlanStep;
  output: PlanStep;
  inputShape: Shape;
  classes: number;
  /** Trained tensors by name (`<blockId>/<key>`). */
  tensors: Map<string, WeightTensor>;
}

/** The weights blob as named tensors (views into one copy of the data). */
export function blobTensors(blob: WeightsBlob): Map<string, WeightTensor> {
  const total = blob.specs.reduce((a, s) => a + s.shape.reduce((x, d) => x * d, 1), 0);
  if (blob.data.byteLength !== total * 4) {
    throw new ExportError(`the weights hold ${blob.data.byteLength} bytes but their shapes need ${total * 4}`);
  }
  const all = new Float32Array(blob.data.slice(0));
  const out = new Map<string, WeightTensor>();
  let o = 0;
  for (const s of blob.specs) {
    const n = s.shape.reduce((x, d) => x * d, 1);
    out.set(s.name, { shape: [...s.shape], values: all.subarray(o, o + n) });
    o += n;
  }
  return out;
}

/** Checks the graph (as the compiler does) and lays out the blocks an export writes. */
export function plan(graph: Graph, weights: WeightsBlob): Plan {
  const analysis = analyze(graph);
  if (!analysis.ok) {
    const first = analysis.issues.find((i) => i.severity === 'error');
    throw new ExportError(`the network has errors: ${first?.message ?? 'see the editor'}`);
  }
  const reach = blocksReachingOutput(graph);
  const inputsOf = incoming(graph);
  const byId = new Map(graph.blocks.map((b) => [b.id, b]));
  const steps: PlanStep[] = [];
  for (const id of analysis.order) {
    if (!reach.has(id)) continue;
    const block = byId.get(id) as Block;
    const sources = inputsOf.get(id) ?? [];
    steps.push({
      block,
      spec: BLOCK_SPEC[block.type],
      params: resolveParams(block),
      sources,
      inputShapes: sources.map((s) => analysis.blocks[s].shape as Shape),
      outputShape: analysis.blocks[id].shape as Shape,
    });
  }
  const input = steps.find((s) => s.block.type === 'Input');
  if (steps.some((s) => s.block.type === 'Reconstruction')) {
    throw new ExportError('a Reconstruction (autoencoder) network cannot be exported yet: the ONNX, PyTorch and TF.js exports write classifier networks only');
  }
  const output = steps.find((s) => s.block.type === 'Classifier');
  if (!input || !output) throw new ExportError('the network needs an Input connected to a Softmax classifier');
  const tensors = blobTensors(weights);
  return { steps, input, output, inputShape: input.outputShape, classes: output.outputShape[0], tensors };
}

/** The lowering context every format shares: ids, params, shapes and weights of one block. */
export function loweringBase(p: Plan, step: PlanStep): LoweringBase {
  const id = step.block.id;
  return {
    id,
    params: step.params,
    inputShapes: step.inputShapes,
    outputShape: step.outputShape,
    hasWeight: (key) => p.tensors.has(`${id}/${key}`),
    weight: (key) => {
      const t = p.tensors.get(`${id}/${key}`);
      if (!t) throw new ExportError(`the trained weights have no "${id}/${key}": they do not belong to this network`);
      return t;
    },
  };
}

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Little-endian bytes of float32 values (a copy). */
export function float32Bytes(values: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN) return new Uint8Array(values.slice().buffer);
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return out;
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** A name safe for file names and identifiers derived from a run or project name. */
export function slug(text: string, fallback = 'model'): string {
  const s = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60);
  return s || fallback;
}
