// netwright eval <trained project>: the latest trained run on the whole MNIST test set, through the
// job server's load + evaluate jobs: loss, accuracy, per-class precision/recall, confusion matrix.
import { perClassMetrics } from '../../renderer/src/core/eval/metrics';
import { parse, stringFlag } from '../args';
import { backendChain, checkGraph, checkWritable, readProjectFile, trainedRun, writeReport } from '../common';
import { newId } from '../engine';
import { CliError, type Io } from '../io';
import { loadRun } from './shared';

const FLAGS = { report: { type: 'string' }, backend: { type: 'string' } } as const;

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

  const { engine, runId } = await loadRun('eval', record, backends, path, io);
  io.stderr.write(`Evaluating run "${record.name}" of ${path} on the MNIST test set (${engine.backend?.name ?? '?'})\n`);
  let lastShown = 0;
  const { evaluation } = await engine.job({ type: 'evaluate', jobId: newId('eval'), runId }, (fraction) => {
    if (fraction - lastShown >= 0.25 || fraction === 1) {
      lastShown = fraction;
      io.stderr.write(`  ${Math.round(fraction * 100)}%\n`);
    }
  }).catch((e: Error) => {
    throw new CliError(`eval: ${e.message}`, 1);
  });
  const seconds = (now() - t0) / 1000;
  const perClass = perClassMetrics(evaluation.confusion).map((m, c) => ({ class: c, precision: m.precision, recall: m.recall, support: m.support }));
  const report = {
    command: 'eval',
    project: path,
    runId: record.id,
    runName: record.name,
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
