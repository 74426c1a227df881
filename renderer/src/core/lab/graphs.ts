// The networks the experiments train, built as ordinary graphs (the editor can open any of them).
import { resolveParams } from '../blocks/index';
import { instantiate, templateById } from '../graph/templates';
import type { Block, BlockType, Graph, Params } from '../graph/types';

export type Step = [id: string, type: BlockType, params?: Params];

/** A straight chain laid out left to right. */
export function chain(steps: Step[]): Graph {
  const blocks: Block[] = steps.map(([id, type, params = {}], i) => ({
    id, type, params: resolveParams({ type, params }), position: { x: 40 + i * 230, y: 120 + (i % 2) * 40 },
  }));
  const edges = blocks.slice(1).map((b, i) => ({ id: `e_${blocks[i].id}_${b.id}`, source: blocks[i].id, target: b.id, targetPort: 'in' as const }));
  return { version: 1, blocks, edges };
}

const input28: Step = ['input_1', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }];
const classifier: Step = ['classifier_1', 'Classifier', { classes: 10 }];

/** Logistic regression on raw pixels. */
export const logisticRegression = (): Graph => chain([input28, ['flatten_1', 'Flatten'], classifier]);

/** Flatten, `depth` Dense layers of `units` with one activation, classifier. */
export function mlp(depth: number, units: number | number[], activation: string, extra: Params = {}, dropout = 0): Graph {
  const init = activation === 'relu' ? 'heUniform' : 'glorotUniform';
  const steps: Step[] = [input28, ['flatten_1', 'Flatten']];
  for (let i = 1; i <= depth; i++) {
    const u = Array.isArray(units) ? units[i - 1] : units;
    steps.push([`dense_${i}`, 'Dense', { units: u, activation, initializer: init, ...extra }]);
    if (dropout > 0) steps.push([`dropout_${i}`, 'Dropout', { rate: dropout }]);
  }
  steps.push(classifier);
  return chain(steps);
}

/** Karpathy's ConvNetJS MNIST net (the app's template). */
export function convnetjs(): Graph {
  const t = templateById('convnetjs-mnist');
  if (!t) throw new Error('the convnetjs-mnist template is missing');
  return instantiate(t);
}
