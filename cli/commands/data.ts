// netwright data <path>: imports a dataset (image folder, CSV/TSV, IDX pair, .npy/.npz) with the
// app's own parsers (core/data/sources), prints its summary and writes it as JSON. Also the Node
// side of --data for train: files from disk and image decoding with pngjs/jpeg-js.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, join, relative, resolve } from 'node:path';
import { gunzip as gunzipCb, inflateRaw as inflateRawCb } from 'node:zlib';
import { promisify } from 'node:util';
import type { RgbaImage } from '../../renderer/src/core/data/image-input';
import type { SourceData } from '../../renderer/src/core/data/arrays';
import { DataImportError, detectFormat, importDataset, type DatasetSummary, type ImportedDataset, type ImportInput, type Normalization, type SourceFile } from '../../renderer/src/core/data/sources';
import { parse, stringFlag } from '../args';
import { checkWritable, writeReport } from '../common';
import { CliError, EXIT, type Io } from '../io';

const FLAGS = { label: { type: 'string' }, report: { type: 'string' } } as const;
const HIDDEN = /^(\.|Thumbs\.db$|desktop\.ini$)/i;

/** Decodes PNG (pngjs) and JPEG (jpeg-js); other kinds are refused with a reason the summary lists. */
export async function nodeDecodeImage(bytes: Uint8Array, path: string): Promise<RgbaImage> {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length >= 8 && buf.readUInt32BE(0) === 0x89504e47) {
    const { PNG } = (await import('pngjs')).default;
    const png = PNG.sync.read(buf);
    return { rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
  }
  if (buf.length >= 3 && buf[0] === 0xff && buf[1] === 0xd8) {
    const jpeg = (await import('jpeg-js')).default;
    const img = jpeg.decode(buf, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 50 });
    return { rgba: img.data, width: img.width, height: img.height };
  }
  throw new Error(`the command line decodes PNG and JPEG only (${basename(path)}); convert it or import it in the app`);
}

/** The files (and folders) under `path`, as SourceFiles relative to it; a file gives itself. */
export function readPath(command: string, path: string, cwd: string): ImportInput {
  const full = resolve(cwd, path);
  let isDir: boolean;
  try {
    isDir = statSync(full).isDirectory();
  } catch {
    throw new CliError(`${command}: cannot read ${path}: no such file or folder`);
  }
  const file = (abs: string, rel: string): SourceFile => {
    const st = statSync(abs);
    return { path: rel, size: st.size, mtimeMs: st.mtimeMs, read: async () => new Uint8Array(await readFile(abs)) };
  };
  if (!isDir) return { files: [file(full, basename(full))], name: basename(full) };
  const files: SourceFile[] = [];
  const dirs: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }))) {
      if (HIDDEN.test(name)) continue;
      const abs = join(dir, name);
      const rel = relative(full, abs).split('\\').join('/');
      if (statSync(abs).isDirectory()) {
        dirs.push(rel);
        walk(abs);
      } else files.push(file(abs, rel));
    }
  };
  walk(full);
  if (!files.length) throw new CliError(`${command}: the folder ${path} is empty`);
  return { files, dirs, name: basename(full) };
}

/** Unusable data as a CliError (exit 2) that names the reason and the first skipped files. */
export function dataError(command: string, path: string, e: unknown): unknown {
  if (!(e instanceof DataImportError)) return e;
  const why = e.skipped.slice(0, 3).map((s) => `${s.file}: ${s.reason}`).join('; ');
  return new CliError(`${command}: ${path} cannot be used: ${e.message}${why ? ` (${why}${e.skipped.length > 3 ? '; …' : ''})` : ''}`, EXIT.usage);
}

/** Imports `path` in Node; unusable data is a CliError (exit 2) that names the reason. */
export async function importPath(command: string, path: string, cwd: string, label?: string, onProgress?: (done: number, total: number) => void, normalization?: Normalization): Promise<ImportedDataset> {
  const input = readPath(command, path, cwd);
  try {
    return await importDataset(input, { ...(label === undefined ? {} : { label }), ...(normalization ? { normalization } : {}) }, {
      decodeImage: nodeDecodeImage,
      gunzip: async (b) => new Uint8Array(await promisify(gunzipCb)(b)),
      inflateRaw: async (b) => new Uint8Array(await promisify(inflateRawCb)(b)),
      onProgress: onProgress && ((p) => onProgress(p.done, p.total)),
    });
  } catch (e) {
    throw dataError(command, path, e);
  }
}

/** Image folders with more bytes of files than this train streamed from the decode cache (--stream forces it). */
export const STREAM_THRESHOLD_BYTES = 256 * 2 ** 20;

export interface UserData {
  data: SourceData;
  summary: DatasetSummary;
  /** Streamed from the decode cache (its file is open until `close`). */
  streamed: boolean;
  close?: () => void;
}

/**
 * --data for train/eval/predict: an image folder larger than STREAM_THRESHOLD_BYTES (or any with
 * --stream) is decoded once into the cache (--cache DIR, default in the OS temp dir) and streamed
 * from it; everything else is imported into memory.
 */
export interface DataFlags {
  label?: string;
  stream?: boolean;
  cache?: string;
  normalize?: Normalization;
}

const NORMALIZE: Normalization[] = ['unit', 'standardize', 'per-channel'];

/** The --data companions (--label, --stream, --cache, --normalize) from parsed flags, checked. */
export function dataFlags(command: string, values: Record<string, string | boolean | undefined>): DataFlags {
  const normalize = stringFlag(command, 'normalize', values.normalize);
  if (normalize !== undefined && !NORMALIZE.includes(normalize as Normalization)) throw new CliError(`${command}: --normalize takes ${NORMALIZE.join(', ')}, got "${normalize}"`);
  const cache = stringFlag(command, 'cache', values.cache);
  const label = stringFlag(command, 'label', values.label);
  return { ...(label !== undefined ? { label } : {}), stream: values.stream === true, ...(cache !== undefined ? { cache } : {}), ...(normalize ? { normalize: normalize as Normalization } : {}) };
}

/** Flags every --data command takes. */
export const DATA_FLAGS = { data: { type: 'string' }, label: { type: 'string' }, stream: { type: 'boolean' }, cache: { type: 'string' }, normalize: { type: 'string' } } as const;

export async function loadUserData(command: string, path: string, opts: DataFlags, io: Io): Promise<UserData> {
  const input = readPath(command, path, io.cwd);
  const bytes = input.files.reduce((a, f) => a + (f.size ?? 0), 0);
  const folder = (input.dirs?.length ?? 0) > 0 && detectFormat(input.files) === 'images';
  if (opts.stream && !folder) throw new CliError(`${command}: --stream works for image folders (class sub-folders); leave it out for this data`);
  if (!folder || !(opts.stream || bytes > STREAM_THRESHOLD_BYTES)) return { ...(await importPath(command, path, io.cwd, opts.label, undefined, opts.normalize)), streamed: false };
  const { cachedFolder, defaultCacheDir } = await import('../data-cache');
  const cacheDir = opts.cache ? resolve(io.cwd, opts.cache) : defaultCacheDir();
  try {
    const c = await cachedFolder({ ...input, name: input.name ?? basename(path) }, nodeDecodeImage, {
      cacheDir,
      ...(opts.normalize ? { normalization: opts.normalize } : {}),
      onProgress: (done, total) => io.stderr.write(`\rDecoding into the cache: ${done}/${total}`),
    });
    io.stderr.write(`${c.fromCache ? '' : '\n'}Streaming ${c.summary.name} (${c.summary.train} train + ${c.summary.test} test) from ${c.file}${c.fromCache ? ', decoded before' : ''}\n`);
    return { data: c.data, summary: c.summary, streamed: true, close: c.close };
  } catch (e) {
    throw dataError(command, path, e);
  }
}

/** The JSON report: the summary, at least classes, counts, shape, train, test and skipped. */
export function dataReport(summary: DatasetSummary) {
  const { classes, counts, shape, train, test, skipped, ...rest } = summary;
  return { command: 'data', classes, counts, shape, train, test, skipped, ...rest };
}

export function describe(s: DatasetSummary): string {
  const lines = [
    `${s.name} (${s.format}): ${s.classes.length} classes, ${s.shape.join('×')} (H×W×C), ${s.dtype}`,
    `train ${s.train}, test ${s.test}${s.testSource === 'split' ? ' (split off here, stratified)' : ''}`,
    ...s.classes.map((c, k) => `  ${c}: ${s.counts.train[k]} train, ${s.counts.test[k]} test`),
    `mean ${s.mean.map((v) => v.toFixed(3)).join(', ')}; std ${s.std.map((v) => v.toFixed(3)).join(', ')}`,
    ...s.warnings.map((w) => `warning: ${w}`),
    ...s.skipped.map((k) => `skipped ${k.file}: ${k.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

export async function run(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse('data', argv, FLAGS);
  if (positionals.length !== 1) throw new CliError(`data: needs exactly one file or folder, got ${positionals.length} (see netwright data --help)`);
  const reportPath = checkWritable('data', 'report', stringFlag('data', 'report', values.report), io);
  const { summary } = await importPath('data', positionals[0], io.cwd, stringFlag('data', 'label', values.label));
  io.stderr.write(describe(summary));
  await writeReport('data', dataReport(summary), reportPath, io);
  return EXIT.ok;
}
