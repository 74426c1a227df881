// A streamed image folder for Node: the folder imported once into a stored dataset
// (core/data/store: importFolderToStore — the import's decoding, skips, split, statistics,
// duplicates and warnings — on the file-system shelf), then batches read from its examples file
// with positioned reads, so a folder larger than memory trains from disk at the speed of in-memory
// data. The cache is keyed by the folder's file list (paths, sizes, modification times) and the
// import options: a changed file or another option means another stored dataset.
// Layout: <cacheDir>/<key>/{examples.bin, dataset.json} (the store's layout).
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StreamedDataset } from '../renderer/src/core/data/arrays';
import type { ImportInput } from '../renderer/src/core/data/sources/import';
import type { DatasetSummary, ImageDecoder, ImportOptions, Normalization, ResizePolicy } from '../renderer/src/core/data/sources/types';
import { importFolderToStore } from '../renderer/src/core/data/store/folder-import';
import { resplitStored } from '../renderer/src/core/data/store/resplit';
import { openStored, pruneShelf, readStoredMeta } from '../renderer/src/core/data/store/stored';
import { EXAMPLES_FILE, META_FILE } from '../renderer/src/core/data/store/types';
import { fsShelf } from './dataset-shelf';

/** Part of the key: a new store format or import logic means new caches. */
const VERSION = 2;

export const defaultCacheDir = () => join(tmpdir(), 'netwright-data-cache');

export interface CacheOptions {
  cacheDir?: string;
  size?: { height: number; width: number };
  /** Default: RGB when any image has colour, else grey (the import's choice). */
  color?: 'gray' | 'rgb';
  resize?: ResizePolicy;
  /** When the folder has no test/ folder: the stratified test fraction and seed (the import's defaults). */
  testFraction?: number;
  seed?: number;
  /** Mean/std applied in training (the import's modes), from the train split's statistics. */
  normalization?: Normalization;
  onProgress?: (done: number, total: number) => void;
}

export interface CachedFolder {
  data: { train: StreamedDataset; test: StreamedDataset };
  summary: DatasetSummary;
  /** The raw example file, and whether it was there already (no decoding this time). */
  file: string;
  fromCache: boolean;
  close(): void;
}

/** Decoded caches kept in the cache folder (newest first); older ones are removed after a build. */
const KEEP_CACHES = 4;

/** The files and the options that change the decoded bytes (size, colour, resize): a split or a normalization does not. */
function cacheKey(input: ImportInput, options: ImportOptions): string {
  const h = createHash('sha256');
  const { testFraction: _f, seed: _s, normalization: _n, ...decoding } = options;
  h.update(JSON.stringify({ v: VERSION, options: decoding, dirs: input.dirs ?? [] }));
  for (const f of input.files) h.update(`\n${f.path}\0${f.size ?? ''}\0${f.mtimeMs ?? ''}`);
  return h.digest('hex').slice(0, 32);
}

/**
 * An image folder (class sub-folders, optionally train/ + test/, or an index CSV) as streamed
 * train/test datasets backed by a stored dataset in `o.cacheDir` (default: a folder in the OS temp
 * dir). The first call imports (decodes) every image once; later calls with the same files and
 * options open the stored dataset at once.
 */
export async function cachedFolder(input: { files: ImportInput['files']; dirs?: string[]; name: string }, decode: ImageDecoder, o: CacheOptions = {}): Promise<CachedFolder> {
  const options: ImportOptions = {
    ...(o.size ? { size: o.size } : {}), ...(o.color ? { color: o.color } : {}), resize: o.resize ?? 'stretch',
    testFraction: o.testFraction ?? 0.2, seed: o.seed ?? 1, normalization: o.normalization ?? 'unit',
  };
  const dir = o.cacheDir ?? defaultCacheDir();
  mkdirSync(dir, { recursive: true });
  const shelf = fsShelf(dir);
  const id = cacheKey(input, options);
  let folder = await shelf.folder(id, false);
  const usable = folder ? await readStoredMeta(folder).then(() => true, () => false) : false;
  const fromCache = usable;
  if (!usable) {
    // Built under a name of this process's own, then renamed: a concurrent build of the same
    // folder never shares files with this one, and a crash leaves no half cache under the key.
    const partial = `${id}.${process.pid}.partial`;
    await shelf.remove(partial);
    if (folder) await shelf.remove(id); // there, but unreadable: damaged or from an interrupted rename
    try {
      await importFolderToStore(input, options, {
        decodeImage: decode,
        onProgress: o.onProgress && ((p) => o.onProgress!(p.done, p.total)),
      }, (await shelf.folder(partial, true))!, id);
      try {
        renameSync(join(dir, partial), join(dir, id));
      } catch (e) {
        // Another process finished the same cache first: use theirs.
        if (!existsSync(join(dir, id))) throw e;
      }
    } finally {
      rmSync(join(dir, partial), { recursive: true, force: true });
    }
    folder = await shelf.folder(id, false);
    // Each set of files and options is a full decoded copy: keep the newest few, not every one
    // (other processes' builds in progress are left alone).
    const building = (await shelf.list()).filter((n) => n.endsWith('.partial'));
    await pruneShelf(shelf, KEEP_CACHES - 1, [id, ...building]).catch(() => undefined);
  }
  // Another test share, seed or normalization than the cache was made with: split again, no decoding.
  const split = await resplitStored(folder!, options);
  if (split.changed) await folder!.writeText(META_FILE, JSON.stringify(split.meta));
  const opened = await openStored(folder!);
  return {
    data: opened.data,
    // The stored summary, under the name asked for now (the same files may be picked by another name).
    summary: { ...opened.meta.summary, name: input.name },
    file: join(dir, id, EXAMPLES_FILE),
    fromCache,
    close() {
      void opened.close().catch(() => undefined);
    },
  };
}
