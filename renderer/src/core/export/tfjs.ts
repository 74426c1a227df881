// TF.js Layers export: model.json (topology + weights manifest) and weights.bin, loadable with
// stock tf.loadLayersModel; the custom layers (LCN, L2 pooling, same-padded average pooling) ship
// as netwright-layers.js, an ES module exporting register(tf) that registers them with the
// caller's own tfjs instance. Dropout is written as the stock Dropout (the identity at inference).
// Written from the block specs, without tfjs: it runs in the editor's main thread.
import { BLOCK_SPECS } from '../blocks/index';
import { plan, type ExportFile, type ExportInput } from './common';
import { exportPreprocessing, jsPreprocess, type ExportPreprocessing } from './preprocessing';

export const TFJS_REGISTRATION_FILE = 'netwright-layers.js';
const WEIGHTS_FILE = 'weights.bin';

/** The Keras-style topology of the network, as tfjs' model.toJSON() writes it. */
export function tfjsTopology(input: ExportInput): Record<string, unknown> {
  const p = plan(input.graph, input.weights);
  const layers = p.steps.map((step) => {
    const { className, config } = step.spec.tfjs(step.params, step.inputShapes, step.outputShape);
    const name = step.block.id;
    return {
      class_name: className,
      config: { name, trainable: true, ...config },
      name,
      inbound_nodes: step.sources.length === 0 ? [] : [step.sources.map((s) => [s, 0, 0, {}])],
    };
  });
  return {
    class_name: 'Model',
    config: { name: 'netwright', layers, input_layers: [[p.input.block.id, 0, 0]], output_layers: [[p.output.block.id, 0, 0]] },
    keras_version: 'tfjs-layers 4.22.0',
    backend: 'tensor_flow.js',
  };
}

/** The ES module registering every custom layer a Netwright model may use. */
export function tfjsRegistrationModule(): string {
  const helpers = new Map<string, string>();
  const classes: string[] = [];
  const names: string[] = [];
  for (const spec of BLOCK_SPECS) {
    const reg = spec.tfjsRegistration;
    if (!reg) continue;
    for (const [name, code] of Object.entries(reg.helpers ?? {})) helpers.set(name, code);
    classes.push(reg.source);
    names.push(reg.className);
  }
  const indent = (code: string) => code.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n');
  return `// Netwright's custom TensorFlow.js layers (${names.join(', ')}).
// Call register(tf) with your own tfjs instance before tf.loadLayersModel('model.json').
// Registering twice is harmless. Plain JavaScript, no dependencies.

export const CLASS_NAMES = ${JSON.stringify(names)};

export function register(tf) {
  const Layer = tf.layers.Layer;
${indent([...helpers.values(), ...classes].join('\n\n'))}
  return CLASS_NAMES;
}
`;
}

function readme(inputShape: number[], classes: number, pre: ExportPreprocessing): string {
  const shape = `[batch, ${inputShape.join(', ')}]`;
  return `# Netwright model — TensorFlow.js Layers

Files: \`model.json\` (topology and weights manifest), \`${WEIGHTS_FILE}\` (float32 weights) and
\`${TFJS_REGISTRATION_FILE}\` (the custom layers: register them before loading).

Input: float32 ${shape}, channels last, prepared as Netwright prepared the run's data (below).
Output: ${classes} class probabilities per example (softmax).

## Input preprocessing

${pre.description}

\`\`\`js
${jsPreprocess(pre, inputShape.length === 1 ? inputShape[0] : undefined)}
\`\`\`

## In the browser

\`\`\`js
import * as tf from '@tensorflow/tfjs';
import { register } from './${TFJS_REGISTRATION_FILE}';

register(tf);
const model = await tf.loadLayersModel('model.json'); // a URL next to your page
const pixels = tf.zeros([1, ${inputShape.join(', ')}]); // your images: raw pixel values 0..255, channels last
${jsPreprocess(pre, inputShape.length === 1 ? inputShape[0] : undefined)}
const probabilities = model.predict(x);
probabilities.print();
\`\`\`

## In Node (without tfjs-node)

\`\`\`js
import * as tf from '@tensorflow/tfjs';
import { readFile } from 'node:fs/promises';
import { register } from './${TFJS_REGISTRATION_FILE}';

register(tf);
const json = JSON.parse(await readFile('model.json', 'utf8'));
const bin = await readFile('${WEIGHTS_FILE}');
const model = await tf.loadLayersModel(tf.io.fromMemory({
  modelTopology: json.modelTopology,
  weightSpecs: json.weightsManifest.flatMap((g) => g.weights),
  weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
}));
\`\`\`

Dropout is the stock Dropout layer (inactive in predict). Custom layers must be registered in
every context that loads the model (tfjs ignores loadLayersModel's customObjects).
`;
}

export function exportTfjs(input: ExportInput): ExportFile[] {
  const p = plan(input.graph, input.weights);
  const topology = tfjsTopology(input);
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'Netwright',
    convertedBy: null,
    modelTopology: topology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: input.weights.specs.map((s) => ({ name: s.name, shape: [...s.shape], dtype: 'float32' })) }],
  };
  return [
    { name: 'model.json', data: JSON.stringify(modelJson) },
    { name: WEIGHTS_FILE, data: new Uint8Array(input.weights.data.slice(0)) },
    { name: TFJS_REGISTRATION_FILE, data: tfjsRegistrationModule() },
    { name: 'README.md', data: readme(p.inputShape, p.classes, exportPreprocessing(input.run, p.inputShape.length === 3 ? p.inputShape[2] : 1)) },
  ];
}
