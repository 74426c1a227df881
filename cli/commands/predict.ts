// netwright predict <trained project> <image or folder>...: class probabilities for each image,
// prepared by core/data/image-input as the app prepares drawn or dropped images, computed by the
// job server's load + predict jobs.
import { imageToModelInput, ImageInputError } from '../../renderer/src/core/data/image-input';
import { analyze } from '../../renderer/src/core/graph/analyze';
import { parse, stringFlag } from '../args';
import { backendChain, checkGraph, checkWritable, readProjectFile, trainedRun, writeReport } from '../common';
import { newId } from '../engine';
import { decodeImage, listImages } from '../images';
import { CliError, type Io } from '../io';
import { DATA_FLAGS, dataFlags } from './data';
import { loadRun, runData } from './shared';
import { normalizationOf, normalizeInput, recordedNormalization } from '../../renderer/src/core/data/normalize';

const FLAGS = {
  report: { type: 'string' }, backend: { type: 'string' }, 'mnist-style': { type: 'boolean' },
  ...DATA_FLAGS,
} as const;

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('predict', argv, FLAGS);
  if (positionals.length < 2) throw new CliError('predict: needs a trained project file and at least one image or folder (see netwright predict --help)');
  const [path, ...targets] = positionals;
  const backends = backendChain('predict', stringFlag('predict', 'backend', values.backend));
  const reportPath = checkWritable('predict', 'report', stringFlag('predict', 'report', values.report), io);
  const project = await readProjectFile('predict', path, io);
  const record = trainedRun('predict', project, path);
  checkGraph('predict', record.graph, `the network of run "${record.name}"`);
  const files = listImages('predict', targets, io.cwd);

  const input = record.graph.blocks.find((b) => b.type === 'Input');
  const shape = input ? analyze(record.graph).blocks[input.id]?.shape : undefined;
  if (!shape) throw new CliError(`predict: the network of run "${record.name}" has no usable Input block`);
  const size = shape.reduce((a, d) => a * d, 1);
  // --data: the run's dataset (checked), whose scale/mean/std and class names training used.
  const data = await runData('predict', record, stringFlag('predict', 'data', values.data), dataFlags('predict', values), io, false);
  // The run's recorded normalization, else (older runs) the one of the data given with --data.
  const norm = recordedNormalization(record.dataset) ?? (data ? normalizationOf(data.data.train) : null);
  data?.close?.();
  const classNames = data?.summary.classes ?? (record.dataset?.kind === 'imported' ? record.dataset.classes : undefined);
  if (!data && !norm && record.dataset?.kind === 'imported') io.stderr.write(`Note: run "${record.name}" was trained on "${record.dataset.name}" and recorded no normalization; without --data its inputs are scaled to [0, 1] (give --data to apply the dataset's normalization)\n`);
  const inputs = new Float32Array(files.length * size);
  for (let i = 0; i < files.length; i++) {
    const img = await decodeImage('predict', files[i], io.cwd);
    try {
      inputs.set(normalizeInput(imageToModelInput(img, shape, { mnistStyle: values['mnist-style'] === true }), shape[2], norm), i * size);
    } catch (e) {
      if (e instanceof ImageInputError) throw new CliError(`predict: ${files[i]}: ${e.message}`);
      throw e;
    }
  }

  const now = io.now ?? (() => performance.now());
  const t0 = now();
  const ref = data?.ref ?? (record.dataset?.kind === 'imported' ? { kind: 'memory' as const, id: record.dataset.id, name: record.dataset.name } : undefined);
  const { engine, runId } = await loadRun('predict', record, backends, path, io, ref);
  const result = await engine.job({ type: 'predict', jobId: newId('predict'), runId, inputs, count: files.length }).catch((e: Error) => {
    throw new CliError(`predict: ${e.message}`, 1);
  });
  const k = result.classes;
  const predictions = files.map((file, i) => {
    const probabilities = Array.from(result.probabilities.subarray(i * k, (i + 1) * k));
    let best = 0;
    for (let c = 1; c < k; c++) if (probabilities[c] > probabilities[best]) best = c;
    return { file, probabilities, class: best, ...(classNames ? { label: classNames[best] } : {}) };
  });
  for (const p of predictions) io.stderr.write(`${p.file}: ${p.label ?? p.class} (${(p.probabilities[p.class] * 100).toFixed(1)}%)\n`);
  await writeReport('predict', {
    command: 'predict',
    project: path,
    runId: record.id,
    runName: record.name,
    classes: k,
    ...(classNames ? { classNames } : {}),
    ...(norm ? { normalization: norm } : {}),
    backend: engine.backend?.name ?? null,
    seconds: (now() - t0) / 1000,
    mnistStyle: values['mnist-style'] === true,
    predictions,
  }, reportPath, io);
  return 0;
}
