// Run records as a reduction of the worker's messages: the store applies each FromWorker message
// of a run to its record with reduceRun, so what is on screen and what is stored is one value.
import { multiplyAdds, reachableParams } from '../graph/cost';
import type { Block, Graph } from '../graph/types';
import { expandUnits } from '../graph/units';
import type { TrainConfig } from '../train/config';
import { emptyCurves, type FromWorker, type RunCurves } from '../train/protocol';
import type { RunRecord } from './record';

export function newRunRecord(id: string, name: string, graph: Graph, config: TrainConfig, createdAt: number): RunRecord {
  return {
    id, name, createdAt,
    graph: structuredClone(graph),
    config: structuredClone(config),
    dataset: { kind: 'mnist' },
    state: 'running',
    curves: emptyCurves(),
    epoch: 0,
    metrics: {
      testAccuracy: NaN, testLoss: NaN, seconds: 0, examplesSeen: 0, examplesPerSecond: 0,
      params: reachableParams(graph), multiplyAdds: multiplyAdds(graph).total,
    },
  };
}

/**
 * The network without its layout: moving a block does not make a run stale, changing a filter count
 * (or a unit's repeat count: units are compared expanded) does.
 */
function networkKey(unexpanded: Graph): string {
  const graph = expandUnits(unexpanded);
  const block = (b: Block) => ({ id: b.id, type: b.type, params: Object.fromEntries(Object.entries(b.params).sort(([a], [c]) => a.localeCompare(c))) });
  const blocks = [...graph.blocks].sort((a, b) => a.id.localeCompare(b.id)).map(block);
  const edges = graph.edges.map((e) => `${e.source}>${e.target}`);
  return JSON.stringify({ blocks, edges });
}

/** Whether two graphs are the same network (positions and labels aside). */
export function sameNetwork(a: Graph, b: Graph): boolean {
  return networkKey(a) === networkKey(b);
}

const withNorms = (c: RunCurves, prev: RunCurves): RunCurves => (c.gradientNorms || !prev.gradientNorms ? c : { ...c, gradientNorms: prev.gradientNorms });

const FINAL = new Set(['done', 'stopped', 'error', 'interrupted']);
const isRunMessage = (m: FromWorker): m is Extract<FromWorker, { runId: string }> => 'runId' in m;

/** The record after one of its run's messages (a new object when anything changed). */
export function reduceRun(r: RunRecord, m: FromWorker): RunRecord {
  if (!isRunMessage(m) || m.runId !== r.id) return r;
  // An ended run stays as it ended: late messages (after a worker failure, say) do not revive it.
  if (FINAL.has(r.state)) return r;
  const metrics = r.metrics ?? { testAccuracy: NaN, testLoss: NaN, seconds: 0, examplesSeen: 0, examplesPerSecond: 0, params: 0, multiplyAdds: 0 };
  switch (m.type) {
    case 'status':
      return r.state === 'running' ? r : { ...r, state: 'running' };
    case 'backend':
      return { ...r, backend: m.backend };
    case 'progress':
      return {
        ...r, state: 'running', epoch: Math.max(r.epoch, m.epoch - 1),
        curves: {
          ...r.curves, trainLoss: [...r.curves.trainLoss, [m.examplesSeen, m.loss]], trainAcc: [...r.curves.trainAcc, [m.examplesSeen, m.accuracy]],
          ...(m.gradientNorms?.length ? { gradientNorms: [...(r.curves.gradientNorms ?? []), ...m.gradientNorms.map((g) => ({ examplesSeen: g.examplesSeen, norms: { ...g.norms } }))] } : {}),
        },
        metrics: { ...metrics, examplesSeen: m.examplesSeen },
      };
    case 'epoch': {
      const c = r.curves;
      return {
        ...r, epoch: m.epoch,
        curves: {
          ...c,
          valLoss: Number.isFinite(m.valLoss) ? [...c.valLoss, [m.examplesSeen, m.valLoss]] : c.valLoss,
          valAcc: Number.isFinite(m.valAccuracy) ? [...c.valAcc, [m.examplesSeen, m.valAccuracy]] : c.valAcc,
          learningRate: [...c.learningRate, [m.examplesSeen, m.learningRate]],
        },
      };
    }
    case 'checkpoint':
      // The worker's curves are the authoritative copy (a resumed run continues them).
      // Gradient norms are the renderer's own (the trainer does not keep them): they stay.
      return { ...r, epoch: m.checkpoint.epoch, curves: withNorms(structuredClone(m.checkpoint.curves), r.curves), metrics: { ...metrics, seconds: m.checkpoint.seconds, examplesSeen: m.checkpoint.examplesSeen } };
    case 'paused':
      return { ...r, state: 'paused', metrics: { ...metrics, examplesSeen: m.examplesSeen } };
    case 'done':
      return {
        ...r, state: m.stopped ? 'stopped' : 'done',
        metrics: {
          ...metrics, testAccuracy: m.testAccuracy, testLoss: m.testLoss, seconds: m.seconds, examplesSeen: m.examplesSeen,
          examplesPerSecond: m.seconds > 0 ? m.examplesSeen / m.seconds : 0,
          ...(m.restoredEpoch ? { restoredEpoch: m.restoredEpoch } : {}),
        },
      };
    case 'error':
      return { ...r, state: 'error', error: m.message };
    case 'filters':
    case 'notice':
      return r;
    default: {
      const never: never = m;
      return never;
    }
  }
}
