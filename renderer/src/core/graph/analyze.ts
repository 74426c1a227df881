// Graph analysis: validation, topological order, shape inference and parameter counts, in one
// pass over the plain graph. Runs on every edit, so it is linear in the size of the graph.
import { BLOCKS, checkParam, isBlockType, resolveParams } from './catalog';
import { isOutputType } from '../blocks/index';
import type { Analysis, Block, BlockInfo, Graph, Issue, Shape } from './types';

const fmt = (s: Shape): string => s.join('×');

/** Incoming source ids per block, in edge order (the input order for Concatenate). */
export function incoming(graph: Graph): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const b of graph.blocks) map.set(b.id, []);
  for (const e of graph.edges) map.get(e.target)?.push(e.source);
  return map;
}

/** Kahn's algorithm; blocks left out of the order sit on (or after) a cycle. */
export function topologicalOrder(graph: Graph): string[] {
  const indegree = new Map<string, number>();
  const next = new Map<string, string[]>();
  const ids = new Set(graph.blocks.map((b) => b.id));
  for (const id of ids) {
    indegree.set(id, 0);
    next.set(id, []);
  }
  for (const e of graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) continue;
    indegree.set(e.target, (indegree.get(e.target) ?? 0) + 1);
    next.get(e.source)?.push(e.target);
  }
  const queue = graph.blocks.filter((b) => indegree.get(b.id) === 0).map((b) => b.id);
  const order: string[] = [];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    order.push(id);
    for (const t of next.get(id) ?? []) {
      const d = (indegree.get(t) ?? 0) - 1;
      indegree.set(t, d);
      if (d === 0) queue.push(t);
    }
  }
  return order;
}

function structuralIssues(graph: Graph, inputsOf: Map<string, string[]>, issues: Issue[]): void {
  const ids = new Set(graph.blocks.map((b) => b.id));
  for (const e of graph.edges) {
    if (!ids.has(e.source) || !ids.has(e.target)) {
      issues.push({ severity: 'error', code: 'dangling-edge', message: `A connection refers to a block that does not exist (${e.source} → ${e.target}).`, hint: 'Delete the connection.' });
    }
  }
  const inputs = graph.blocks.filter((b) => b.type === 'Input');
  const heads = graph.blocks.filter((b) => isOutputType(b.type));
  if (inputs.length === 0) {
    issues.push({ severity: 'error', code: 'no-input', message: 'The network has no Input block.', hint: 'Drag an Input block from the palette and connect it to the first layer.' });
  }
  for (const extra of inputs.slice(1)) {
    issues.push({ blockId: extra.id, severity: 'error', code: 'multiple-inputs', message: 'Only one Input block is supported.', hint: 'Delete this Input, or merge the branches after a single Input.' });
  }
  if (heads.length === 0) {
    issues.push({ severity: 'error', code: 'no-classifier', message: 'The network has no Softmax classifier.', hint: 'Add a Softmax classifier block (or, for an autoencoder, a Reconstruction) at the end and connect the last layer to it.' });
  }
  for (const extra of heads.slice(1)) {
    issues.push({ blockId: extra.id, severity: 'error', code: 'multiple-classifiers', message: 'Only one output (Softmax classifier or Reconstruction) is supported.', hint: 'Delete this output block.' });
  }
  const used = new Set(graph.edges.map((e) => e.source));
  for (const b of graph.blocks) {
    if (!isBlockType(b.type)) continue;
    const def = BLOCKS[b.type];
    const n = inputsOf.get(b.id)?.length ?? 0;
    if (def.inputs === 0 && n > 0) {
      issues.push({ blockId: b.id, severity: 'error', code: 'too-many-inputs', message: 'The Input block cannot receive connections.', hint: 'Delete the connection into it.' });
    } else if (def.inputs !== 0 && n === 0) {
      issues.push({ blockId: b.id, severity: 'error', code: 'missing-input', message: `${def.label} has nothing connected to its input.`, hint: 'Drag from the output of the previous block to this block.' });
    } else if (def.inputs === 1 && n > 1) {
      issues.push({ blockId: b.id, severity: 'error', code: 'too-many-inputs', message: `${def.label} takes one input but has ${n}.`, hint: 'Merge the branches with an Add or Concatenate block first.' });
    }
    if (isOutputType(b.type) && used.has(b.id)) {
      issues.push({ blockId: b.id, severity: 'error', code: 'after-output', message: 'The classifier is the network output: nothing can follow it.', hint: 'Delete the connections leaving the classifier.' });
    } else if (!isOutputType(b.type) && !used.has(b.id) && n + (def.inputs === 0 ? 1 : 0) > 0) {
      issues.push({ blockId: b.id, severity: 'warning', code: 'unconnected', message: `The output of ${def.label} is not used.`, hint: 'Connect it to a following block, or delete it.' });
    }
  }
}

/**
 * Blocks that lie on a cycle (strongly connected components of more than one block, or a
 * self-loop), among those Kahn's algorithm left out: the rest of those only sit downstream of one.
 * Tarjan's algorithm, iterative so a long loop cannot overflow the stack.
 */
export function blocksOnCycles(graph: Graph, ordered: ReadonlySet<string> = new Set(topologicalOrder(graph))): Set<string> {
  const next = new Map<string, string[]>();
  for (const b of graph.blocks) if (!ordered.has(b.id)) next.set(b.id, []);
  for (const e of graph.edges) if (next.has(e.source) && next.has(e.target)) next.get(e.source)?.push(e.target);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const result = new Set<string>();
  let counter = 0;
  for (const root of next.keys()) {
    if (index.has(root)) continue;
    const work: [string, number][] = [[root, 0]];
    while (work.length) {
      const frame = work[work.length - 1];
      const [v, i] = frame;
      if (i === 0) {
        index.set(v, counter);
        low.set(v, counter++);
        stack.push(v);
        onStack.add(v);
      }
      const succ = next.get(v) as string[];
      if (i < succ.length) {
        frame[1]++;
        const w = succ[i];
        if (!index.has(w)) work.push([w, 0]);
        else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1][0];
        low.set(parent, Math.min(low.get(parent) as number, low.get(v) as number));
      }
      if (low.get(v) === index.get(v)) {
        const component: string[] = [];
        let w: string;
        do {
          w = stack.pop() as string;
          onStack.delete(w);
          component.push(w);
        } while (w !== v);
        if (component.length > 1 || succ.includes(v)) for (const c of component) result.add(c);
      }
    }
  }
  return result;
}

/**
 * What stops a valid graph from training in the app: every dataset provides images, so a vector
 * Input compiles but has nothing to train on. Kept out of analyze() (the compiler accepts vector
 * inputs); the editor adds these as errors so Train says why instead of failing later.
 */
export function trainabilityIssues(graph: Graph): Issue[] {
  const issues: Issue[] = [];
  for (const block of graph.blocks) {
    if (block.type === 'Input' && resolveParams(block).kind === 'vector') {
      issues.push({
        blockId: block.id, severity: 'error', code: 'bad-param',
        message: 'Vector inputs cannot be trained: every dataset provides images.',
        hint: 'Set Kind to image (height × width × channels); add a Flatten block where you need a vector.',
      });
    }
  }
  return issues;
}

function paramIssues(block: Block, issues: Issue[]): boolean {
  const def = BLOCKS[block.type];
  const params = resolveParams(block);
  let ok = true;
  for (const spec of def.params) {
    const msg = checkParam(spec, params[spec.key]);
    if (msg) {
      ok = false;
      issues.push({ blockId: block.id, severity: 'error', code: 'bad-param', message: msg, hint: spec.help });
    }
  }
  const extra = ok ? def.checkParams?.(params) : undefined;
  if (extra) {
    issues.push({ blockId: block.id, severity: 'error', code: 'bad-param', message: extra });
    ok = false;
  }
  return ok;
}

export function analyze(graph: Graph): Analysis {
  const issues: Issue[] = [];
  const blocks: Record<string, BlockInfo> = {};
  const byId = new Map(graph.blocks.map((b) => [b.id, b]));
  const inputsOf = incoming(graph);

  for (const b of graph.blocks) {
    if (!isBlockType(b.type)) {
      issues.push({ blockId: b.id, severity: 'error', code: 'unknown-block', message: `Unknown block type "${String(b.type)}".`, hint: 'Delete it; the file may come from a newer Netwright.' });
    }
  }
  structuralIssues(graph, inputsOf, issues);

  const order = topologicalOrder(graph);
  const inOrder = new Set(order);
  if (inOrder.size !== graph.blocks.length) {
    const onLoop = blocksOnCycles(graph, inOrder);
    for (const b of graph.blocks) {
      if (inOrder.has(b.id)) continue;
      if (onLoop.has(b.id)) {
        issues.push({ blockId: b.id, severity: 'error', code: 'cycle', message: 'This block is part of a loop: data would flow back into itself.', hint: 'Delete one of the connections that closes the loop.' });
      } else {
        issues.push({ blockId: b.id, severity: 'warning', code: 'unreachable', message: 'Its input comes through a loop, so its shape is unknown.', hint: 'Break the loop before this block.' });
      }
    }
  }

  for (const id of order) {
    const block = byId.get(id) as Block;
    blocks[id] = { params: 0 };
    if (!isBlockType(block.type)) continue;
    const def = BLOCKS[block.type];
    const paramsOk = paramIssues(block, issues);
    const sources = inputsOf.get(id) ?? [];
    const inShapes = sources.map((s) => blocks[s]?.shape);
    if (!paramsOk || inShapes.some((s) => s === undefined)) continue;
    if (def.inputs === 1 && inShapes.length !== 1) continue;
    if (def.inputs === 'many' && inShapes.length === 0) continue;
    const params = resolveParams(block);
    const result = def.shape(params, inShapes as Shape[]);
    if (result.error || !result.shape) {
      issues.push({ blockId: id, severity: 'error', code: 'shape', message: result.error ?? 'Cannot compute the output shape.', hint: result.hint });
      continue;
    }
    if (result.shape.some((d) => !Number.isInteger(d) || d < 1)) {
      issues.push({ blockId: id, severity: 'error', code: 'shape', message: `${def.label} would output ${fmt(result.shape)}: nothing is left of the input.`, hint: 'Use a smaller kernel or stride, or less pooling before this block.' });
      continue;
    }
    blocks[id] = { shape: result.shape, params: def.paramCount(params, inShapes as Shape[], result.shape) };
  }
  for (const b of graph.blocks) blocks[b.id] ??= { params: 0 };

  const totalParams = Object.values(blocks).reduce((a, b) => a + b.params, 0);
  return { blocks, issues, order: inOrder.size === graph.blocks.length ? order : [], totalParams, ok: !issues.some((i) => i.severity === 'error') };
}

/** Issues of one block, errors first. */
export function issuesOf(analysis: Analysis, blockId: string): Issue[] {
  return analysis.issues
    .filter((i) => i.blockId === blockId)
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

export { fmt as formatShape };
