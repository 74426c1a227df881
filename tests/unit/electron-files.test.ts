import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AUTOSAVE_FILE,
  FileTooLargeError,
  createAutosaveStore,
  nodeFs,
  readFileLimited,
  writeFileAtomic,
  writeFilesInto,
  type AtomicFs,
} from '../../electron/main/files';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'netwright-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const leftovers = () => readdirSync(dir).filter((n) => n.endsWith('.tmp'));

/** Real fs, except that writing stops halfway with ENOSPC (a full disk). */
const diskFullFs: AtomicFs = {
  ...nodeFs,
  async open(path, flags, mode) {
    const handle = await nodeFs.open(path, flags, mode);
    return {
      async writeFile(data) {
        const half = typeof data === 'string' ? data.slice(0, data.length >> 1) : data.subarray(0, data.length >> 1);
        await handle.writeFile(half);
        throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      },
      sync: () => handle.sync(),
      close: () => handle.close(),
    };
  },
};

describe('writeFileAtomic', () => {
  it('creates and replaces files, leaving no temp files', async () => {
    const target = join(dir, 'net.netwright.json');
    await writeFileAtomic(target, '{"v":1}');
    expect(readFileSync(target, 'utf8')).toBe('{"v":1}');
    await writeFileAtomic(target, new Uint8Array([1, 2, 3]));
    expect([...readFileSync(target)]).toEqual([1, 2, 3]);
    expect(leftovers()).toEqual([]);
  });

  it('leaves the old file intact when the write fails halfway', async () => {
    const target = join(dir, 'net.netwright.json');
    writeFileSync(target, 'old contents');
    await expect(writeFileAtomic(target, 'new contents that never fully land', diskFullFs)).rejects.toThrow(/ENOSPC/);
    expect(readFileSync(target, 'utf8')).toBe('old contents');
    expect(leftovers()).toEqual([]);
  });

  it('leaves the old file intact when the rename fails', async () => {
    const target = join(dir, 'weights.bin');
    writeFileSync(target, 'old');
    const failingRename: AtomicFs = { ...nodeFs, rename: async () => Promise.reject(new Error('EXDEV: rename failed')) };
    await expect(writeFileAtomic(target, 'new', failingRename)).rejects.toThrow(/EXDEV/);
    expect(readFileSync(target, 'utf8')).toBe('old');
    expect(leftovers()).toEqual([]);
  });

  it('refuses to replace a directory and fails cleanly in a missing folder', async () => {
    mkdirSync(join(dir, 'folder'));
    await expect(writeFileAtomic(join(dir, 'folder'), 'x')).rejects.toThrow(/not a file/);
    await expect(writeFileAtomic(join(dir, 'missing', 'a.json'), 'x')).rejects.toThrow(/ENOENT/);
    expect(leftovers()).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('keeps the permissions of the file it replaces', async () => {
    const target = join(dir, 'private.json');
    writeFileSync(target, 'old');
    chmodSync(target, 0o600);
    await writeFileAtomic(target, 'new');
    expect(statSync(target).mode & 0o777).toBe(0o600);
  });
});

describe('readFileLimited', () => {
  it('reads small files and refuses large ones and directories', async () => {
    writeFileSync(join(dir, 'a.bin'), Buffer.alloc(100, 7));
    expect((await readFileLimited(join(dir, 'a.bin'), 100)).byteLength).toBe(100);
    await expect(readFileLimited(join(dir, 'a.bin'), 99)).rejects.toThrow(FileTooLargeError);
    await expect(readFileLimited(dir, 1000)).rejects.toThrow(/not a regular file/);
  });
});

describe('writeFilesInto', () => {
  it('creates the folder and writes each file', async () => {
    const out = join(dir, 'export', 'mnist-net');
    await writeFilesInto(out, [{ name: 'model.json', data: '{}' }, { name: 'weights.bin', data: new Uint8Array(8) }]);
    expect(readdirSync(out).sort()).toEqual(['model.json', 'weights.bin']);
  });
  it('refuses names that leave the folder', async () => {
    await expect(writeFilesInto(join(dir, 'e'), [{ name: '../evil.json', data: '' }])).rejects.toThrow(/outside/);
    await expect(writeFilesInto(join(dir, 'e'), [{ name: 'a/b.json', data: '' }])).rejects.toThrow(/outside/);
    expect(existsSync(join(dir, 'evil.json'))).toBe(false);
  });
});

describe('autosave store', () => {
  it('returns null before the first save, then the latest text', async () => {
    const store = createAutosaveStore(join(dir, 'userData'));
    expect(await store.load()).toBeNull();
    await store.store('one');
    await store.store('two');
    expect(await store.load()).toBe('two');
    expect(store.file).toBe(join(dir, 'userData', AUTOSAVE_FILE));
  });

  it('applies stores in call order even when not awaited', async () => {
    const store = createAutosaveStore(dir);
    const writes = Array.from({ length: 20 }, (_, i) => store.store(`v${i}`));
    await Promise.all(writes);
    expect(await store.load()).toBe('v19');
  });

  it('keeps the previous autosave when a store fails, and recovers', async () => {
    const good = createAutosaveStore(dir);
    await good.store('safe');
    const failing = createAutosaveStore(dir, diskFullFs);
    await expect(failing.store('x'.repeat(10_000))).rejects.toThrow(/ENOSPC/);
    expect(await failing.load()).toBe('safe');
    expect(readdirSync(dir)).toEqual([AUTOSAVE_FILE]);
    await good.store('later');
    expect(await good.load()).toBe('later');
  });

  it('survives a failed store in its queue', async () => {
    let renames = 0;
    const flaky: AtomicFs = { ...nodeFs, rename: (a, b) => (renames++ === 0 ? Promise.reject(new Error('boom')) : nodeFs.rename(a, b)) };
    const store = createAutosaveStore(dir, flaky);
    const first = store.store('a');
    const second = store.store('b'); // queued behind the failing one
    await expect(first).rejects.toThrow('boom');
    await second;
    expect(await store.load()).toBe('b');
  });
});
