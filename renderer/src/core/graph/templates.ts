// Templates that reproduce classic networks. Built from a compact chain description so each
// template reads like the paper's table.
import { resolveParams } from './catalog';
import type { Block, BlockType, Graph, Params } from './types';

export interface Template {
  id: string;
  name: string;
  description: string;
  graph: Graph;
}

type Step = [id: string, type: BlockType, params?: Params];

/** A straight chain of blocks laid out left to right. */
function chain(steps: Step[]): Graph {
  const blocks: Block[] = steps.map(([id, type, params = {}], i) => ({
    id,
    type,
    params: resolveParams({ type, params }),
    position: { x: 40 + i * 230, y: 120 + (i % 2) * 40 },
  }));
  const edges = blocks.slice(1).map((b, i) => ({ id: `e_${blocks[i].id}_${b.id}`, source: blocks[i].id, target: b.id, targetPort: 'in' as const }));
  return { version: 1, blocks, edges };
}

const mnistInput = (size: number): Params => ({ kind: 'image', height: size, width: size, channels: 1 });

export const TEMPLATES: readonly Template[] = [
  {
    id: 'logistic-regression',
    name: 'Logistic regression',
    description: 'The simplest classifier: every pixel votes for every digit. About 92% on MNIST.',
    graph: chain([
      ['input_1', 'Input', mnistInput(28)],
      ['flatten_1', 'Flatten'],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]),
  },
  {
    id: 'convnetjs-mnist',
    name: 'ConvNetJS MNIST',
    description: "Karpathy's ConvNetJS demo net: 24×24 crops, two conv + pool stages, softmax. About 98–99% after one epoch.",
    graph: chain([
      ['input_1', 'Input', mnistInput(24)],
      ['conv2d_1', 'Conv2D', { filters: 8, kernelSize: 5, stride: 1, padding: 'same', activation: 'relu' }],
      ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
      ['conv2d_2', 'Conv2D', { filters: 16, kernelSize: 5, stride: 1, padding: 'same', activation: 'relu' }],
      ['maxpool2d_2', 'MaxPool2D', { poolSize: 3, stride: 3, padding: 'valid' }],
      ['flatten_1', 'Flatten'],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]),
  },
  {
    id: 'lenet-5',
    name: 'LeNet-5',
    description: 'LeCun et al. 1998: tanh convolutions with average-pool subsampling, then 120-84-10 dense layers.',
    graph: chain([
      ['input_1', 'Input', mnistInput(28)],
      ['conv2d_1', 'Conv2D', { filters: 6, kernelSize: 5, padding: 'same', activation: 'tanh', initializer: 'glorotUniform' }],
      ['avgpool2d_1', 'AvgPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
      ['conv2d_2', 'Conv2D', { filters: 16, kernelSize: 5, padding: 'valid', activation: 'tanh', initializer: 'glorotUniform' }],
      ['avgpool2d_2', 'AvgPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
      ['flatten_1', 'Flatten'],
      ['dense_1', 'Dense', { units: 120, activation: 'tanh' }],
      ['dense_2', 'Dense', { units: 84, activation: 'tanh' }],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]),
  },
  {
    id: 'small-alexnet-lcn',
    name: 'Small AlexNet with LCN',
    description: 'Two conv stages each followed by local contrast normalisation and overlapping max pooling, then dropout.',
    graph: chain([
      ['input_1', 'Input', mnistInput(28)],
      ['conv2d_1', 'Conv2D', { filters: 32, kernelSize: 5, padding: 'same', activation: 'relu' }],
      ['localcontrastnorm_1', 'LocalContrastNorm', { kernelSize: 9, sigma: 2 }],
      ['maxpool2d_1', 'MaxPool2D', { poolSize: 3, stride: 2, padding: 'same' }],
      ['conv2d_2', 'Conv2D', { filters: 64, kernelSize: 5, padding: 'same', activation: 'relu' }],
      ['localcontrastnorm_2', 'LocalContrastNorm', { kernelSize: 9, sigma: 2 }],
      ['maxpool2d_2', 'MaxPool2D', { poolSize: 3, stride: 2, padding: 'same' }],
      ['flatten_1', 'Flatten'],
      ['dense_1', 'Dense', { units: 256, activation: 'relu' }],
      ['dropout_1', 'Dropout', { rate: 0.5 }],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]),
  },
];

export function templateById(id: string): Template | undefined {
  return TEMPLATES.find((t) => t.id === id);
}

/** A deep copy, so edits never touch the template itself. */
export function instantiate(template: Template): Graph {
  return structuredClone(template.graph);
}
