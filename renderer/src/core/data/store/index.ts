// Stored datasets' public surface: the host interfaces (types.ts), a memory shelf, storing an
// in-memory import, importing an image folder straight to disk, and opening a stored dataset.
export * from './types';
export { memoryShelf } from './memory';
export { classSamples, exampleBytes, openStored, pruneShelf, readStoredMeta, storeImported, type StoredData } from './stored';
export { ENCODED_FILE, importFolderToStore, TEMP_FILE, type StoreImportDeps } from './folder-import';
