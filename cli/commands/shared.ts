// Checks the commands make once TensorFlow.js is loaded.
import { analyze } from '../../renderer/src/core/graph/analyze';
import type { Graph } from '../../renderer/src/core/graph/types';
import { expandUnits } from '../../renderer/src/core/graph/units';
import type { RunRecord } from '../../renderer/src/core/runs/record';
import type { BackendName } from '../../renderer/src/core/train/config';
import { Engine, newId, RunFailed } from '../engine';
import { CliError, EXIT, type Io } from '../io';
import { mnistRef } from '../mnist';

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

/** Starts the engine and rebuilds a stored run's model in it (the job server's 'load' job). */
export async function loadRun(command: string, record: RunRecord, backends: BackendName[] | undefined, path: string, io: Io): Promise<{ engine: Engine; runId: string }> {
  const engine = await Engine.create();
  await checkMnistInput(command, record.graph);
  const runId = record.id;
  const config = { ...record.config, backends };
  try {
    await engine.job({ type: 'load', jobId: newId('load'), runId, graph: expandUnits(record.graph), config, dataset: mnistRef(io.env), weights: record.weights! });
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
