// netwright export <trained project> --format tfjs|onnx|pytorch|card --out DIR: the latest trained
// run written by the pure exporters of core/export (the same code as the app's Export dialog).
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { EXPORT_FORMATS, exportModel, ExportError, isExportFormat } from '../../renderer/src/core/export/index';
import { parse, stringFlag } from '../args';
import { checkGraph, checkWritable, readProjectFile, trainedRun, writeReport } from '../common';
import { CliError, EXIT, type Io } from '../io';

const FLAGS = { format: { type: 'string' }, out: { type: 'string' }, report: { type: 'string' } } as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('export', argv, FLAGS);
  if (positionals.length !== 1) throw new CliError('export: needs one trained project file (see netwright export --help)');
  const [path] = positionals;
  const format = stringFlag('export', 'format', values.format);
  if (format === undefined) throw new CliError(`export: --format is required (${EXPORT_FORMATS.join(', ')})`);
  if (!isExportFormat(format)) throw new CliError(`export: unknown format "${format}" (use ${EXPORT_FORMATS.join(', ')})`);
  const out = stringFlag('export', 'out', values.out);
  if (out === undefined) throw new CliError('export: --out DIR is required');
  const outDir = resolve(io.cwd, out);
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) throw new CliError(`export: --out ${out} is a file, not a folder`);
  const reportPath = checkWritable('export', 'report', stringFlag('export', 'report', values.report), io);

  const project = await readProjectFile('export', path, io);
  const record = trainedRun('export', project, path);
  checkGraph('export', record.graph, `the network of run "${record.name}"`);

  let files;
  try {
    files = exportModel(format, { graph: record.graph, weights: record.weights, run: record });
  } catch (e) {
    if (e instanceof ExportError) throw new CliError(`export: ${path}: run "${record.name}" cannot be exported: ${e.message}`);
    throw e;
  }
  try {
    mkdirSync(outDir, { recursive: true });
    for (const f of files) writeFileSync(join(outDir, f.name), f.data);
  } catch (e) {
    throw new CliError(`export: cannot write into ${out}: ${(e as Error).message}`, EXIT.failed);
  }
  const written = files.map((f) => ({ name: f.name, bytes: typeof f.data === 'string' ? Buffer.byteLength(f.data) : f.data.byteLength }));
  io.stderr.write(`export: wrote ${written.map((f) => f.name).join(', ')} into ${out}\n`);
  await writeReport('export', { command: 'export', project: path, runId: record.id, runName: record.name, format, out: outDir, files: written }, reportPath, io);
  return EXIT.ok;
}
