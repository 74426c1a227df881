// Project files (.netwright.json): the graph (with its layout), the training settings, the dataset
// the project trains on (a reference, never the data) and the runs trained from it (settings,
// curves, metrics and weights). Parsing checks every field and says what is wrong, so a broken
// file is reported rather than half-loaded. docs/project-format.md describes the format.
//
// Versions: 1 = graph + trainConfig. 2 = + `runs` (MNIST runs only). 3 = + top-level `dataset`,
// and runs may name an imported dataset (optionally with its `preprocessing`: normalization mode,
// scale/mean/std, resize, colour). Older versions migrate on reading; version 3 is written.
// Weights are stored compactly: `specs` as they are, `data` as the base64 of the little-endian
// float32 buffer (4/3 of the raw bytes). Non-finite numbers (a stopped run's NaN test loss) are
// written as null, which JSON can carry, and read back as NaN.
//
// Refused with a message and nothing half-loaded: text that is not JSON or stops early, a future
// version, unknown block types, duplicate block or run ids, connections to missing blocks,
// `__proto__`/`constructor`/`prototype` keys, numbers too large for a double, weights whose byte
// length disagrees with their shapes.
import { isBlockType } from './catalog';
import type { Block, Edge, Graph } from './types';
import { parseUnits } from './units';
import { BACKEND_CHAIN, type BackendName, type CurvePoint, type RunCurves, type TrainConfig, type WeightsBlob } from '../train/protocol';
import { CLIP_MODES, DEFAULT_TRAIN_CONFIG, OPTIMIZERS, SCHEDULES, withDefaults } from '../train/config';
import { checkTrainConfig } from '../train/settings';
import type { DatasetDescriptor, RunMetrics, RunRecord, RunState } from '../runs/record';
import { parsePreprocessing } from '../data/normalize';

export const PROJECT_FORMAT = 'netwright-project';
export const PROJECT_EXTENSION = 'netwright.json';
/** The version this code writes; it reads this one and every older one. */
export const PROJECT_VERSION = 3;

export interface Project {
  graph: Graph;
  trainConfig: TrainConfig;
  /** The dataset the project trains on (version 3); absent: MNIST. */
  dataset?: DatasetDescriptor;
  /** Trained runs (version 2 and later); absent for an untrained project. */
  runs?: RunRecord[];
}

// ---------------------------------------------------------------- base64 (browser, worker and Node alike)

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 4096;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    const end = Math.min(start + CHUNK, bytes.length);
    let s = '';
    let i = start;
    for (; i + 2 < end; i += 3) {
      const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
      s += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63];
    }
    if (i < end) {
      const n = (bytes[i] << 16) | ((i + 1 < end ? bytes[i + 1] : 0) << 8);
      s += B64[n >> 18] + B64[(n >> 12) & 63] + (i + 1 < end ? B64[(n >> 6) & 63] : '=') + '=';
    }
    parts.push(s);
  }
  return parts.join('');
}

/** Strict decoding: only the standard alphabet, padded to a multiple of 4; anything else throws. */
export function base64ToBytes(text: string): Uint8Array {
  if (text.length % 4 !== 0) throw new Error('is not valid base64 (its length is not a multiple of 4)');
  const pad = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    let n = 0;
    for (let k = 0; k < 4; k++) {
      const c = text.charCodeAt(i + k);
      const last = i + 4 === text.length;
      if (c === 61 /* = */ && last && k >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = c < 128 ? B64_INDEX[c] : -1;
      if (v < 0) throw new Error(`is not valid base64 (bad character at ${i + k})`);
      n = (n << 6) | v;
    }
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 255;
    if (o < out.length) out[o++] = n & 255;
  }
  return out;
}

// ---------------------------------------------------------------- writing

/** JSON has no NaN/Infinity: JSON.stringify writes null, which the parser reads back as NaN. */
function weightsToJson(w: WeightsBlob): { specs: WeightsBlob['specs']; data: string } {
  return { specs: w.specs.map((s) => ({ name: s.name, shape: [...s.shape] })), data: bytesToBase64(new Uint8Array(w.data)) };
}

function runToJson(run: RunRecord): Record<string, unknown> {
  const { weights, ...rest } = run;
  return weights ? { ...rest, weights: weightsToJson(weights) } : { ...rest };
}

export function serializeProject(project: Project): string {
  const out: Record<string, unknown> = { format: PROJECT_FORMAT, version: PROJECT_VERSION, graph: project.graph, trainConfig: project.trainConfig };
  if (project.dataset) out.dataset = project.dataset;
  if (project.runs) out.runs = project.runs.map(runToJson);
  return JSON.stringify(out, null, 2);
}

// ---------------------------------------------------------------- reading

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
  const units = parseUnits(v.units, ids);
  return { version: 1, blocks, edges: v.edges.map((e, i) => parseEdge(e, i, ids)), ...(units ? { units } : {}) };
}

const ENUM_SETTINGS: Partial<Record<keyof TrainConfig, readonly string[]>> = { optimizer: OPTIMIZERS, schedule: SCHEDULES, clip: CLIP_MODES };

/**
 * Training settings from a file: each known key type-checked, missing ones completed with
 * withDefaults (older files lack the newer settings), then range-checked like the settings form.
 */
export function parseTrainConfig(v: unknown, where = 'Training setting'): TrainConfig {
  if (v === undefined) return withDefaults({});
  if (!isObject(v)) throw new Error(`${where}s are not an object.`);
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(DEFAULT_TRAIN_CONFIG) as (keyof TrainConfig)[]) {
    if (v[key] === undefined) continue;
    if (typeof v[key] !== typeof DEFAULT_TRAIN_CONFIG[key]) throw new Error(`${where} "${key}" has the wrong type.`);
    if (typeof v[key] === 'number' && !Number.isFinite(v[key])) throw new Error(`${where} "${key}" is not a finite number.`);
    const options = ENUM_SETTINGS[key];
    if (options && !options.includes(v[key] as string)) throw new Error(`${where} "${key}" must be one of ${options.join(', ')}.`);
    picked[key] = v[key];
  }
  for (const key of ['maxExamples', 'maxTestExamples'] as const) {
    if (v[key] === undefined || v[key] === null) continue;
    if (typeof v[key] !== 'number') throw new Error(`${where} "${key}" has the wrong type.`);
    if (v[key] > 0) picked[key] = v[key];
  }
  if (v.backends !== undefined) {
    const ok = Array.isArray(v.backends) && v.backends.length > 0 && v.backends.every((b) => BACKEND_CHAIN.includes(b as BackendName));
    if (!ok) throw new Error(`${where} "backends" must list some of ${BACKEND_CHAIN.join(', ')}.`);
    picked.backends = [...(v.backends as BackendName[])];
  }
  const out = withDefaults(picked as Partial<TrainConfig>);
  // Types alone let through settings the form would refuse (epochs 0, batch 2.5, ...).
  const problem = checkTrainConfig(out);
  if (problem) throw new Error(problem);
  return out;
}

const RUN_STATES: readonly RunState[] = ['running', 'paused', 'done', 'stopped', 'error', 'interrupted'];

/** A number, or null standing for a non-finite one (JSON cannot write NaN). */
function metricNumber(v: unknown, what: string): number {
  if (v === null) return NaN;
  if (typeof v !== 'number') throw new Error(`${what} is not a number.`);
  return v;
}

function parseCurve(v: unknown, what: string): CurvePoint[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list of points.`);
  return v.map((p, i) => {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'number') throw new Error(`${what} point ${i + 1} is not [examples, value].`);
    return [p[0], metricNumber(p[1], `${what} point ${i + 1}`)];
  });
}

function parseCurves(v: unknown, what: string): RunCurves {
  if (!isObject(v)) throw new Error(`${what} has no curves.`);
  return {
    trainLoss: parseCurve(v.trainLoss, `${what} curve "trainLoss"`),
    trainAcc: parseCurve(v.trainAcc, `${what} curve "trainAcc"`),
    valLoss: parseCurve(v.valLoss, `${what} curve "valLoss"`),
    valAcc: parseCurve(v.valAcc, `${what} curve "valAcc"`),
    learningRate: parseCurve(v.learningRate, `${what} curve "learningRate"`),
  };
}

const METRIC_KEYS = ['testAccuracy', 'testLoss', 'seconds', 'examplesSeen', 'examplesPerSecond', 'params', 'multiplyAdds'] as const;

function parseMetrics(v: unknown, what: string): RunMetrics {
  if (!isObject(v)) throw new Error(`${what} metrics are not an object.`);
  const out = {} as RunMetrics;
  for (const key of METRIC_KEYS) out[key] = metricNumber(v[key], `${what} metric "${key}"`);
  if (v.restoredEpoch !== undefined) {
    if (typeof v.restoredEpoch !== 'number' || !Number.isInteger(v.restoredEpoch)) throw new Error(`${what} metric "restoredEpoch" is not a whole number.`);
    out.restoredEpoch = v.restoredEpoch;
  }
  return out;
}

/** Float32 weights: specs with whole non-negative dimensions, and exactly 4 bytes per value. */
export function parseWeights(v: unknown, what: string): WeightsBlob {
  if (!isObject(v) || !Array.isArray(v.specs) || typeof v.data !== 'string') throw new Error(`${what} weights need specs and data.`);
  let values = 0;
  const specs = v.specs.map((s, i) => {
    if (!isObject(s) || typeof s.name !== 'string' || !Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new Error(`${what} weight ${i + 1} needs a name and a shape of whole numbers.`);
    }
    values += (s.shape as number[]).reduce((a, d) => a * d, 1);
    return { name: s.name, shape: [...(s.shape as number[])] };
  });
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(v.data);
  } catch (e) {
    throw new Error(`${what} weights data ${(e as Error).message}.`, { cause: e });
  }
  if (!Number.isSafeInteger(values) || bytes.byteLength !== values * 4) {
    throw new Error(`${what} weights hold ${bytes.byteLength} bytes but their shapes need ${values * 4} (${values} float32 values): the file is damaged.`);
  }
  return { specs, data: bytes.buffer as ArrayBuffer };
}

const DATA_FORMATS = ['images', 'csv', 'idx', 'npy'] as const;
const isCount = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;

/** MNIST, or the description of an imported dataset (version 3; version 2 knew only MNIST). */
export function parseDataset(v: unknown, what: string, version: number): DatasetDescriptor {
  if (isObject(v) && v.kind === 'mnist') return { kind: 'mnist' };
  if (version < 3 || !isObject(v) || v.kind !== 'imported') throw new Error(`${what} has an unknown dataset.`);
  const { id, name, format, shape, classes, train, test } = v;
  if (typeof id !== 'string' || !id || typeof name !== 'string') throw new Error(`${what}: the imported dataset needs an id and a name.`);
  if (!DATA_FORMATS.includes(format as (typeof DATA_FORMATS)[number])) throw new Error(`${what}: the imported dataset has an unknown format "${String(format)}".`);
  if (!Array.isArray(shape) || shape.length !== 3 || !shape.every((d) => isCount(d) && d > 0)) throw new Error(`${what}: the imported dataset's shape is not [height, width, channels].`);
  if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) throw new Error(`${what}: the imported dataset's classes are not a list of names.`);
  if (!isCount(train) || !isCount(test)) throw new Error(`${what}: the imported dataset's example counts are not whole numbers.`);
  // Optional (files from before it was recorded load without it).
  const preprocessing = v.preprocessing === undefined ? undefined : parsePreprocessing(v.preprocessing);
  if (typeof preprocessing === 'string') throw new Error(`${what}: the imported dataset's preprocessing is invalid: ${preprocessing}.`);
  return {
    kind: 'imported', id, name, format: format as (typeof DATA_FORMATS)[number],
    shape: [shape[0], shape[1], shape[2]] as [number, number, number], classes: [...(classes as string[])], train, test,
    ...(preprocessing ? { preprocessing } : {}),
  };
}

function parseRun(v: unknown, i: number, version: number): RunRecord {
  const what = `Run ${i + 1}`;
  if (!isObject(v)) throw new Error(`${what} is not an object.`);
  if (typeof v.id !== 'string' || !v.id) throw new Error(`${what} has no id.`);
  if (typeof v.name !== 'string') throw new Error(`${what} has no name.`);
  if (typeof v.createdAt !== 'number' || !Number.isFinite(v.createdAt)) throw new Error(`${what} has no creation time.`);
  if (!RUN_STATES.includes(v.state as RunState)) throw new Error(`${what} has an unknown state "${String(v.state)}".`);
  const dataset = parseDataset(v.dataset, what, version);
  if (typeof v.epoch !== 'number' || !Number.isInteger(v.epoch) || v.epoch < 0) throw new Error(`${what} has an invalid epoch count.`);
  if (v.backend !== undefined && !BACKEND_CHAIN.includes(v.backend as BackendName)) throw new Error(`${what} has an unknown backend "${String(v.backend)}".`);
  if (v.error !== undefined && typeof v.error !== 'string') throw new Error(`${what} has an invalid error message.`);
  let graph: Graph;
  try {
    graph = parseGraph(v.graph);
  } catch (e) {
    throw new Error(`${what}: ${(e as Error).message}`, { cause: e });
  }
  const run: RunRecord = {
    id: v.id,
    name: v.name,
    createdAt: v.createdAt,
    graph,
    config: parseTrainConfig(v.config, `${what} training setting`),
    dataset,
    state: v.state as RunState,
    curves: parseCurves(v.curves, what),
    epoch: v.epoch,
  };
  if (v.backend !== undefined) run.backend = v.backend as BackendName;
  if (v.metrics !== undefined) run.metrics = parseMetrics(v.metrics, what);
  if (v.error !== undefined) run.error = v.error as string;
  if (v.weights !== undefined) run.weights = parseWeights(v.weights, what);
  return run;
}

/** Keys no project has, refused anywhere in a file (prototype pollution where data is merged). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

class FileContentError extends Error {}

/**
 * JSON.parse, refusing what no project holds: `__proto__` (and constructor/prototype) keys, and
 * numbers too large for a double (1e999 parses as Infinity). Malformed text says so, and a text
 * that stops mid-way is called truncated.
 */
function parseJsonStrictly(text: string): unknown {
  try {
    return JSON.parse(text, (key, value) => {
      if (FORBIDDEN_KEYS.has(key)) throw new FileContentError(`This project file is refused: it has a "${key}" key, which no project has.`);
      if (typeof value === 'number' && !Number.isFinite(value)) throw new FileContentError(`This project file is refused: "${key}" holds a number too large to represent.`);
      return value;
    });
  } catch (e) {
    if (e instanceof FileContentError) throw new Error(e.message, { cause: e });
    const truncated = /end of (JSON )?input|Unterminated/i.test((e as Error).message) && text.trim().length > 0;
    throw new Error(`This is not a Netwright project: the file is not valid JSON${truncated ? ' (it ends too early: truncated?)' : ''}.`, { cause: e });
  }
}

/** Parses a project file, throwing an Error whose message can be shown to the user as is. */
export function parseProject(text: string): Project {
  const data = parseJsonStrictly(text);
  if (!isObject(data) || data.format !== PROJECT_FORMAT) throw new Error('This is not a Netwright project file.');
  const version = data.version;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) throw new Error(`This project file has an invalid format version (${String(version)}).`);
  if (version > PROJECT_VERSION) throw new Error(`This project was saved by a newer Netwright (format version ${version}).`);
  const project: Project = { graph: parseGraph(data.graph), trainConfig: parseTrainConfig(data.trainConfig) };
  // Versions 1 and 2 had no project dataset (MNIST): they migrate without one.
  if (version >= 3 && data.dataset !== undefined) project.dataset = parseDataset(data.dataset, 'The project', version);
  // Version 1 had no runs: it migrates as an untrained project.
  if (version >= 2 && data.runs !== undefined) {
    if (!Array.isArray(data.runs)) throw new Error('The runs of this project are not a list.');
    project.runs = data.runs.map((r, i) => parseRun(r, i, version));
    const ids = new Set(project.runs.map((r) => r.id));
    if (ids.size !== project.runs.length) throw new Error('Two runs share the same id.');
  }
  return project;
}
