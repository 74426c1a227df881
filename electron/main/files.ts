// File writing for the main process: atomic saves, exports and the autosave store.
// Plain Node (no electron): the autosave directory is passed in (app.getPath('userData') in the
// app, a tmp dir in tests), and the fs calls can be swapped to simulate failures.
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute } from 'node:path';

/** The part of an open file handle that writeFileAtomic uses. */
export interface WritableHandle {
  writeFile(data: Uint8Array | string): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

/** The fs calls writeFileAtomic makes; tests pass a wrapper that fails on purpose. */
export interface AtomicFs {
  open(path: string, flags: string, mode?: number): Promise<WritableHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(path: string): Promise<void>;
  stat(path: string): Promise<{ mode: number; isFile(): boolean }>;
}

export const nodeFs: AtomicFs = {
  open: (path, flags, mode) => fsp.open(path, flags, mode),
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
  stat: (path) => fsp.stat(path),
};

/** Temp names start with '.' and end with '.tmp' so they are hidden and easy to recognise. */
export function tempPathFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Writes `data` to `target` so that readers see either the old file or the complete new one:
 * write a temp file in the same directory (same file system, so rename is atomic), fsync it,
 * rename over the target, then fsync the directory so the rename itself survives a crash.
 * On any failure the temp file is removed and the old file is left as it was.
 */
export async function writeFileAtomic(target: string, data: Uint8Array | string, fs: AtomicFs = nodeFs): Promise<void> {
  let mode = 0o644;
  try {
    const existing = await fs.stat(target);
    if (!existing.isFile()) throw new Error(`${target} exists and is not a file`);
    mode = existing.mode & 0o777; // keep the old file's permissions
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const temp = tempPathFor(target);
  const handle = await fs.open(temp, 'wx', mode); // 'wx': never reuse an existing file
  let renamed = false;
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, target);
    renamed = true;
  } finally {
    if (!renamed) await fs.unlink(temp).catch(() => undefined);
  }
  await syncDirectory(dirname(target));
}

/** Best effort: Windows cannot open a directory for fsync, and the rename is done anyway. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof fsp.open>> | undefined;
  try {
    handle = await fsp.open(dir, 'r');
    await handle.sync();
  } catch {
    // ignore
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

export class FileTooLargeError extends Error {
  override name = 'FileTooLargeError';
}

/** Reads a regular file of at most `maxBytes`, checking the size before reading it all. */
export async function readFileLimited(path: string, maxBytes: number): Promise<Uint8Array> {
  const stat = await fsp.stat(path);
  if (!stat.isFile()) throw new Error(`${basename(path)} is not a regular file`);
  if (stat.size > maxBytes) {
    const mb = (n: number) => (n / (1024 * 1024)).toFixed(1);
    throw new FileTooLargeError(`${basename(path)} is too large (${mb(stat.size)} MB; the limit is ${mb(maxBytes)} MB)`);
  }
  const buf = await fsp.readFile(path);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Writes an export (model.json + weights.bin, ...) into `dir`, creating it. Names must already
 * be validated bare names; this checks again that none leaves the folder.
 */
export async function writeFilesInto(dir: string, files: readonly { name: string; data: Uint8Array | string }[], fs: AtomicFs = nodeFs): Promise<string[]> {
  await fsp.mkdir(dir, { recursive: true });
  const written: string[] = [];
  for (const file of files) {
    const target = join(dir, file.name);
    const rel = relative(dir, target);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel) || rel !== basename(rel)) {
      throw new Error(`refusing to write ${file.name} outside ${dir}`);
    }
    await writeFileAtomic(target, file.data, fs);
    written.push(target);
  }
  return written;
}

export const AUTOSAVE_FILE = 'autosave.netwright.json';

export interface AutosaveStore {
  readonly file: string;
  load(): Promise<string | null>;
  store(text: string): Promise<void>;
}

/**
 * The autosaved project in `dir` (app.getPath('userData') in the app). Stores run one after
 * another, in call order, so a slow older write never lands after a newer one.
 */
export function createAutosaveStore(dir: string, fs: AtomicFs = nodeFs): AutosaveStore {
  const file = join(dir, AUTOSAVE_FILE);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    file,
    async load() {
      await queue; // see the latest store
      try {
        return await fsp.readFile(file, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    store(text) {
      const run = queue.then(async () => {
        await fsp.mkdir(dir, { recursive: true });
        await writeFileAtomic(file, text, fs);
      });
      queue = run.catch(() => undefined);
      return run;
    },
  };
}
