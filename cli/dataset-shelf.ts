// Stored datasets on the Node file system (CLI, tests): one folder per dataset id under `dir`,
// files read and written with positioned fs calls (FileHandle.read/write at offsets), so a batch
// of examples is a few reads, never the whole file. Descriptions are replaced atomically (a
// temporary file, then a rename), so a reader sees the old description or the new one.
import { read } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { ByteFile, ByteFolder, DatasetShelf } from '../renderer/src/core/data/store/types';

const readAt = (fd: number, buf: Uint8Array, off: number, len: number, pos: number) =>
  new Promise<number>((resolve, reject) => read(fd, buf, off, len, pos, (e, n) => (e ? reject(e) : resolve(n))));

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/** Ids and file names become path parts: one plain name each, nothing that climbs out of `dir`. */
function checkName(kind: string, name: string): string {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) throw new Error(`not a valid stored-dataset ${kind}: ${JSON.stringify(name)}`);
  return name;
}

function fileOf(h: FileHandle): ByteFile {
  let open = true;
  return {
    async read(at, out) {
      // Short only at the end of the file: keep reading until full or EOF. The callback fs.read on
      // the handle's descriptor: ~3× less overhead per call than FileHandle.read (one call per example).
      let done = 0;
      while (done < out.length) {
        const bytesRead = await readAt(h.fd, out, done, out.length - done, at + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return done;
    },
    async write(at, data) {
      let done = 0;
      while (done < data.length) {
        const { bytesWritten } = await h.write(data, done, data.length - done, at + done);
        if (bytesWritten <= 0) throw new Error('the disk refused the write (is it full?)');
        done += bytesWritten;
      }
    },
    size: async () => (await h.stat()).size,
    truncate: (size) => h.truncate(size),
    flush: () => h.datasync(),
    async close() {
      if (open) await h.close();
      open = false;
    },
  };
}

function folderOf(path: string): ByteFolder {
  const at = (name: string) => join(path, checkName('file name', name));
  return {
    async open(name, mode) {
      // 'w+': created or truncated, and readable (the import reads its temp file back).
      return fileOf(await open(at(name), mode === 'read' ? 'r' : 'w+'));
    },
    async readText(name) {
      try {
        return await readFile(at(name), 'utf8');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async writeText(name, text) {
      const tmp = `${at(name)}.${process.pid}.tmp`;
      const h = await open(tmp, 'w');
      try {
        await h.writeFile(text, 'utf8');
        await h.datasync();
      } finally {
        await h.close();
      }
      await rename(tmp, at(name));
    },
    async remove(name) {
      await rm(at(name), { force: true });
    },
  };
}

/** Stored datasets under `dir` (created when needed). */
export function fsShelf(dir: string): DatasetShelf {
  const at = (id: string) => join(dir, checkName('id', id));
  return {
    async folder(id, create) {
      const path = at(id);
      if (create) await mkdir(path, { recursive: true });
      else {
        try {
          if (!(await stat(path)).isDirectory()) return null;
        } catch (e) {
          if (isMissing(e)) return null;
          throw e;
        }
      }
      return folderOf(path);
    },
    async list() {
      try {
        return (await readdir(dir, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => d.name);
      } catch (e) {
        if (isMissing(e)) return [];
        throw e;
      }
    },
    async remove(id) {
      await rm(at(id), { recursive: true, force: true });
    },
  };
}
