// netwright eval <trained project> [--data PATH]: the latest trained run on the whole test set of
// its dataset (MNIST, or the imported data given with --data and checked against the run's
// dataset), through the job server's load + evaluate jobs: loss, accuracy, per-class
// precision/recall, confusion matrix.
import { perClassMetrics } from '../../renderer/src/core/eval/metrics';
import { parse, stringFlag } from '../args';
import { backendChain, checkGraph, checkWritable, readProjectFile, trainedRun, writeReport } from '../common';
import { newId } from '../engine';
import { CliError, type Io } from '../io';
import { DATA_FLAGS, dataFlags } from './data';
import { loadRun, runData } from './shared';

const FLAGS = { report: { type: 'string' }, backend: { type: 'string' }, ...DATA_FLAGS } as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('eval', argv, FLAGS);
  if (positionals.length !== 1) throw new CliError(`eval: needs exactly one trained project file, got ${positionals.length} (see netwright eval --help)`);
  const [path] = positionals;
  const backends = backendChain('eval', stringFlag('eval', 'backend', values.backend));
  const reportPath = checkWritable('eval', 'report', stringFlag('eval', 'report', values.report), io);
  const project = await readProjectFile('eval', path, io);
  const record = trainedRun('eval', project, path);
  checkGraph('eval', record.graph, `the network of run "${record.name}"`);
  const now = io.now ?? (() => performance.now());
  const t0 = now();

  const dataPath = stringFlag('eval', 'data', values.data);
  const data = await runData('eval', record, dataPath, dataFlags('eval', values), io, true);
  const { engine, runId } = await loadRun('eval', record, backends, path, io, data?.ref);
  const setName = data ? `the test set of ${data.summary.name} (${data.summary.test} examples)` : 'the MNIST test set';
  io.stderr.write(`Evaluating run "${record.name}" of ${path} on ${setName} (${engine.backend?.name ?? '?'})\n`);
  let lastShown = 0;
  const { evaluation } = await engine.job({ type: 'evaluate', jobId: newId('eval'), runId }, (fraction) => {
    if (fraction - lastShown >= 0.25 || fraction === 1) {
      lastShown = fraction;
      io.stderr.write(`  ${Math.round(fraction * 100)}%\n`);
    }
  }).catch((e: Error) => {
    throw new CliError(`eval: ${e.message}`, 1);
  }).finally(() => data?.close?.());
  const seconds = (now() - t0) / 1000;
  const names = data?.summary.classes;
  const perClass = perClassMetrics(evaluation.confusion).map((m, c) => ({ class: c, ...(names ? { name: names[c] } : {}), precision: m.precision, recall: m.recall, support: m.support }));
  const report = {
    command: 'eval',
    project: path,
    runId: record.id,
    runName: record.name,
    dataset: data ? data.summary.name : 'MNIST',
    ...(names ? { classNames: names } : {}),
    testAccuracy: evaluation.accuracy,
    testLoss: evaluation.loss,
    testExamples: evaluation.count,
    classes: evaluation.classes,
    backend: engine.backend?.name ?? null,
    seconds,
    examplesPerSecond: seconds > 0 ? evaluation.count / seconds : 0,
    trainExamples: record.metrics?.examplesSeen ?? null,
    perClass,
    confusion: evaluation.confusion,
  };
  io.stderr.write(`Test accuracy ${(evaluation.accuracy * 100).toFixed(2)}% (loss ${evaluation.loss.toFixed(4)}) on ${evaluation.count.toLocaleString('en-US')} test images, ${report.backend ?? '?'}, ${seconds.toFixed(1)} s\n`);
  await writeReport('eval', report, reportPath, io);
  return 0;
}
