// Dataset folders the user picked in a dialog: a bounded walk (how many files, how many bytes, how
// deep; dataset file kinds only; links never followed; every path checked to stay inside), a grant
// per folder under a random token, and reads of one listed file at a time for the renderer, so a
// large folder never crosses IPC in one message. Plain Node (no electron), tested directly.
import { randomBytes } from 'node:crypto';
import { constants as fsConstants, promises as fsp } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import { FileTooLargeError } from './files';
import { IpcValidationError, LIMITS, checkString, extensionOf } from './validate';

const MiB = 1024 * 1024;

export interface FolderLimits {
  maxFiles: number;
  maxTotalBytes: number;
  /** Levels of sub-folders below the picked one (class folders, train/test/class: 2). */
  maxDepth: number;
  /** One file (MNIST's 47 MB images, a big .npz). */
  maxFileBytes: number;
}

export const FOLDER_LIMITS: FolderLimits = {
  maxFiles: 200_000,
  maxTotalBytes: 8 * 1024 * MiB,
  maxDepth: 4,
  maxFileBytes: LIMITS.maxFileBytes,
};

/** Folders granted at once (per app run); the oldest grant goes first. */
export const MAX_FOLDER_GRANTS = 8;

const IMAGE_EXTENSIONS = ['png', 'jpg', 'jpeg', 'webp', 'bmp', 'gif'];
const TABLE_EXTENSIONS = ['csv', 'tsv'];
const NUMPY_EXTENSIONS = ['npy', 'npz'];
/** IDX as users download it: train-images-idx3-ubyte, t10k-labels.idx1-ubyte, data.idx3 (plain or .gz). */
const IDX_NAME = /(?:idx\d*[-._]ubyte|[-._]ubyte|\.idx\d*)$/i;
const HIDDEN = /^(\.|Thumbs\.db$|desktop\.ini$)/i;

/** The dataset kinds the walk lists: images, CSV/TSV, IDX (plain or gzipped), .npy/.npz. */
export function isDatasetFileName(name: string): boolean {
  const ext = extensionOf(name);
  if ([...IMAGE_EXTENSIONS, ...TABLE_EXTENSIONS, ...NUMPY_EXTENSIONS].includes(ext)) return true;
  const stem = ext === 'gz' ? name.slice(0, -3) : name;
  return IDX_NAME.test(stem);
}

/** `child` is `root` itself or below it (both absolute and resolved). */
export function isInside(root: string, child: string): boolean {
  const rel = relative(root, child);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

export interface FolderFile {
  /** Relative to the picked folder, '/'-separated: 'cats/1.png'. */
  path: string;
  size: number;
}

export interface FolderListing {
  /** The picked folder's own name. */
  name: string;
  files: FolderFile[];
  /** Sub-folders, relative ('cats', 'train/cats'): empty class folders are reported by the import. */
  dirs: string[];
  /** What the walk left out, and why (links, too deep, a file over the size limit). */
  skipped: { file: string; reason: string }[];
}

export class FolderLimitError extends Error {
  override name = 'FolderLimitError';
}

/**
 * Lists the dataset files under `root` (a folder the user picked). Links are listed as skipped,
 * never followed; folders deeper than `maxDepth` are skipped; more files or bytes than the limits
 * is an error (nothing is half-listed). Names are sorted (numbers in order) for stable imports.
 */
export async function walkDatasetFolder(root: string, limits: FolderLimits = FOLDER_LIMITS): Promise<{ root: string; listing: FolderListing }> {
  const real = await fsp.realpath(root);
  if (!(await fsp.stat(real)).isDirectory()) throw new IpcValidationError(`${basename(root)} is not a folder`);
  const listing: FolderListing = { name: basename(real), files: [], dirs: [], skipped: [] };
  let total = 0;
  const walk = async (dir: string, depth: number): Promise<void> => {
    const entries = await fsp.readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
    for (const entry of entries) {
      if (HIDDEN.test(entry.name)) continue;
      const abs = join(dir, entry.name);
      if (!isInside(real, abs)) throw new IpcValidationError(`${entry.name} is outside the picked folder`);
      const rel = relative(real, abs).split(sep).join('/');
      if (entry.isSymbolicLink()) {
        listing.skipped.push({ file: rel, reason: 'a link: links are not followed' });
      } else if (entry.isDirectory()) {
        if (depth >= limits.maxDepth) {
          listing.skipped.push({ file: rel, reason: `more than ${limits.maxDepth} folders deep` });
          continue;
        }
        listing.dirs.push(rel);
        await walk(abs, depth + 1);
      } else if (entry.isFile() && isDatasetFileName(entry.name)) {
        const { size } = await fsp.lstat(abs);
        if (size > limits.maxFileBytes) {
          listing.skipped.push({ file: rel, reason: `larger than ${Math.round(limits.maxFileBytes / MiB)} MB` });
          continue;
        }
        if (listing.files.length >= limits.maxFiles) {
          throw new FolderLimitError(`${listing.name} has more than ${limits.maxFiles.toLocaleString('en-US')} dataset files; pick a smaller folder`);
        }
        total += size;
        if (total > limits.maxTotalBytes) {
          throw new FolderLimitError(`${listing.name} holds more than ${Math.round(limits.maxTotalBytes / MiB)} MB of dataset files; pick a smaller folder`);
        }
        listing.files.push({ path: rel, size });
      }
      // other files (documents, scripts, devices, sockets) are not dataset files: not listed
    }
  };
  await walk(real, 0);
  return { root: real, listing };
}

const TOKEN = /^[0-9a-f]{32}$/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;

export function checkFolderToken(x: unknown): string {
  if (typeof x !== 'string' || !TOKEN.test(x)) throw new IpcValidationError('Invalid folder token: not one the app handed out');
  return x;
}

/**
 * A path relative to a granted folder, as the listing gave it: '/'-separated segments, none empty,
 * '.' or '..'; not absolute (no leading / or \, no drive letter); no backslashes or control characters.
 */
export function checkRelativePath(x: unknown): string {
  const p = checkString(x, 'dataset file path', LIMITS.maxPathLength);
  const fail = (why: string): never => {
    throw new IpcValidationError(`Invalid dataset file path: ${why}`);
  };
  if (CONTROL_CHARS.test(p)) fail('contains a control character');
  if (p.includes('\\')) fail('must use / between folders');
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p) || isAbsolute(p)) fail('must be relative to the picked folder');
  if (p.split('/').some((s) => s === '' || s === '.' || s === '..')) fail('must not contain empty, . or .. parts');
  return p;
}

interface Grant {
  root: string;
  owner: number | undefined;
  files: Map<string, number>;
}

/** Folders the user picked, by token: the only places readDatasetFile reads from. */
export class FolderGrants {
  private readonly grants = new Map<string, Grant>();
  constructor(private readonly limits: FolderLimits = FOLDER_LIMITS, private readonly maxGrants = MAX_FOLDER_GRANTS) {}

  /** Grants a walked folder to the window `owner` (webContents id); returns its token. */
  grant(root: string, listing: FolderListing, owner: number | undefined): string {
    const token = randomBytes(16).toString('hex');
    this.grants.set(token, { root, owner, files: new Map(listing.files.map((f) => [f.path, f.size])) });
    while (this.grants.size > this.maxGrants) this.grants.delete(this.grants.keys().next().value!);
    return token;
  }

  revoke(token: string): void {
    this.grants.delete(token);
  }

  /**
   * One file of a granted folder: the token must be this window's, the path one the walk listed,
   * still a regular file (not swapped for a link) inside the folder, and within the size limit.
   */
  async read(rawToken: unknown, rawPath: unknown, owner: number | undefined): Promise<Uint8Array> {
    const token = checkFolderToken(rawToken);
    const rel = checkRelativePath(rawPath);
    const grant = this.grants.get(token);
    if (!grant || grant.owner !== owner) throw new IpcValidationError('Invalid folder token: no folder was picked under it');
    if (!grant.files.has(rel)) throw new IpcValidationError(`${rel} is not a dataset file of the picked folder`);
    const full = join(grant.root, ...rel.split('/'));
    if (!isInside(grant.root, full)) throw new IpcValidationError(`${rel} is outside the picked folder`);
    if ((await fsp.lstat(full)).isSymbolicLink()) throw new IpcValidationError(`${rel} is now a link: links are not followed`);
    if (!isInside(grant.root, await fsp.realpath(full))) throw new IpcValidationError(`${rel} now leads outside the picked folder`);
    // O_NOFOLLOW (where the OS has it): a link swapped in after the checks is refused by open itself.
    const handle = await fsp.open(full, fsConstants.O_RDONLY | (fsConstants.O_NOFOLLOW ?? 0));
    try {
      const stat = await handle.stat();
      if (!stat.isFile()) throw new IpcValidationError(`${rel} is no longer a regular file`);
      if (stat.size > this.limits.maxFileBytes) {
        throw new FileTooLargeError(`${rel} is too large (${(stat.size / MiB).toFixed(1)} MB; the limit is ${(this.limits.maxFileBytes / MiB).toFixed(1)} MB)`);
      }
      const buf = Buffer.alloc(stat.size);
      const { bytesRead } = await handle.read(buf, 0, stat.size, 0);
      return new Uint8Array(buf.buffer, buf.byteOffset, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
