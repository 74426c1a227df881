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
// Each block's count is its `multiplyAdds` in core/blocks/.
import { analyze, incoming } from './analyze';
import { BLOCK_SPEC, isOutputType, resolveParams } from '../blocks/index';
import type { Analysis, Block, Graph, Shape } from './types';

/** Ids of the first Classifier and every block it depends on; empty without a Classifier. */
export function blocksReachingOutput(graph: Graph): Set<string> {
  const head = graph.blocks.find((b) => isOutputType(b.type));
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

/** Multiply-adds of one block for one example, given its input shapes and output shape (its block spec's count). */
function blockMultiplyAdds(block: Block, inputs: Shape[], output: Shape): number {
  return BLOCK_SPEC[block.type].multiplyAdds(resolveParams(block), inputs, output);
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
