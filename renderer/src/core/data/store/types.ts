// A decoded dataset kept on disk: one file of raw examples (N × H×W×C, uint8 or float32, little-endian)
// and a JSON description written last, so a folder without its description is an import that did
// not finish. The bytes live wherever the host keeps files: OPFS in the browser and in Electron
// (inside the app's data folder), the file system in Node (CLI, tests), memory in unit tests.
// Training reads it back in batches (StreamedDataset), so a dataset larger than memory trains.
import type { DatasetSummary, ImportOptions } from '../sources/types';

/** A file with positioned reads and writes (OPFS sync access handle, fs file descriptor, memory). */
export interface ByteFile {
  /** Reads into `out` from byte `at`; resolves with the count read (short only at the end of the file). */
  read(at: number, out: Uint8Array): Promise<number>;
  write(at: number, data: Uint8Array): Promise<void>;
  size(): Promise<number>;
  truncate(size: number): Promise<void>;
  /** Writes reach the disk (before the description that commits them is written). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** One stored dataset's folder of named files. */
export interface ByteFolder {
  /** 'read' fails when the file is missing; 'write' creates it (empty) or truncates it. */
  open(name: string, mode: 'read' | 'write'): Promise<ByteFile>;
  /** null when the file does not exist. */
  readText(name: string): Promise<string | null>;
  /** Replaces the file's text; atomic where the host can do it (write a temporary, then rename). */
  writeText(name: string, text: string): Promise<void>;
  remove(name: string): Promise<void>;
}

/** Where stored datasets live, one folder each, named by dataset id. */
export interface DatasetShelf {
  folder(id: string, create: boolean): Promise<ByteFolder | null>;
  list(): Promise<string[]>;
  remove(id: string): Promise<void>;
}

/** The raw example file and the description of a stored dataset. */
export const EXAMPLES_FILE = 'examples.bin';
export const META_FILE = 'dataset.json';
export const STORE_VERSION = 1;

/** One split of a stored dataset: example i of the split is stored example `pos[i]`, of class `labels[i]`. */
export interface StoredSplit {
  pos: number[];
  labels: number[];
}

/** dataset.json: everything but the pixels. */
export interface StoredDatasetMeta {
  version: number;
  id: string;
  /** ms since the epoch: the newest datasets are kept, the oldest removed. */
  createdAt: number;
  summary: DatasetSummary;
  /** The preprocessing the import ran with (recorded in runs). */
  options: ImportOptions;
  dtype: 'uint8' | 'float32';
  shape: [number, number, number];
  classNames: string[];
  /** Examples in the raw file. */
  stored: number;
  train: StoredSplit;
  test: StoredSplit;
  /** As on ImageDataset: how stored values map into the model's range. */
  scale?: number;
  mean?: number[];
  std?: number[];
}
