// Validation of every IPC argument, in main: the renderer is treated as untrusted input.
// Pure functions (no electron, no fs); each returns a clean copy or throws IpcValidationError.
import { basename, isAbsolute, resolve } from 'node:path';
import {
  TEXT_EDIT_ACTIONS,
  type AboutInfo, type DocumentState, type ExportRequest, type FileFilter, type SaveRequest, type TextEditAction,
} from '../../renderer/src/host/host';
import type { OpenFileOptions } from '../preload/api';
import { isAppUrl } from './security';

export class IpcValidationError extends Error {
  override name = 'IpcValidationError';
}

const MiB = 1024 * 1024;

export const LIMITS = {
  /** One file read or written through IPC (weights of a big net, MNIST's 47 MB images). */
  maxFileBytes: 512 * MiB,
  /** All files of one export or one dataset pick together. */
  maxTotalBytes: 1024 * MiB,
  maxAutosaveChars: 64 * MiB,
  maxExportFiles: 64,
  /** Files of one multi-select open (Host.openFiles): as many as an export writes, so a TF.js model with all its weight shards comes back in. */
  maxOpenFiles: 64,
  maxDatasetFiles: 16,
  maxFilters: 16,
  maxExtensionsPerFilter: 32,
  maxNameLength: 200,
  maxTitleLength: 200,
  maxMessageLength: 20_000,
  maxPathLength: 4096,
} as const;

/** Extensions the renderer may save or export under. Other names are refused. */
export const WRITABLE_EXTENSIONS: readonly string[] = [
  'netwright', 'json', 'bin', 'onnx', 'h5', 'keras', 'pt', 'py', 'txt', 'md', 'csv', 'png', 'svg', 'zip',
];

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

function fail(what: string, why: string): never {
  throw new IpcValidationError(`Invalid ${what}: ${why}`);
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function onlyKeys(x: Record<string, unknown>, allowed: string[], what: string): void {
  for (const key of Object.keys(x)) if (!allowed.includes(key)) fail(what, `unexpected field "${key}"`);
}

export function checkString(x: unknown, what: string, maxLength: number, allowEmpty = false): string {
  if (typeof x !== 'string') fail(what, `expected a string, got ${x === null ? 'null' : typeof x}`);
  if (!allowEmpty && x.length === 0) fail(what, 'must not be empty');
  if (x.length > maxLength) fail(what, `longer than ${maxLength} characters`);
  return x;
}

/** Bytes or text; bytes arrive over IPC as Uint8Array (Buffer is a Uint8Array too). */
export function checkData(x: unknown, what: string, maxBytes: number = LIMITS.maxFileBytes): Uint8Array | string {
  if (typeof x === 'string') {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: a cheap bound before encoding.
    if (x.length * 3 > maxBytes && Buffer.byteLength(x, 'utf8') > maxBytes) fail(what, 'too large');
    return x;
  }
  if (x instanceof Uint8Array) {
    if (x.byteLength > maxBytes) fail(what, `too large (${x.byteLength} bytes, limit ${maxBytes})`);
    return x;
  }
  fail(what, 'expected bytes (Uint8Array) or text');
}

export function byteSize(data: Uint8Array | string): number {
  return typeof data === 'string' ? Buffer.byteLength(data, 'utf8') : data.byteLength;
}

export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/** A bare name (file or folder): no directories, traversal, control characters or Windows-refused names. */
export function checkBareName(x: unknown, what = 'name'): string {
  const name = checkString(x, what, LIMITS.maxNameLength);
  if (name === '.' || name === '..') fail(what, 'not a file name');
  if (/[/\\]/.test(name)) fail(what, 'must not contain / or \\');
  if (CONTROL_CHARS.test(name) || /[<>:"|?*]/.test(name)) fail(what, 'contains a forbidden character');
  if (/[. ]$/.test(name) || name.startsWith(' ')) fail(what, 'must not start with a space or end with . or space');
  if (WINDOWS_RESERVED.test(name)) fail(what, 'is a reserved device name');
  return name;
}

/** A bare file name the renderer proposes, with an extension from `allowedExtensions`. */
export function checkFileName(
  x: unknown,
  what = 'file name',
  allowedExtensions: readonly string[] = WRITABLE_EXTENSIONS,
): string {
  const name = checkBareName(x, what);
  const ext = extensionOf(name);
  if (!allowedExtensions.includes(ext)) {
    const allowed = allowedExtensions.map((e) => '.' + e).join(', ');
    fail(what, `extension "${ext ? '.' + ext : '(none)'}" is not allowed (allowed: ${allowed})`);
  }
  return name;
}

export function checkFilters(x: unknown): FileFilter[] {
  if (x === undefined) return [];
  if (!Array.isArray(x)) fail('filters', 'expected an array');
  if (x.length > LIMITS.maxFilters) fail('filters', `more than ${LIMITS.maxFilters}`);
  return x.map((f, i) => {
    if (!isRecord(f)) fail(`filters[${i}]`, 'expected an object');
    onlyKeys(f, ['name', 'extensions'], `filters[${i}]`);
    const name = checkString(f.name, `filters[${i}].name`, LIMITS.maxTitleLength);
    if (!Array.isArray(f.extensions) || f.extensions.length === 0) fail(`filters[${i}].extensions`, 'expected a non-empty array');
    if (f.extensions.length > LIMITS.maxExtensionsPerFilter) fail(`filters[${i}].extensions`, 'too many');
    const extensions = f.extensions.map((e: unknown) => {
      if (typeof e !== 'string' || !/^(\*|[A-Za-z0-9_-]{1,16})$/.test(e)) {
        fail(`filters[${i}].extensions`, `"${String(e)}" is not a bare extension like "json" (no dot)`);
      }
      return e;
    });
    return { name, extensions };
  });
}

export function validateOpenOptions(x: unknown): Required<Pick<OpenFileOptions, 'filters'>> & OpenFileOptions {
  if (x === undefined || x === null) return { filters: [] };
  if (!isRecord(x)) fail('open options', 'expected an object');
  onlyKeys(x, ['title', 'filters'], 'open options');
  const out: OpenFileOptions & { filters: FileFilter[] } = { filters: checkFilters(x.filters) };
  if (x.title !== undefined) out.title = checkString(x.title, 'title', LIMITS.maxTitleLength);
  return out;
}

export function checkPath(x: unknown, what = 'path'): string {
  const p = checkString(x, what, LIMITS.maxPathLength);
  if (p.includes('\0')) fail(what, 'contains NUL');
  return p;
}

export function validateSaveRequest(x: unknown): SaveRequest {
  if (!isRecord(x)) fail('save request', 'expected an object');
  onlyKeys(x, ['suggestedName', 'data', 'filters', 'path'], 'save request');
  const out: SaveRequest = {
    suggestedName: checkFileName(x.suggestedName, 'suggestedName'),
    data: checkData(x.data, 'data'),
    filters: checkFilters(x.filters),
  };
  if (x.path !== undefined) out.path = checkPath(x.path);
  return out;
}

export function validateExportRequest(x: unknown): ExportRequest {
  if (!isRecord(x)) fail('export request', 'expected an object');
  onlyKeys(x, ['suggestedName', 'files'], 'export request');
  const folder = checkBareName(x.suggestedName, 'suggestedName');
  if (!Array.isArray(x.files) || x.files.length === 0) fail('files', 'expected a non-empty array');
  if (x.files.length > LIMITS.maxExportFiles) fail('files', `more than ${LIMITS.maxExportFiles}`);
  const seen = new Set<string>();
  let total = 0;
  const files = x.files.map((f: unknown, i: number) => {
    if (!isRecord(f)) fail(`files[${i}]`, 'expected an object');
    onlyKeys(f, ['name', 'data'], `files[${i}]`);
    const name = checkFileName(f.name, `files[${i}].name`);
    // Case-insensitive file systems (macOS, Windows) would silently merge these.
    if (seen.has(name.toLowerCase())) fail(`files[${i}].name`, `"${name}" appears twice`);
    seen.add(name.toLowerCase());
    const data = checkData(f.data, `files[${i}].data`);
    total += byteSize(data);
    if (total > LIMITS.maxTotalBytes) fail('files', `larger than ${LIMITS.maxTotalBytes} bytes together`);
    return { name, data };
  });
  return { suggestedName: folder, files };
}

export function validateConfirm(message: unknown): string {
  return checkString(message, 'message', LIMITS.maxMessageLength);
}

export function validateShowError(title: unknown, message: unknown): { title: string; message: string } {
  return {
    title: checkString(title, 'title', LIMITS.maxTitleLength),
    message: checkString(message, 'message', LIMITS.maxMessageLength, true),
  };
}

export function validateAutosaveText(text: unknown): string {
  return checkString(text, 'autosave text', LIMITS.maxAutosaveChars, true);
}

/** Rejects trailing arguments: each channel takes exactly what its bridge method sends. */
export function checkArgCount(args: readonly unknown[], max: number, channel: string): void {
  if (args.length > max) fail(`call to ${channel}`, `expected at most ${max} argument(s), got ${args.length}`);
}

/**
 * IPC may only come from the app's own top-level page (not a subframe, not a page the window
 * was navigated to). `frameUrl` is event.senderFrame.url, `isTopFrame` is senderFrame.parent === null.
 */
export function isTrustedSender(frameUrl: string | undefined | null, isTopFrame: boolean, allowedOrigins: readonly string[]): boolean {
  return typeof frameUrl === 'string' && isTopFrame && isAppUrl(frameUrl, allowedOrigins);
}

/**
 * Paths the user chose in a dialog during this session. "Save" without a dialog is allowed only
 * to these, so a compromised renderer cannot write wherever it likes.
 */
export class PathGrants {
  private readonly granted = new Set<string>();
  grant(path: string): void {
    this.granted.add(resolve(path));
  }
  has(path: string): boolean {
    return this.granted.has(resolve(path));
  }
}

// ---- Desktop integration

/** Project files the OS or the user hands over (argument, second launch, double-click, drop). */
export const PROJECT_FILE_EXTENSIONS: readonly string[] = ['json'];

/**
 * A path to a project file given by the OS or a drop: absolute, no NUL or control characters,
 * ending in .json (.netwright.json included). Returns it normalised. It is opened only because the
 * user gave it; the caller still reads it size-limited and as a regular file.
 */
export function validateGivenProjectPath(x: unknown, what = 'project path'): string {
  const p = checkPath(x, what);
  if (CONTROL_CHARS.test(p)) fail(what, 'contains a control character');
  if (!isAbsolute(p)) fail(what, 'must be absolute');
  const name = basename(p);
  if (!PROJECT_FILE_EXTENSIONS.includes(extensionOf(name))) fail(what, `"${name}" is not a project file (.netwright.json)`);
  return resolve(p);
}

/**
 * A recent project's id as main hands them out (recent.ts: 32 hex digits). Only ids are accepted,
 * never paths: main looks the id up in its own list and opens nothing else.
 */
export function validateRecentId(x: unknown): string {
  if (typeof x !== 'string' || !/^[0-9a-f]{32}$/.test(x)) fail('recent project id', 'expected an id from the recent list');
  return x;
}

export function validateTextEditAction(x: unknown): TextEditAction {
  if (typeof x !== 'string' || !(TEXT_EDIT_ACTIONS as readonly string[]).includes(x)) {
    fail('edit action', `expected one of ${TEXT_EDIT_ACTIONS.join(', ')}`);
  }
  return x as TextEditAction;
}

export function validateAboutInfo(x: unknown): AboutInfo {
  if (!isRecord(x)) fail('about info', 'expected an object');
  onlyKeys(x, ['details'], 'about info');
  if (!Array.isArray(x.details) || x.details.length > 20) fail('details', 'expected at most 20 lines');
  const details = x.details.map((d: unknown, i: number) => checkString(d, `details[${i}]`, 500, true));
  return { details };
}

export function validateDocumentState(x: unknown): DocumentState {
  if (!isRecord(x)) fail('document state', 'expected an object');
  onlyKeys(x, ['dirty', 'training', 'name'], 'document state');
  if (typeof x.dirty !== 'boolean') fail('dirty', 'expected a boolean');
  if (typeof x.training !== 'boolean') fail('training', 'expected a boolean');
  return { dirty: x.dirty, training: x.training, name: checkString(x.name, 'name', LIMITS.maxNameLength, true) };
}

/** The preload's envelope around an answer to a question main asked. */
export function validateAnswer(x: unknown): { ok: true; value: unknown } | { ok: false; error: string } {
  if (!isRecord(x) || typeof x.ok !== 'boolean') fail('answer', 'expected { ok, value } or { ok, error }');
  if (x.ok) {
    onlyKeys(x, ['ok', 'value'], 'answer');
    return { ok: true, value: x.value };
  }
  onlyKeys(x, ['ok', 'error'], 'answer');
  return { ok: false, error: checkString(x.error, 'error', LIMITS.maxMessageLength, true) };
}

export function checkRequestId(x: unknown): number {
  if (typeof x !== 'number' || !Number.isSafeInteger(x) || x < 1) fail('request id', 'expected a positive integer');
  return x;
}
