// netwright train <project file | template id>: trains on MNIST (or --data) through the job server, writes the
// trained project (network, settings, the run with curves and weights) and a JSON report.
import { writeFile } from 'node:fs/promises';
import { preprocessingOf } from '../../renderer/src/core/data/normalize';
import { serializeProject, type Project } from '../../renderer/src/core/graph/project';
import { newRunRecord, reduceRun } from '../../renderer/src/core/runs/reduce';
import type { DatasetDescriptor, RunRecord } from '../../renderer/src/core/runs/record';
import type { TrainConfig } from '../../renderer/src/core/train/config';
import type { Graph } from '../../renderer/src/core/graph/types';
import type { DatasetRef, FromWorker } from '../../renderer/src/core/train/protocol';
import { checkTrainConfig } from '../../renderer/src/core/train/settings';
import { intFlag, numberFlag, parse, stringFlag } from '../args';
import { backendChain, checkGraph, checkWritable, readSource, writeReport } from '../common';
import { Engine, newId, RunFailed } from '../engine';
import { CliError, EXIT, type Io } from '../io';
import { mnistRef } from '../mnist';
import { ProgressReporter } from '../progress';
import { checkMnistInput } from './shared';
import { DATA_FLAGS, dataFlags, describe as describeData, loadUserData, type DataFlags } from './data';

/**
 * --data: the dataset imported with the app's parsers (or, for a large image folder or --stream,
 * decoded once into the disk cache and streamed from it), and the network made to fit it (the
 * Input block takes the data's shape, the classifier its class count) when the project's does not.
 */
async function userData(path: string, opts: DataFlags, graph: Graph, io: Io): Promise<{ dataset: DatasetRef; graph: Graph; descriptor: DatasetDescriptor; close?: () => void }> {
  const loaded = await loadUserData('train', path, opts, io);
  const { data, summary } = loaded;
  io.stderr.write(describeData(summary));
  const { checkDataFit, applyFitFixes } = await import('../../renderer/src/core/data/sources');
  const issues = checkDataFit(graph, { height: summary.shape[0], width: summary.shape[1], channels: summary.shape[2], classes: summary.classes.length });
  for (const i of issues) io.stderr.write(`Fitting the network to the data: ${i.message}; ${i.fix.label}\n`);
  const id = newId('data');
  // The preprocessing is recorded with the run: eval and predict repeat it without --normalize.
  const preprocessing = preprocessingOf(data.train, summary.format, { normalization: opts.normalize ?? 'unit' });
  const descriptor: DatasetDescriptor = { kind: 'imported', id, name: summary.name, format: summary.format, shape: summary.shape, classes: summary.classes, train: summary.train, test: summary.test, preprocessing };
  return { dataset: { kind: 'memory', id, name: summary.name, data }, graph: applyFitFixes(graph, issues), descriptor, ...(loaded.close ? { close: loaded.close } : {}) };
}

const FLAGS = {
  epochs: { type: 'string' },
  limit: { type: 'string' },
  'test-limit': { type: 'string' },
  batch: { type: 'string' },
  lr: { type: 'string' },
  backend: { type: 'string' },
  seed: { type: 'string' },
  out: { type: 'string' },
  report: { type: 'string' },
  ...DATA_FLAGS,
} as const;

/** The source's settings with the flags applied, range-checked like the settings form. */
export function trainConfigFrom(base: TrainConfig, values: Record<string, string | boolean | undefined>): TrainConfig {
  const c = 'train';
  // The whole test set unless asked (a project's quick-run test limit would make eval disagree).
  const config: TrainConfig = { ...base, backends: backendChain(c, stringFlag(c, 'backend', values.backend)), maxTestExamples: undefined };
  const epochs = intFlag(c, 'epochs', values.epochs);
  const limit = intFlag(c, 'limit', values.limit);
  const testLimit = intFlag(c, 'test-limit', values['test-limit']);
  const batch = intFlag(c, 'batch', values.batch);
  const lr = numberFlag(c, 'lr', values.lr);
  const seed = intFlag(c, 'seed', values.seed);
  if (epochs !== undefined) config.epochs = epochs;
  if (limit !== undefined) config.maxExamples = limit;
  if (testLimit !== undefined) config.maxTestExamples = testLimit;
  if (batch !== undefined) config.batchSize = batch;
  if (lr !== undefined) config.learningRate = lr;
  if (seed !== undefined) config.seed = seed;
  const problem = checkTrainConfig(config);
  if (problem) throw new CliError(`train: ${problem.replace(/^Training settings?:?\s*/, '')}`);
  return config;
}

interface EpochRow {
  epoch: number;
  examplesSeen: number;
  loss: number;
  accuracy: number;
  valLoss: number;
  valAccuracy: number;
  learningRate: number;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('train', argv, FLAGS);
  if (positionals.length !== 1) {
    throw new CliError(`train: needs exactly one project file or template id, got ${positionals.length} (see netwright train --help)`);
  }
  const source = await readSource('train', positionals[0], io);
  const config = trainConfigFrom(source.project.trainConfig, values);
  checkGraph('train', source.project.graph);
  const outPath = checkWritable('train', 'out', stringFlag('train', 'out', values.out), io);
  const reportPath = checkWritable('train', 'report', stringFlag('train', 'report', values.report), io);
  const dataPath = stringFlag('train', 'data', values.data);
  const dflags = dataFlags('train', values);
  const needsData = dflags.label !== undefined ? 'label' : dflags.stream ? 'stream' : dflags.cache !== undefined ? 'cache' : dflags.normalize ? 'normalize' : null;
  if (needsData && dataPath === undefined) throw new CliError(`train: --${needsData} needs --data`);
  const now = io.now ?? (() => performance.now());
  const t0 = now();
  const { dataset, graph, descriptor, close } = dataPath === undefined
    ? { dataset: mnistRef(io.env), graph: source.project.graph, descriptor: undefined, close: undefined }
    : await userData(dataPath, dflags, source.project.graph, io);

  const engine = await Engine.create();
  if (dataPath === undefined) await checkMnistInput('train', graph);
  const progress = new ProgressReporter(io.stderr, now);
  progress.line(`Training ${source.name}: ${config.epochs} epoch(s) of ${config.maxExamples ? `at most ${config.maxExamples.toLocaleString('en-US')}` : 'all'} examples, batch ${config.batchSize}, ${config.optimizer} lr ${config.learningRate}, seed ${config.seed}`);

  const runId = newId('run');
  // The run record is the app's: the same reduction of the same messages (core/runs/reduce.ts).
  let record: RunRecord = { ...newRunRecord(runId, `${source.name} (CLI)`, graph, config, Date.now()), ...(descriptor ? { dataset: descriptor } : {}) };
  const epochs: EpochRow[] = [];
  // Throughput of training steps alone: examples over the time the progress windows took.
  let lastSeen = 0;
  let stepSeconds = 0;
  let stopping = false;
  const unlisten = io.onInterrupt?.(() => {
    if (stopping) return;
    stopping = true;
    progress.line('Stopping: saving what was trained so far (Ctrl-C again to quit at once)');
    engine.stop(runId);
  });

  const onEvent = (m: FromWorker) => {
    record = reduceRun(record, m);
    switch (m.type) {
      case 'status':
        // File-by-file loading and backend probing are noise here; the backend line says the outcome.
        if (m.phase === 'evaluating' || (m.phase === 'loading-data' && !m.message.startsWith('Loaded'))) progress.line(m.message);
        break;
      case 'backend': {
        const skipped = m.attempts.filter((a) => !a.ok && a.reason !== 'not supported in this environment');
        progress.line(`Backend: ${m.backend}${skipped.map((a) => ` (skipped ${a.backend}: ${a.reason})`).join('')}`);
        break;
      }
      case 'notice':
        progress.line(m.message);
        break;
      case 'progress': {
        const delta = m.examplesSeen - lastSeen;
        if (delta > 0 && m.examplesPerSec > 0) stepSeconds += delta / m.examplesPerSec;
        lastSeen = m.examplesSeen;
        progress.progress({ epoch: m.epoch, epochs: config.epochs, examplesSeen: m.examplesSeen, totalExamples: m.totalExamples, examplesPerSec: m.examplesPerSec, loss: m.loss });
        break;
      }
      case 'epoch': {
        const { type: _t, runId: _r, ...row } = m;
        epochs.push(row);
        const val = Number.isFinite(m.valAccuracy) ? `, validation accuracy ${(m.valAccuracy * 100).toFixed(2)}% (loss ${m.valLoss.toFixed(4)})` : '';
        progress.line(`Epoch ${m.epoch}/${config.epochs}: loss ${m.loss.toFixed(4)}, accuracy ${(m.accuracy * 100).toFixed(2)}%${val}`);
        break;
      }
      default:
        break;
    }
  };

  let done;
  try {
    done = await engine.train({ type: 'train', runId, graph, config, dataset }, onEvent);
  } catch (e) {
    progress.clear();
    if (e instanceof RunFailed) throw new CliError(`train: ${e.message}`, e.blockId ? EXIT.usage : EXIT.failed);
    throw e;
  } finally {
    unlisten?.();
  }
  progress.clear();
  const backend = engine.backend?.name;
  const examplesSeen = done.examplesSeen;
  const examplesPerSecond = stepSeconds > 0 ? lastSeen / stepSeconds : done.seconds > 0 ? examplesSeen / done.seconds : 0;
  const runRecord: RunRecord = { ...record, name: `${source.name} · ${epochs.length} epoch${epochs.length === 1 ? '' : 's'} (CLI)` };
  const metrics = runRecord.metrics!;

  if (outPath) {
    if (examplesSeen > 0) {
      const { weights } = await engine.job({ type: 'weights', jobId: newId('weights'), runId });
      runRecord.weights = weights;
    }
    // The project keeps its own backend and test-set choices (made for the app); the run records what the CLI used.
    const trainConfig = { ...config, backends: source.project.trainConfig.backends, maxTestExamples: source.project.trainConfig.maxTestExamples };
    const project: Project = { graph, trainConfig, runs: [...(source.project.runs ?? []), runRecord] };
    try {
      await writeFile(outPath, serializeProject(project));
    } catch (e) {
      throw new CliError(`train: cannot write ${outPath}: ${(e as Error).message}`, EXIT.failed);
    }
  }

  const report = {
    command: 'train',
    source: source.name,
    out: outPath ?? null,
    runId,
    stopped: done.stopped,
    testAccuracy: done.testAccuracy,
    testLoss: done.testLoss,
    trainExamples: examplesSeen,
    examplesPerSecond,
    backend: backend ?? null,
    seconds: done.seconds,
    totalSeconds: (now() - t0) / 1000,
    params: metrics.params,
    multiplyAdds: metrics.multiplyAdds,
    ...(done.restoredEpoch ? { restoredEpoch: done.restoredEpoch } : {}),
    config,
    epochs,
    curves: runRecord.curves,
  };
  const pct = Number.isFinite(done.testAccuracy) ? `test accuracy ${(done.testAccuracy * 100).toFixed(2)}% (loss ${done.testLoss.toFixed(4)})` : 'stopped before the test pass';
  progress.line(
    `Done: ${pct}; ${examplesSeen.toLocaleString('en-US')} examples on ${backend ?? '?'} in ${done.seconds.toFixed(1)} s (${Math.round(examplesPerSecond).toLocaleString('en-US')} ex/s).` +
      (outPath ? ` Saved ${outPath}.` : ' Not saved (use --out FILE).'),
  );
  await writeReport('train', report, reportPath, io);
  close?.(); // the streamed data's file: no more reads
  return done.stopped && stopping ? EXIT.interrupted : EXIT.ok;
}
