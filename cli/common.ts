// What the commands share: reading projects and templates, checking networks, the --backend flag,
// writing reports and projects. Failures are CliErrors (one line, exit code 2).
import { existsSync, statSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { analyze } from '../renderer/src/core/graph/analyze';
import { BLOCKS, isBlockType } from '../renderer/src/core/graph/catalog';
import { parseProject, type Project } from '../renderer/src/core/graph/project';
import { instantiate, templateById, TEMPLATES } from '../renderer/src/core/graph/templates';
import type { Graph } from '../renderer/src/core/graph/types';
import { expandUnits } from '../renderer/src/core/graph/units';
import type { RunRecord } from '../renderer/src/core/runs/record';
import { BACKEND_CHAIN, withDefaults, type BackendName } from '../renderer/src/core/train/config';
import { CliError, type Io } from './io';

/** Node has wasm (with fast gradient kernels) and cpu; the GPU backends need a browser. */
export const NODE_BACKENDS = ['wasm', 'cpu'] as const;

/** --backend: undefined or 'auto' → Auto (undefined chain); 'wasm' | 'cpu' → that one only. */
export function backendChain(command: string, v: string | undefined): BackendName[] | undefined {
  if (v === undefined || v === 'auto') return undefined;
  if ((NODE_BACKENDS as readonly string[]).includes(v)) return [v as BackendName];
  if (BACKEND_CHAIN.includes(v as BackendName)) throw new CliError(`${command}: the ${v} backend needs a browser; in Node use --backend wasm or cpu (or auto)`);
  throw new CliError(`${command}: unknown backend "${v}" (use auto, wasm or cpu)`);
}

export async function readProjectFile(command: string, path: string, io: Io): Promise<Project> {
  const full = resolve(io.cwd, path);
  let text: string;
  try {
    if (statSync(full).isDirectory()) throw new CliError(`${command}: ${path} is a folder, not a project file`);
    text = await readFile(full, 'utf8');
  } catch (e) {
    if (e instanceof CliError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(`${command}: cannot read ${path}${code === 'ENOENT' ? ': no such file' : `: ${(e as Error).message}`}`);
  }
  try {
    return parseProject(text);
  } catch (e) {
    throw new CliError(`${command}: ${path}: ${(e as Error).message}`);
  }
}

export interface Source {
  project: Project;
  /** The template id or the file's path, as given. */
  name: string;
  kind: 'template' | 'file';
}

/** A project file when the path exists (or looks like one), else a template id. */
export async function readSource(command: string, arg: string, io: Io): Promise<Source> {
  const looksLikeFile = /[\\/]|\.json$/i.test(arg) || existsSync(resolve(io.cwd, arg));
  if (looksLikeFile) {
    const project = await readProjectFile(command, arg, io);
    // Units (repeated groups of blocks) are an editing aid: the CLI trains the network they stand for.
    return { project: { ...project, graph: expandUnits(project.graph) }, name: arg, kind: 'file' };
  }
  const template = templateById(arg);
  if (!template) {
    throw new CliError(`${command}: "${arg}" is neither a project file nor a template (templates: ${TEMPLATES.map((t) => t.id).join(', ')})`);
  }
  return { project: { graph: expandUnits(instantiate(template)), trainConfig: withDefaults({}) }, name: arg, kind: 'template' };
}

/** Refuses a network the editor would mark as broken, naming the first block at fault. */
export function checkGraph(command: string, graph: Graph, where = 'the network'): void {
  const analysis = analyze(graph);
  const error = analysis.issues.find((i) => i.severity === 'error');
  if (!error) return;
  const block = error.blockId ? graph.blocks.find((b) => b.id === error.blockId) : undefined;
  const label = block ? `${isBlockType(block.type) ? BLOCKS[block.type].label : block.type} block "${block.id}"` : undefined;
  throw new CliError(`${command}: ${where} is invalid: ${label ? `${label}: ` : ''}${error.message}${error.hint ? ` ${error.hint}` : ''}`);
}

/** The run eval/predict use: the latest one that has weights. */
export function trainedRun(command: string, project: Project, path: string): RunRecord & { weights: NonNullable<RunRecord['weights']> } {
  const run = [...(project.runs ?? [])].reverse().find((r) => r.weights);
  if (!run?.weights) throw new CliError(`${command}: ${path} has no trained run with weights: train it first (netwright train ${path} --out FILE)`);
  return run as RunRecord & { weights: NonNullable<RunRecord['weights']> };
}

/** Checks before a long run that an output file can be written there. */
export function checkWritable(command: string, flag: string, path: string | undefined, io: Io): string | undefined {
  if (path === undefined) return undefined;
  const full = resolve(io.cwd, path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new CliError(`${command}: --${flag} ${path}: the folder ${dir} does not exist`);
  if (existsSync(full) && statSync(full).isDirectory()) throw new CliError(`${command}: --${flag} ${path} is a folder`);
  return full;
}

/** JSON with non-finite numbers as null (JSON has no NaN). */
export const toJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The report: to its file (a line on stderr says where), or to stdout. */
export async function writeReport(command: string, report: unknown, path: string | undefined, io: Io): Promise<void> {
  if (path === undefined) {
    io.stdout.write(toJson(report));
    return;
  }
  try {
    await writeFile(path, toJson(report));
  } catch (e) {
    throw new CliError(`${command}: cannot write the report ${path}: ${(e as Error).message}`, 1);
  }
}
