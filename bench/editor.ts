// `npm run bench:editor`: editor responsiveness on a generated 300-block graph, through the real
// graph store (Pinia in Node, no browser): one parameter edit at the top re-validates and re-infers
// every shape (target < 5 ms), and a drag's moves do not re-run the analysis at all.
import { createPinia, setActivePinia } from 'pinia';
import { useGraphStore } from '../renderer/src/stores/graph';
import { addBlock, connect, emptyGraph } from '../renderer/src/core/graph/edit';
import type { BlockType, Graph } from '../renderer/src/core/graph/types';

/** Input → 297 blocks (conv / batch-norm / activation, a residual Add every 12) → Flatten → Classifier. */
function bigGraph(n = 300): Graph {
  let g = emptyGraph();
  const add = (type: BlockType, params: Record<string, number | string> = {}) => {
    const r = addBlock(g, type, { x: g.blocks.length * 230, y: 0 }, params);
    g = r.graph;
    return r.block.id;
  };
  const link = (a: string, b: string) => {
    const r = connect(g, a, b);
    if ('error' in r) throw new Error(r.error);
    g = r.graph;
  };
  let prev = add('Input', { kind: 'image', height: 16, width: 16, channels: 8 });
  let skip = prev;
  const cycle: BlockType[] = ['Conv2D', 'BatchNorm', 'Activation'];
  while (g.blocks.length < n - 2) {
    const i = g.blocks.length;
    if (i % 12 === 0 && skip !== prev) {
      const sum = add('Add');
      link(prev, sum);
      link(skip, sum);
      prev = skip = sum;
      continue;
    }
    const type = cycle[i % 3];
    const id = add(type, type === 'Conv2D' ? { filters: 8, kernelSize: 3, padding: 'same' } : {});
    link(prev, id);
    prev = id;
    if (g.blocks.length === 2) skip = id;
  }
  const flat = add('Flatten');
  link(prev, flat);
  link(flat, add('Classifier'));
  return g;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

setActivePinia(createPinia());
const store = useGraphStore();
store.load(bigGraph(), false);
if (!store.analysis.ok) throw new Error(`generated graph is invalid: ${store.analysis.issues[0]?.message}`);
const firstConv = store.graph.blocks.find((b) => b.type === 'Conv2D')!.id;

// One parameter edit at the top: the store's analysis (units expanded, validated, every shape inferred).
const edits: number[] = [];
for (let i = 0; i < 60; i++) {
  store.setParam(firstConv, 'filters', i % 2 ? 8 : 12);
  const t = performance.now();
  void store.analysis.blocks; // computed: runs now
  edits.push(performance.now() - t);
}

// A drag: 200 intermediate moves of one block.
const before = store.analysis;
let reanalysed = 0;
const moves: number[] = [];
store.checkpoint();
for (let i = 0; i < 200; i++) {
  const t = performance.now();
  store.moveBlock(firstConv, { x: 100 + i, y: 40 }, false);
  if (store.analysis !== before) reanalysed++;
  moves.push(performance.now() - t);
}

console.log(`editor bench: ${store.graph.blocks.length} blocks, ${store.graph.edges.length} connections`);
console.log(`  parameter edit → re-validate + re-infer all shapes: median ${median(edits).toFixed(2)} ms (target < 5 ms)`);
console.log(`  drag: ${moves.length} moves, median ${median(moves).toFixed(3)} ms per move, analysis re-run ${reanalysed} times (target 0)`);
if (median(edits) >= 5 || reanalysed > 0) process.exitCode = 1;
