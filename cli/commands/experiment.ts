// netwright experiment <id> | --list: runs one of the lecture's experiments (core/lab) headless,
// through the same job server as train, and writes a JSON report with each run's metrics, the
// numbers the claim rests on and `holds`.
import { EXPERIMENTS, experimentById } from '../../renderer/src/core/lab/experiments';
import type { ExperimentReport } from '../../renderer/src/core/lab/runner';
import { intFlag, parse, stringFlag } from '../args';
import { backendChain, checkWritable, writeReport } from '../common';
import { CliError, EXIT, type Io } from '../io';

const FLAGS = {
  list: { type: 'boolean' },
  limit: { type: 'string' },
  'test-limit': { type: 'string' },
  backend: { type: 'string' },
  report: { type: 'string' },
} as const;

function listing(): string {
  const w = Math.max(...EXPERIMENTS.map((e) => e.id.length));
  return EXPERIMENTS.map((e) => `${String(e.number).padStart(2)}  ${e.id.padEnd(w)}  ${e.title}${e.unavailable ? ` (not runnable yet: ${e.unavailable})` : ''}\n`).join('');
}

/** The report without the run records (the app keeps those; curves are in `runs`' stead here). */
function reportJson(r: ExperimentReport) {
  const { records, ...rest } = r;
  return { command: 'experiment', ...rest, curves: Object.fromEntries(records.map((rec, i) => [r.runs[i].key, rec.curves])) };
}

export async function run(argv: string[], io: Io): Promise<number> {
  const c = 'experiment';
  const { values, positionals } = parse(c, argv, FLAGS);
  if (values.list) {
    if (positionals.length) throw new CliError(`${c}: --list takes no experiment id`);
    io.stdout.write(listing());
    return EXIT.ok;
  }
  if (positionals.length !== 1) throw new CliError(`${c}: needs exactly one experiment id, got ${positionals.length} (see netwright experiment --list)`);
  const exp = experimentById(positionals[0]);
  if (!exp) throw new CliError(`${c}: unknown experiment "${positionals[0]}" (ids: ${EXPERIMENTS.map((e) => e.id).join(', ')})`);
  if (exp.unavailable) throw new CliError(`${c}: ${exp.id} cannot run yet: ${exp.unavailable}`, EXIT.failed);
  const rawLimit = stringFlag(c, 'limit', values.limit);
  const limit = rawLimit === 'all' ? null : intFlag(c, 'limit', rawLimit);
  if (limit !== undefined && limit !== null && limit < 1) throw new CliError(`${c}: --limit must be at least 1 (or "all")`);
  const testLimit = intFlag(c, 'test-limit', values['test-limit']);
  if (testLimit !== undefined && testLimit < 1) throw new CliError(`${c}: --test-limit must be at least 1`);
  const backends = backendChain(c, stringFlag(c, 'backend', values.backend));
  const reportPath = checkWritable(c, 'report', stringFlag(c, 'report', values.report), io);

  const [{ Engine, newId, RunFailed }, { mnistRef }, { ProgressReporter }, { runExperiment, LabError }, { checkMnistInput }] = await Promise.all([
    import('../engine'), import('../mnist'), import('../progress'), import('../../renderer/src/core/lab/runner'), import('./shared'),
  ]);
  const dataset = mnistRef(io.env);
  for (const r of exp.runs()) await checkMnistInput(c, r.graph);
  const engine = await Engine.create();
  const now = io.now ?? (() => performance.now());
  const progress = new ProgressReporter(io.stderr, now);
  progress.line(`Experiment ${exp.number} — ${exp.title}\nClaim: ${exp.claim}`);
  let report: ExperimentReport;
  try {
    report = await runExperiment(exp, engine, {
      dataset, limit, testLimit, backends, idPrefix: newId('lab'), now,
      onRunStart: (r, i, n) => progress.line(`Run ${i + 1}/${n}: ${r.label}`),
      onEvent: (_r, m, record) => {
        if (m.type === 'progress') progress.progress({ epoch: m.epoch, epochs: record.config.epochs, examplesSeen: m.examplesSeen, totalExamples: m.totalExamples, examplesPerSec: m.examplesPerSec, loss: m.loss });
        else if (m.type === 'done') {
          progress.clear();
          progress.line(`  test accuracy ${Number.isFinite(m.testAccuracy) ? `${(m.testAccuracy * 100).toFixed(2)}%` : '—'} after ${m.examplesSeen.toLocaleString('en-US')} examples (${m.seconds.toFixed(1)} s)`);
        }
      },
    });
  } catch (e) {
    progress.clear();
    if (e instanceof RunFailed || e instanceof LabError) throw new CliError(`${c}: ${exp.id}: ${e.message}`, EXIT.failed);
    throw e;
  }
  for (const row of report.verdict.comparison) progress.line(`  ${row.label}: ${row.unit === 'fraction' ? `${(row.value * 100).toFixed(2)}%` : row.value.toPrecision(4)}`);
  progress.line(`${report.holds ? 'Holds' : 'Does not hold'}: ${report.verdict.summary} (${report.seconds.toFixed(0)} s)`);
  await writeReport(c, reportJson(report), reportPath, io);
  return EXIT.ok;
}
