// Project files (.netwright.json): the graph plus the training settings. Parsing checks every
// field and says what is wrong, so a broken file is reported rather than half-loaded.
import { isBlockType } from './catalog';
import type { Block, Edge, Graph } from './types';
import { BACKEND_CHAIN, DEFAULT_TRAIN_CONFIG, type BackendName, type TrainConfig } from '../train/protocol';
import { checkTrainConfig } from '../train/settings';

export const PROJECT_FORMAT = 'netwright-project';
export const PROJECT_EXTENSION = 'netwright.json';

export interface Project {
  graph: Graph;
  trainConfig: TrainConfig;
}

export function serializeProject(project: Project): string {
  return JSON.stringify({ format: PROJECT_FORMAT, version: 1, graph: project.graph, trainConfig: project.trainConfig }, null, 2);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseBlock(v: unknown, i: number): Block {
  if (!isObject(v)) throw new Error(`Block ${i + 1} is not an object.`);
  const { id, type, params, position, label } = v;
  if (typeof id !== 'string' || !/^[A-Za-z0-9_]+$/.test(id)) throw new Error(`Block ${i + 1} has an invalid id.`);
  if (!isBlockType(type)) throw new Error(`Block "${id}" has an unknown type "${String(type)}".`);
  if (!isObject(params)) throw new Error(`Block "${id}" has no parameters object.`);
  for (const [k, p] of Object.entries(params)) {
    if (!['number', 'string', 'boolean'].includes(typeof p)) throw new Error(`Block "${id}" parameter "${k}" is not a number, text or on/off value.`);
  }
  if (!isObject(position) || typeof position.x !== 'number' || typeof position.y !== 'number') {
    throw new Error(`Block "${id}" has no valid position.`);
  }
  return {
    id, type, params: params as Block['params'], position: { x: position.x, y: position.y },
    ...(typeof label === 'string' ? { label } : {}),
  };
}

function parseEdge(v: unknown, i: number, ids: Set<string>): Edge {
  if (!isObject(v)) throw new Error(`Connection ${i + 1} is not an object.`);
  const { id, source, target } = v;
  if (typeof id !== 'string' || typeof source !== 'string' || typeof target !== 'string') {
    throw new Error(`Connection ${i + 1} needs id, source and target.`);
  }
  if (!ids.has(source) || !ids.has(target)) throw new Error(`Connection "${id}" refers to a missing block.`);
  return { id, source, target, targetPort: 'in' };
}

export function parseGraph(v: unknown): Graph {
  if (!isObject(v) || !Array.isArray(v.blocks) || !Array.isArray(v.edges)) throw new Error('The file has no graph (blocks and connections).');
  const blocks = v.blocks.map(parseBlock);
  const ids = new Set(blocks.map((b) => b.id));
  if (ids.size !== blocks.length) throw new Error('Two blocks share the same id.');
  return { version: 1, blocks, edges: v.edges.map((e, i) => parseEdge(e, i, ids)) };
}

function parseTrainConfig(v: unknown): TrainConfig {
  if (v === undefined) return { ...DEFAULT_TRAIN_CONFIG };
  if (!isObject(v)) throw new Error('Training settings are not an object.');
  const out: TrainConfig = { ...DEFAULT_TRAIN_CONFIG };
  for (const key of Object.keys(DEFAULT_TRAIN_CONFIG) as (keyof TrainConfig)[]) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== typeof DEFAULT_TRAIN_CONFIG[key]) throw new Error(`Training setting "${key}" has the wrong type.`);
    (out as unknown as Record<string, unknown>)[key] = v[key];
  }
  for (const key of ['maxExamples', 'maxTestExamples'] as const) {
    if (typeof v[key] === 'number' && v[key] > 0) out[key] = v[key];
  }
  if (v.backends !== undefined) {
    const ok = Array.isArray(v.backends) && v.backends.length > 0 && v.backends.every((b) => BACKEND_CHAIN.includes(b as BackendName));
    if (!ok) throw new Error(`Training setting "backends" must list some of ${BACKEND_CHAIN.join(', ')}.`);
    out.backends = [...(v.backends as BackendName[])];
  }
  // Types alone let through settings the form would refuse (epochs 0, optimizer "rmsprop", ...).
  const problem = checkTrainConfig(out);
  if (problem) throw new Error(problem);
  return out;
}

/** Parses a project file, throwing an Error whose message can be shown to the user as is. */
export function parseProject(text: string): Project {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new Error('This is not a Netwright project: the file is not valid JSON.');
  }
  if (!isObject(data) || data.format !== PROJECT_FORMAT) throw new Error('This is not a Netwright project file.');
  if (data.version !== 1) throw new Error(`This project was saved by a newer Netwright (format version ${String(data.version)}).`);
  return { graph: parseGraph(data.graph), trainConfig: parseTrainConfig(data.trainConfig) };
}
