// Templates that reproduce classic networks. Built from a compact chain description so each
// template reads like the paper's table.
import { resolveParams } from './catalog';
import { edgeId } from './edit';
import type { Block, BlockType, Edge, Graph, Params, Unit } from './types';

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
  return { version: 1, blocks, edges: link(blocks.slice(1).map((b, i) => [blocks[i].id, b.id])) };
}

/** Connections from [source, target] pairs, in order (the input order of merges). */
function link(pairs: [string, string][]): Edge[] {
  const edges: Edge[] = [];
  for (const [source, target] of pairs) edges.push({ id: edgeId({ edges }, source, target), source, target, targetPort: 'in' });
  return edges;
}

type Placed = [id: string, type: BlockType, params: Params, x: number, y: number];

/** A branching graph: blocks at explicit grid positions (columns of 230, rows of 150). */
function net(steps: Placed[], pairs: [string, string][], units?: Unit[]): Graph {
  const blocks: Block[] = steps.map(([id, type, params, x, y]) => ({ id, type, params: resolveParams({ type, params }), position: { x: 40 + x * 230, y: 40 + y * 150 } }));
  return { version: 1, blocks, edges: link(pairs), ...(units ? { units } : {}) };
}

const conv3 = (filters: number, extra: Params = {}): Params => ({ filters, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu', ...extra });

const mnistInput = (size: number): Params => ({ kind: 'image', height: size, width: size, channels: 1 });

export const TEMPLATES: readonly Template[] = [
  {
    id: 'logistic-regression',
    name: 'Logistic regression',
    description: 'The simplest classifier: every pixel votes for every digit. About 91–92% on MNIST.',
    graph: chain([
      ['input_1', 'Input', mnistInput(28)],
      ['flatten_1', 'Flatten'],
      ['classifier_1', 'Classifier', { classes: 10 }],
    ]),
  },
  {
    id: 'convnetjs-mnist',
    name: 'ConvNetJS MNIST',
    description: "Karpathy's ConvNetJS demo net: 24×24 crops, two conv + pool stages, softmax. About 97.5–98% after one epoch (measured here), ~99% after a dozen.",
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
    description: 'After LeCun et al. 1998, in its common modern form: 28×28 input with \'same\' padding, tanh convolutions, plain average pooling, a fully connected C3, 120-84-10 dense layers and softmax (the 1998 net had 32×32 inputs, trainable subsampling, a sparse C3 and RBF outputs).',
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
  {
    id: 'small-resnet',
    name: 'Small residual net',
    description: 'He et al. 2016 in miniature: a 3×3 stem, then one residual block whose two convolutions are added back to their input (the skip connection), pooling and softmax.',
    graph: net(
      [
        ['input_1', 'Input', mnistInput(28), 0, 0],
        ['conv2d_1', 'Conv2D', conv3(16), 1, 0],
        ['conv2d_2', 'Conv2D', conv3(16), 2, 1],
        ['conv2d_3', 'Conv2D', conv3(16, { activation: 'linear' }), 3, 1],
        ['add_1', 'Add', {}, 4, 0],
        ['activation_1', 'Activation', { fn: 'relu' }, 5, 0],
        ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }, 6, 0],
        ['flatten_1', 'Flatten', {}, 7, 0],
        ['classifier_1', 'Classifier', { classes: 10 }, 8, 0],
      ],
      [
        ['input_1', 'conv2d_1'], ['conv2d_1', 'conv2d_2'], ['conv2d_2', 'conv2d_3'], ['conv2d_1', 'add_1'], ['conv2d_3', 'add_1'],
        ['add_1', 'activation_1'], ['activation_1', 'maxpool2d_1'], ['maxpool2d_1', 'flatten_1'], ['flatten_1', 'classifier_1'],
      ],
    ),
  },
  {
    id: 'vgg-unit',
    name: 'VGG-style (unit × 2)',
    description: 'Simonyan & Zisserman 2014 in miniature: a "VGG block" unit (two 3×3 convolutions and a 2×2 max pool) repeated twice, then a dense layer and softmax.',
    graph: net(
      [
        ['input_1', 'Input', mnistInput(28), 0, 0],
        ['conv2d_1', 'Conv2D', conv3(32), 1, 0],
        ['conv2d_2', 'Conv2D', conv3(32), 2, 0],
        ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }, 3, 0],
        ['flatten_1', 'Flatten', {}, 4, 0],
        ['dense_1', 'Dense', { units: 128, activation: 'relu' }, 5, 0],
        ['classifier_1', 'Classifier', { classes: 10 }, 6, 0],
      ],
      [['input_1', 'conv2d_1'], ['conv2d_1', 'conv2d_2'], ['conv2d_2', 'maxpool2d_1'], ['maxpool2d_1', 'flatten_1'], ['flatten_1', 'dense_1'], ['dense_1', 'classifier_1']],
      [{ id: 'unit_1', name: 'VGG block', blockIds: ['conv2d_1', 'conv2d_2', 'maxpool2d_1'], repeat: 2 }],
    ),
  },
  {
    id: 'all-conv',
    name: 'All-convolutional net',
    description: 'Springenberg et al. 2015 in miniature: no pooling layers, strided 3×3 convolutions downsample, a 1×1 convolution makes 10 maps and global average pooling reduces them before softmax.',
    graph: chain([
      ['input_1', 'Input', mnistInput(28)],
      ['conv2d_1', 'Conv2D', conv3(16)],
      ['conv2d_2', 'Conv2D', conv3(16, { stride: 2 })],
      ['conv2d_3', 'Conv2D', conv3(32)],
      ['conv2d_4', 'Conv2D', conv3(32, { stride: 2 })],
      ['conv2d_5', 'Conv2D', { filters: 10, kernelSize: 1, stride: 1, padding: 'same', activation: 'relu' }],
      ['avgpool2d_1', 'AvgPool2D', { poolSize: 7, stride: 7, padding: 'valid' }],
      ['flatten_1', 'Flatten'],
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
