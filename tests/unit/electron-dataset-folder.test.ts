// Main's side of "Import folder…" in the desktop app: the bounded walk of a picked folder, the
// grant under a token, and reads of one listed file at a time with every argument checked.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  FOLDER_LIMITS,
  FolderGrants,
  FolderLimitError,
  checkRelativePath,
  isDatasetFileName,
  walkDatasetFolder,
  type FolderLimits,
} from '../../electron/main/dataset-folder';

let base: string;
let root: string;
let outside: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'netwright-folder-'));
  root = join(base, 'pets');
  outside = join(base, 'secret.csv');
  writeFileSync(outside, 'password,1\n');
  mkdirSync(join(root, 'cats'), { recursive: true });
  mkdirSync(join(root, 'dogs'));
  mkdirSync(join(root, 'empty'));
  writeFileSync(join(root, 'cats', '10.png'), 'ten');
  writeFileSync(join(root, 'cats', '2.png'), 'two');
  writeFileSync(join(root, 'dogs', 'a.jpg'), 'dog!');
  writeFileSync(join(root, 'dogs', 'notes.docx'), 'not data');
  writeFileSync(join(root, '.DS_Store'), 'hidden');
  writeFileSync(join(root, 'train-images-idx3-ubyte.gz'), 'gz');
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const small = (patch: Partial<FolderLimits>): FolderLimits => ({ ...FOLDER_LIMITS, ...patch });
const canLink = process.platform !== 'win32';

describe('dataset file names', () => {
  it('takes images, tables, IDX (plain or gzipped) and NumPy; nothing else', () => {
    for (const ok of ['a.PNG', 'b.jpeg', 'c.webp', 'd.bmp', 'e.gif', 'x.csv', 'x.tsv', 'x.npy', 'x.npz', 'train-images-idx3-ubyte', 't10k-labels.idx1-ubyte.gz', 'data.idx3']) {
      expect(isDatasetFileName(ok), ok).toBe(true);
    }
    for (const no of ['run.sh', 'notes.docx', 'archive.gz', 'a.png.exe', 'README', 'x.json']) expect(isDatasetFileName(no), no).toBe(false);
  });
});

describe('walkDatasetFolder', () => {
  it('lists dataset files with sizes (numbers in order) and every sub-folder, skipping the rest', async () => {
    const { listing } = await walkDatasetFolder(root);
    expect(listing.name).toBe('pets');
    expect(listing.files).toEqual([
      { path: 'cats/2.png', size: 3 },
      { path: 'cats/10.png', size: 3 },
      { path: 'dogs/a.jpg', size: 4 },
      { path: 'train-images-idx3-ubyte.gz', size: 2 },
    ]);
    expect(listing.dirs).toEqual(['cats', 'dogs', 'empty']);
    expect(listing.skipped).toEqual([]);
  });

  it.skipIf(!canLink)('never follows links, to files or folders, inside or out', async () => {
    symlinkSync(outside, join(root, 'cats', 'leak.csv'));
    symlinkSync(base, join(root, 'up'), 'dir');
    symlinkSync(join(root, 'cats'), join(root, 'loop'), 'dir');
    const { listing } = await walkDatasetFolder(root);
    expect(listing.files.map((f) => f.path)).not.toContain('cats/leak.csv');
    expect(listing.files.every((f) => !f.path.startsWith('up/') && !f.path.startsWith('loop/'))).toBe(true);
    expect(listing.skipped.map((s) => s.file).sort()).toEqual(['cats/leak.csv', 'loop', 'up']);
    expect(listing.skipped[0].reason).toMatch(/link/);
  });

  it('refuses a folder with too many files or bytes, and skips folders too deep or files too large', async () => {
    await expect(walkDatasetFolder(root, small({ maxFiles: 3 }))).rejects.toThrow(FolderLimitError);
    await expect(walkDatasetFolder(root, small({ maxFiles: 3 }))).rejects.toThrow(/more than 3 dataset files/);
    await expect(walkDatasetFolder(root, small({ maxTotalBytes: 8 }))).rejects.toThrow(/more than 0 MB/);
    mkdirSync(join(root, 'a', 'b'), { recursive: true });
    writeFileSync(join(root, 'a', 'b', 'deep.png'), 'deep');
    const deep = await walkDatasetFolder(root, small({ maxDepth: 1, maxFileBytes: 3 }));
    expect(deep.listing.files.map((f) => f.path)).toEqual(['cats/2.png', 'cats/10.png', 'train-images-idx3-ubyte.gz']);
    expect(deep.listing.skipped).toEqual([
      { file: 'a/b', reason: 'more than 1 folders deep' },
      { file: 'dogs/a.jpg', reason: expect.stringMatching(/larger than/) },
    ]);
  });

  it('refuses a file where a folder was expected', async () => {
    await expect(walkDatasetFolder(join(root, 'cats', '2.png'))).rejects.toThrow(/not a folder/);
  });
});

describe('checkRelativePath', () => {
  it('takes listed relative paths and refuses traversal, absolute paths and odd characters', () => {
    expect(checkRelativePath('cats/2.png')).toBe('cats/2.png');
    for (const bad of ['../secret.csv', 'cats/../../secret.csv', './cats/2.png', 'cats//2.png', '/etc/passwd', 'C:/Windows/win.ini', 'c:x.png', '\\\\server\\share\\x.png', 'cats\\..\\..\\x', 'a\u0000.png', 'a\n.png', '', '..']) {
      expect(() => checkRelativePath(bad), JSON.stringify(bad)).toThrow(/Invalid dataset file path/);
    }
    expect(() => checkRelativePath(42)).toThrow(/expected a string/);
  });
});

describe('FolderGrants', () => {
  async function granted(limits?: FolderLimits, owner = 7) {
    const grants = new FolderGrants(limits);
    const walked = await walkDatasetFolder(root);
    return { grants, token: grants.grant(walked.root, walked.listing, owner) };
  }

  it('reads a listed file of a granted folder, for the window it was granted to', async () => {
    const { grants, token } = await granted();
    expect(token).toMatch(/^[0-9a-f]{32}$/);
    expect(new TextDecoder().decode(await grants.read(token, 'dogs/a.jpg', 7))).toBe('dog!');
    await expect(grants.read(token, 'dogs/a.jpg', 8)).rejects.toThrow(/no folder was picked/);
  });

  it('refuses a wrong or revoked token', async () => {
    const { grants, token } = await granted();
    await expect(grants.read('0'.repeat(32), 'dogs/a.jpg', 7)).rejects.toThrow(/no folder was picked/);
    await expect(grants.read('not-a-token', 'dogs/a.jpg', 7)).rejects.toThrow(/Invalid folder token/);
    await expect(grants.read(42, 'dogs/a.jpg', 7)).rejects.toThrow(/Invalid folder token/);
    grants.revoke(token);
    await expect(grants.read(token, 'dogs/a.jpg', 7)).rejects.toThrow(/no folder was picked/);
  });

  it('refuses traversal, absolute paths and files the walk did not list', async () => {
    const { grants, token } = await granted();
    await expect(grants.read(token, '../secret.csv', 7)).rejects.toThrow(/Invalid dataset file path/);
    await expect(grants.read(token, 'cats/../../secret.csv', 7)).rejects.toThrow(/Invalid dataset file path/);
    await expect(grants.read(token, outside, 7)).rejects.toThrow(/must be relative/);
    await expect(grants.read(token, 'dogs/notes.docx', 7)).rejects.toThrow(/not a dataset file of the picked folder/);
    await expect(grants.read(token, '.DS_Store', 7)).rejects.toThrow(/not a dataset file/);
    writeFileSync(join(root, 'cats', 'new.png'), 'added after the pick');
    await expect(grants.read(token, 'cats/new.png', 7)).rejects.toThrow(/not a dataset file/);
  });

  it.skipIf(!canLink)('refuses a listed file swapped for a link after the pick', async () => {
    const { grants, token } = await granted();
    unlinkSync(join(root, 'cats', '2.png'));
    symlinkSync(outside, join(root, 'cats', '2.png'));
    await expect(grants.read(token, 'cats/2.png', 7)).rejects.toThrow(/link/);
    rmSync(join(root, 'dogs'), { recursive: true });
    symlinkSync(base, join(root, 'dogs'), 'dir');
    writeFileSync(join(base, 'a.jpg'), 'outside');
    await expect(grants.read(token, 'dogs/a.jpg', 7)).rejects.toThrow(/outside the picked folder/);
  });

  it('refuses a file that grew past the size limit after the pick', async () => {
    const { grants, token } = await granted(small({ maxFileBytes: 10 }));
    writeFileSync(join(root, 'cats', '2.png'), 'x'.repeat(11));
    await expect(grants.read(token, 'cats/2.png', 7)).rejects.toThrow(/too large/);
    expect((await grants.read(token, 'cats/10.png', 7)).byteLength).toBe(3);
  });

  it('keeps a bounded number of grants, dropping the oldest', async () => {
    const grants = new FolderGrants(FOLDER_LIMITS, 2);
    const walked = await walkDatasetFolder(root);
    const [a, b, c] = [1, 2, 3].map(() => grants.grant(walked.root, walked.listing, 7));
    await expect(grants.read(a, 'dogs/a.jpg', 7)).rejects.toThrow(/no folder was picked/);
    expect((await grants.read(b, 'dogs/a.jpg', 7)).byteLength).toBe(4);
    expect((await grants.read(c, 'dogs/a.jpg', 7)).byteLength).toBe(4);
  });
});
