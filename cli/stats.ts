// Size of a network for run records and reports: parameters (from analyze) and multiply-adds of
// one forward pass of one example, counting the learned layers (Conv2D, Dense, the classifier),
// which dominate; pooling, normalisation and activations are left out.
import { analyze, incoming } from '../renderer/src/core/graph/analyze';
import { resolveParams } from '../renderer/src/core/graph/catalog';
import type { Graph } from '../renderer/src/core/graph/types';

export function networkSize(graph: Graph): { params: number; multiplyAdds: number } {
  const analysis = analyze(graph);
  const inputsOf = incoming(graph);
  let multiplyAdds = 0;
  for (const block of graph.blocks) {
    const out = analysis.blocks[block.id]?.shape;
    const src = inputsOf.get(block.id)?.[0];
    const inShape = src ? analysis.blocks[src]?.shape : undefined;
    if (!out || !inShape) continue;
    const p = resolveParams(block);
    if (block.type === 'Conv2D') {
      const k = Number(p.kernelSize);
      multiplyAdds += out[0] * out[1] * out[2] * k * k * inShape[inShape.length - 1];
    } else if (block.type === 'Dense' || block.type === 'Classifier') {
      multiplyAdds += inShape[0] * out[0];
    }
  }
  return { params: analysis.totalParams, multiplyAdds };
}
