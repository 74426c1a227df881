// What a network costs: multiply-adds of one example's forward pass, and the parameters that
// actually take part in it. Only blocks the Classifier depends on count (a dangling branch is not
// compiled into the model, see compiler.ts), and shapes come from analyze().
//
// Counting convention (one "multiply-add" = one multiply accumulated into a sum; per example):
// - Conv2D: outH·outW·k·k·inC·filters. Dense and Classifier: in·units. Bias adds and activations
//   are not counted.
// - Pooling (max, average, L2): outH·outW·C·k·k — each window cell is visited once (a comparison for
//   max, an add for average, a square-and-add for L2), so pooling kinds compare alike. Windows that
//   stick out of the border ('same' padding) count as full windows.
// - Local contrast norm, as compiled (layers/lcn.ts): two local means (of x and of v²), each a mean
//   over the C channels plus a separable k + k Gaussian blur, plus one square per element:
//   H·W·(2·(C + 2k) + C). Subtractions, divisions and square roots are not counted.
// - BatchNorm: one per element (x·scale + shift at inference).
// - Input, Flatten, Activation, Dropout (identity at inference), Add and Concatenate: 0.
import { analyze, incoming } from './analyze';
import { resolveParams } from './catalog';
import type { Analysis, Block, Graph, Shape } from './types';

const size = (s: Shape): number => s.reduce((a, b) => a * b, 1);

/** Ids of the first Classifier and every block it depends on; empty without a Classifier. */
export function blocksReachingOutput(graph: Graph): Set<string> {
  const head = graph.blocks.find((b) => b.type === 'Classifier');
  if (!head) return new Set();
  const inputsOf = incoming(graph);
  const seen = new Set<string>([head.id]);
  const stack = [head.id];
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

/** Multiply-adds of one block for one example, given its input shapes and output shape. */
function blockMultiplyAdds(block: Block, inputs: Shape[], output: Shape): number {
  const p = resolveParams(block);
  const n = (key: string): number => Number(p[key]);
  const input = inputs[0];
  switch (block.type) {
    case 'Conv2D':
      return output[0] * output[1] * n('kernelSize') ** 2 * input[2] * n('filters');
    case 'Dense':
      return input[0] * n('units');
    case 'Classifier':
      return input[0] * n('classes');
    case 'MaxPool2D':
    case 'AvgPool2D':
    case 'L2Pool2D':
      return size(output) * n('poolSize') ** 2;
    case 'LocalContrastNorm': {
      const [h, w, c] = input;
      return h * w * (2 * (c + 2 * n('kernelSize')) + c);
    }
    case 'BatchNorm':
      return size(output);
    default:
      return 0;
  }
}

/**
 * Multiply-adds of one example's forward pass (see the convention above), in total and per block
 * (every block that reaches the Classifier, 0 for free ones). Blocks whose shapes cannot be
 * computed (an invalid graph) count 0.
 */
export function multiplyAdds(graph: Graph, analysis: Analysis = analyze(graph)): { total: number; perBlock: Record<string, number> } {
  const reach = blocksReachingOutput(graph);
  const inputsOf = incoming(graph);
  const perBlock: Record<string, number> = {};
  let total = 0;
  for (const block of graph.blocks) {
    if (!reach.has(block.id)) continue;
    const output = analysis.blocks[block.id]?.shape;
    const inputs = (inputsOf.get(block.id) ?? []).map((id) => analysis.blocks[id]?.shape);
    const known = output !== undefined && inputs.every((s): s is Shape => s !== undefined);
    const count = known ? blockMultiplyAdds(block, inputs as Shape[], output) : 0;
    perBlock[block.id] = count;
    total += count;
  }
  return { total, perBlock };
}

/** Parameters (trainable and not, as Keras counts them) of the blocks that reach the Classifier. */
export function reachableParams(graph: Graph, analysis: Analysis = analyze(graph)): number {
  let total = 0;
  for (const id of blocksReachingOutput(graph)) total += analysis.blocks[id]?.params ?? 0;
  return total;
}
