// Import of a TF.js Layers model (model.json + its weight files), as our exporter writes it or as
// stock tfjs saves one: the Keras layer configs map back to blocks (each block reads its own
// layers: `tfjsImport` in core/blocks/<block>.ts; this file only loops over the registry), the
// weights are renamed to `<block id>/<key>` in one WeightsBlob, positions come from autoLayout.
// Layers Netwright has no block for, and options a block cannot express (a dilated conv, BatchNorm
// without scale), are refused with a message naming the layer: an import that computed something
// else would be worse than none. Pure: no tfjs, no I/O (the caller reads the files).
import { BLOCK_SPEC, BLOCK_SPECS, resolveParams } from '../blocks/index';
import { concatBytes } from '../data/arrays';
import { ImportError, isObj } from '../blocks/tfjs-import';
import { analyze, incoming } from '../graph/analyze';
import { multiplyAdds, reachableParams } from '../graph/cost';
import type { Block, BlockType, Edge, Graph, Params } from '../graph/types';
import type { RunRecord } from '../runs/record';
import { DEFAULT_TRAIN_CONFIG } from '../train/config';
import { emptyCurves, type WeightsBlob } from '../train/protocol';
import { autoLayout } from '../viz/layout';

export { ImportError };

export interface ImportedModel {
  graph: Graph;
  weights: WeightsBlob;
  /** A name for the project and the run (the model's own name, else the file's). */
  name: string;
}

type Json = Record<string, unknown>;

interface Layer {
  className: string;
  name: string;
  config: Json;
  /** Source layer names, in order. */
  inbound: string[];
}

/**
 * One Keras layer as a block: the first block (in registry order) whose `tfjsImport` names the
 * class and reads the layer (the output layer decides softmax → Classifier).
 */
function toBlock(l: Layer, isOutput: boolean): { type: BlockType; params: Params; axis?: number } {
  for (const spec of BLOCK_SPECS) {
    if (!spec.tfjsImport?.classNames.includes(l.className)) continue;
    const read = spec.tfjsImport.read({ className: l.className, name: l.name, config: l.config, isOutput });
    if (read) return { type: spec.type, ...read };
  }
  throw new ImportError(`Layer "${l.name}" is a ${l.className}, which Netwright has no block for.`);
}

/** The layers of a functional Model or a Sequential, with their sources. */
function readLayers(topology: unknown): { layers: Layer[]; output: string; name: string } {
  const top = isObj(topology) && isObj(topology.model_config) ? topology.model_config : topology;
  if (!isObj(top) || typeof top.class_name !== 'string') throw new ImportError('model.json has no model topology.');
  const config = top.config;
  const rawLayers = Array.isArray(config) ? config : isObj(config) && Array.isArray(config.layers) ? config.layers : null;
  if (!rawLayers) throw new ImportError('The model topology has no list of layers.');
  const name = isObj(config) && typeof config.name === 'string' ? config.name : '';
  const layers: Layer[] = rawLayers.map((raw, i) => {
    if (!isObj(raw) || typeof raw.class_name !== 'string' || !isObj(raw.config)) throw new ImportError(`Layer ${i + 1} of model.json is malformed.`);
    const layerName = String(raw.name ?? raw.config.name ?? `layer_${i + 1}`);
    return { className: raw.class_name, name: layerName, config: raw.config, inbound: [] };
  });
  if (top.class_name === 'Sequential') {
    const first = layers[0];
    if (first && first.className !== 'InputLayer') {
      const shape = first.config.batch_input_shape ?? first.config.batch_shape;
      layers.unshift({ className: 'InputLayer', name: `${first.name}_input`, config: { batch_input_shape: shape }, inbound: [] });
    }
    layers.forEach((l, i) => (l.inbound = i === 0 ? [] : [layers[i - 1].name]));
    return { layers, output: layers[layers.length - 1]?.name ?? '', name };
  }
  if (top.class_name !== 'Model' && top.class_name !== 'Functional') throw new ImportError(`A ${top.class_name} model cannot be imported (only Sequential and functional models).`);
  rawLayers.forEach((raw, i) => {
    const nodes = (raw as Json).inbound_nodes;
    if (!Array.isArray(nodes) || nodes.length === 0) return;
    if (nodes.length > 1) throw new ImportError(`Layer "${layers[i].name}" is used more than once (shared layers have no Netwright form).`);
    if (!Array.isArray(nodes[0])) throw new ImportError(`Layer "${layers[i].name}" has connections in a format this import does not read (Keras 3); save it with TensorFlow.js.`);
    layers[i].inbound = (nodes[0] as unknown[]).map((n) => {
      if (!Array.isArray(n) || typeof n[0] !== 'string' || (n[1] ?? 0) !== 0 || (n[2] ?? 0) !== 0) throw new ImportError(`Layer "${layers[i].name}" has a connection this import does not read.`);
      return n[0];
    });
  });
  const outs = isObj(config) ? config.output_layers : undefined;
  if (!Array.isArray(outs) || outs.length !== 1) throw new ImportError('The model must have exactly one output (a softmax classifier).');
  const out = Array.isArray(outs[0]) ? outs[0][0] : undefined;
  if (typeof out !== 'string') throw new ImportError('The model output is malformed.');
  return { layers, output: out, name };
}

/** Block ids that the project format accepts ([A-Za-z0-9_]), unique. */
function blockIds(names: string[]): Map<string, string> {
  const used = new Set<string>();
  const out = new Map<string, string>();
  for (const n of names) {
    const base = n.replace(/[^A-Za-z0-9_]/g, '_') || 'layer';
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}_${k}`;
    used.add(id);
    out.set(n, id);
  }
  return out;
}

/** Weights as `<block id>/<key>`, checked against what each block holds (names and sizes). */
function readWeights(manifest: unknown, files: Map<string, Uint8Array>, ids: Map<string, string>): WeightsBlob {
  if (!Array.isArray(manifest)) throw new ImportError('model.json has no weightsManifest.');
  const specs: WeightsBlob['specs'] = [];
  const parts: Uint8Array[] = [];
  const layerNames = [...ids.keys()].sort((a, b) => b.length - a.length);
  for (const group of manifest) {
    if (!isObj(group) || !Array.isArray(group.paths) || !Array.isArray(group.weights)) throw new ImportError('A weightsManifest entry needs paths and weights.');
    const bytes = concatBytes(group.paths.map((p) => {
      const f = files.get(String(p).split('/').pop() as string);
      if (!f) throw new ImportError(`The weights file "${String(p)}" is missing: pick it together with model.json.`);
      return f;
    }));
    let offset = 0;
    for (const w of group.weights) {
      if (!isObj(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) throw new ImportError('A weight in the manifest needs a name and a shape.');
      const wname = w.name;
      if ((w.dtype ?? 'float32') !== 'float32' || w.quantization) throw new ImportError(`Weight "${wname}" is ${String(w.dtype)}${w.quantization ? ' (quantized)' : ''}; only float32 weights can be imported.`);
      const layer = layerNames.find((n) => wname.startsWith(`${n}/`));
      if (!layer) throw new ImportError(`Weight "${wname}" belongs to no layer of the model.`);
      const size = (w.shape as number[]).reduce((a, d) => a * d, 1) * 4;
      if (offset + size > bytes.length) throw new ImportError(`The weights files are too short: "${wname}" needs ${size} bytes more than they hold.`);
      specs.push({ name: `${ids.get(layer)}/${wname.slice(layer.length + 1)}`, shape: [...(w.shape as number[])] });
      parts.push(bytes.subarray(offset, offset + size));
      offset += size;
    }
    if (offset !== bytes.length) throw new ImportError(`The weights files hold ${bytes.length} bytes but the manifest describes ${offset}.`);
  }
  return { specs, data: concatBytes(parts).buffer as ArrayBuffer };
}


/** The keys each block's weights must have (the compiler's tfjs layers make exactly these). */
function expectedKeys(b: Block): string[] {
  return BLOCK_SPEC[b.type].tfjsImport?.weightKeys?.(resolveParams(b)) ?? [];
}

/**
 * Reads an exported TF.js Layers model: `files` holds model.json and the weight files it names
 * (by file name). Throws ImportError with a message for the user.
 */
export function importTfjs(files: readonly { name: string; data: Uint8Array | string }[], fallbackName = 'Imported model'): ImportedModel {
  const bytes = new Map(files.map((f) => [f.name.split('/').pop() as string, typeof f.data === 'string' ? new TextEncoder().encode(f.data) : f.data]));
  const jsonFile = files.find((f) => /\.json$/i.test(f.name));
  if (!jsonFile) throw new ImportError('Pick model.json together with its weights file(s).');
  let json: unknown;
  try {
    json = JSON.parse(typeof jsonFile.data === 'string' ? jsonFile.data : new TextDecoder().decode(jsonFile.data));
  } catch {
    throw new ImportError(`${jsonFile.name} is not valid JSON.`);
  }
  if (!isObj(json) || !json.modelTopology) throw new ImportError(`${jsonFile.name} is not a TF.js Layers model (no modelTopology).`);
  const { layers, output, name } = readLayers(json.modelTopology);
  const ids = blockIds(layers.map((l) => l.name));
  const known = new Set(layers.map((l) => l.name));
  const blocks: Block[] = [];
  const edges: Edge[] = [];
  const axes = new Map<string, number>();
  for (const l of layers) {
    const { type, params, axis } = toBlock(l, l.name === output);
    const id = ids.get(l.name) as string;
    blocks.push({ id, type, params: { ...resolveParams({ type, params }), ...params }, position: { x: 0, y: 0 } });
    for (const s of l.inbound) {
      if (!known.has(s)) throw new ImportError(`Layer "${l.name}" takes its input from "${s}", which the model does not have.`);
      edges.push({ id: `e_${ids.get(s)}_${id}`, source: ids.get(s) as string, target: id, targetPort: 'in' });
    }
    if (axis !== undefined) axes.set(id, axis);
  }
  if (blocks.find((b) => b.id === ids.get(output))?.type !== 'Classifier') {
    throw new ImportError(`The model's output "${output}" is not a softmax Dense layer; Netwright networks end in a softmax classifier.`);
  }
  const graph = autoLayout({ version: 1, blocks, edges });
  checkAxes(graph, axes);
  const weights = readWeights(json.weightsManifest, bytes, ids);
  checkWeights(graph, weights);
  return { graph, weights, name: name && name !== 'netwright' && !/^(model|sequential)\d*$/.test(name) ? name : fallbackName };
}

/**
 * The network fits together, and the layers read with an axis (`TfjsImported.axis`: BatchNorm,
 * Concatenate) work on the last one (channels).
 */
function checkAxes(graph: Graph, axes: ReadonlyMap<string, number>): void {
  const analysis = analyze(graph);
  const sources = incoming(graph);
  if (!analysis.ok) {
    const first = analysis.issues.find((i) => i.severity === 'error');
    throw new ImportError(`The imported network does not fit together: ${first?.message ?? 'see the editor'}`);
  }
  for (const b of graph.blocks) {
    const axis = axes.get(b.id);
    if (axis === undefined) continue;
    const rank = (analysis.blocks[sources.get(b.id)?.[0] ?? '']?.shape ?? []).length;
    if (axis !== -1 && axis !== rank) throw new ImportError(`Layer "${b.id}" works on axis ${String(axis)}; Netwright's ${b.type} works on the channels (the last axis).`);
  }
}

function checkWeights(graph: Graph, weights: WeightsBlob): void {
  const analysis = analyze(graph);
  const byBlock = new Map<string, { key: string; size: number }[]>();
  for (const s of weights.specs) {
    const cut = s.name.lastIndexOf('/');
    const list = byBlock.get(s.name.slice(0, cut)) ?? [];
    list.push({ key: s.name.slice(cut + 1), size: s.shape.reduce((a, d) => a * d, 1) });
    byBlock.set(s.name.slice(0, cut), list);
  }
  for (const b of graph.blocks) {
    const have = byBlock.get(b.id) ?? [];
    const want = expectedKeys(b);
    if (have.map((h) => h.key).sort().join() !== [...want].sort().join()) {
      throw new ImportError(`The weights of "${b.id}" are [${have.map((h) => h.key).join(', ')}] but a ${b.type} block has [${want.join(', ')}].`);
    }
    const total = have.reduce((a, h) => a + h.size, 0);
    if (total !== analysis.blocks[b.id].params) throw new ImportError(`The weights of "${b.id}" hold ${total} values but the block needs ${analysis.blocks[b.id].params}.`);
    byBlock.delete(b.id);
  }
  if (byBlock.size) throw new ImportError(`The weights have "${[...byBlock.keys()][0]}", which is no block of the network.`);
}

/** A finished run holding the imported weights, so Look inside and Evaluate work on it. */
export function importedRun(model: ImportedModel, id: string, createdAt: number): RunRecord {
  const nan = NaN; // not evaluated yet
  return {
    id, name: `${model.name} (imported)`, createdAt, graph: structuredClone(model.graph), config: { ...DEFAULT_TRAIN_CONFIG },
    dataset: { kind: 'mnist' }, state: 'done', curves: emptyCurves(), epoch: 0,
    metrics: { testAccuracy: nan, testLoss: nan, seconds: 0, examplesSeen: 0, examplesPerSecond: 0, params: reachableParams(model.graph), multiplyAdds: multiplyAdds(model.graph).total },
    weights: model.weights,
  };
}
