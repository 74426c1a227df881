// Checks the commands make once TensorFlow.js is loaded.
import { analyze } from '../../renderer/src/core/graph/analyze';
import type { Graph } from '../../renderer/src/core/graph/types';
import { expandUnits } from '../../renderer/src/core/graph/units';
import type { InputNormalization } from '../../renderer/src/core/data/normalize';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import type { BackendName } from '../../renderer/src/core/train/config';
import { Engine, newId, RunFailed } from '../engine';
import { CliError, EXIT, type Io } from '../io';
import { mnistRef } from '../mnist';
import type { DatasetRef } from '../../renderer/src/core/train/protocol';
import { loadUserData, type DataFlags, type UserData } from './data';

/** MNIST images are 28×28×1: the Input block must take one channel and at most 28×28 (centre crops). */
export async function checkMnistInput(command: string, graph: Graph): Promise<void> {
  const { cropSlack } = await import('../../renderer/src/core/data/dataset');
  const input = graph.blocks.find((b) => b.type === 'Input');
  const shape = input ? analyze(graph).blocks[input.id]?.shape : undefined;
  if (!input || !shape) return;
  try {
    cropSlack({ images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height: 28, width: 28, channels: 1, classes: 10 }, shape);
  } catch (e) {
    throw new CliError(`${command}: Input block "${input.id}" does not fit MNIST (28×28, 1 channel): ${(e as Error).message}`, 2);
  }
}

export interface RunData extends UserData {
  /** The run's dataset as the job server takes it (arrays included). */
  ref: DatasetRef;
}

const MNIST = { name: 'MNIST', classes: Array.from({ length: 10 }, (_, i) => String(i)), shape: [28, 28, 1] };

/**
 * --data for eval and predict: the data at `dataPath`, checked to be the dataset the run was
 * trained on (its descriptor: the same classes in the same order, the same example shape). A run
 * trained on imported data needs it when `required` (eval: there is nothing else to test on).
 */
export async function runData(command: string, record: RunRecord, dataPath: string | undefined, opts: DataFlags, io: Io, required: boolean): Promise<RunData | null> {
  const d = record.dataset;
  const want = d?.kind === 'imported' ? d : MNIST;
  if (dataPath === undefined) {
    if (required && d?.kind === 'imported') {
      throw new CliError(`${command}: run "${record.name}" was trained on the dataset "${d.name}" (${d.classes.length} classes, ${d.shape.join('×')}), not MNIST: give it with --data <path>`, EXIT.usage);
    }
    return null;
  }
  // The normalization training applied, as the run recorded it: repeated without --normalize.
  const recorded = d?.kind === 'imported' ? d.preprocessing : undefined;
  if (recorded && opts.normalize && opts.normalize !== recorded.normalization) {
    throw new CliError(`${command}: run "${record.name}" was trained with --normalize ${recorded.normalization}, not ${opts.normalize} (leave --normalize out: the run's own is applied)`, EXIT.usage);
  }
  const u = await loadUserData(command, dataPath, recorded ? { ...opts, normalize: recorded.normalization } : opts, io);
  const s = u.summary;
  const problems: string[] = [];
  if (s.classes.join('\u0000') !== want.classes.join('\u0000')) {
    const missing = want.classes.filter((c) => !s.classes.includes(c));
    const extra = s.classes.filter((c) => !want.classes.includes(c));
    problems.push(missing.length || extra.length
      ? `classes differ (${[missing.length ? `missing ${missing.slice(0, 5).join(', ')}` : '', extra.length ? `not in the run: ${extra.slice(0, 5).join(', ')}` : ''].filter(Boolean).join('; ')})`
      : 'the classes are in another order');
  }
  if (s.shape.join('×') !== want.shape.join('×')) problems.push(`its examples are ${s.shape.join('×')}, the run's were ${want.shape.join('×')}`);
  if (problems.length) {
    u.close?.();
    throw new CliError(`${command}: ${dataPath} is not the dataset run "${record.name}" was trained on ("${want.name}"): ${problems.join('; ')}`, EXIT.usage);
  }
  if (d?.kind === 'imported' && (s.train !== d.train || s.test !== d.test)) {
    io.stderr.write(`Note: ${dataPath} has ${s.train} train + ${s.test} test examples; the run was trained on ${d.train} + ${d.test}\n`);
  }
  if (recorded) useRecordedNormalization(u, recorded.input);
  const id = d?.kind === 'imported' ? d.id : newId('data');
  return { ...u, ref: { kind: 'memory', id, name: s.name, data: u.data } };
}

/** The recorded mean/std replace those computed from the data given now (they differ when it is not quite the same data). */
function useRecordedNormalization(u: UserData, input: InputNormalization): void {
  for (const ds of [u.data.train, u.data.test]) {
    if (input.mean?.length === ds.channels) ds.mean = [...input.mean];
    if (input.std?.length === ds.channels) ds.std = [...input.std];
  }
}

/** Starts the engine and rebuilds a stored run's model in it (the job server's 'load' job), with MNIST or `dataset` as its data. */
export async function loadRun(command: string, record: RunRecord, backends: BackendName[] | undefined, path: string, io: Io, dataset?: DatasetRef): Promise<{ engine: Engine; runId: string }> {
  const engine = await Engine.create();
  if (!dataset) await checkMnistInput(command, record.graph);
  const runId = record.id;
  const config = { ...record.config, backends };
  try {
    await engine.job({ type: 'load', jobId: newId('load'), runId, graph: expandUnits(record.graph), config, dataset: dataset ?? mnistRef(io.env), weights: record.weights! });
  } catch (e) {
    if (e instanceof RunFailed) {
      // No backend is the machine's problem (exit 1); anything else is the file's (weights that do not fit its network).
      if (/No TensorFlow\.js backend/.test(e.message)) throw new CliError(`${command}: ${e.message}`, EXIT.failed);
      throw new CliError(`${command}: ${path}: run "${record.name}" cannot be loaded: ${e.message}`);
    }
    throw e;
  }
  return { engine, runId };
}
