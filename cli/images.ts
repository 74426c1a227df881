// Image files for predict: PNG (pngjs) and JPEG (jpeg-js), told apart by their first bytes,
// decoded to straight RGBA for core/data/image-input. Folders give their image files, sorted.
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { RgbaImage } from '../renderer/src/core/data/image-input';
import { CliError } from './io';

const IMAGE_EXT = /\.(png|jpe?g)$/i;

/** The image files named by the arguments: files as given, folders expanded to their .png/.jpg/.jpeg files. */
export function listImages(command: string, args: string[], cwd: string): string[] {
  const files: string[] = [];
  for (const arg of args) {
    const full = resolve(cwd, arg);
    let isDir: boolean;
    try {
      isDir = statSync(full).isDirectory();
    } catch {
      throw new CliError(`${command}: cannot read ${arg}: no such file or folder`);
    }
    if (!isDir) {
      files.push(arg);
      continue;
    }
    const inside = readdirSync(full).filter((f) => IMAGE_EXT.test(f)).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    if (!inside.length) throw new CliError(`${command}: the folder ${arg} has no .png, .jpg or .jpeg files`);
    files.push(...inside.map((f) => join(arg, f)));
  }
  return files;
}

export async function decodeImage(command: string, file: string, cwd: string): Promise<RgbaImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(resolve(cwd, file));
  } catch (e) {
    throw new CliError(`${command}: cannot read ${file}: ${(e as Error).message}`);
  }
  const isPng = bytes.length >= 8 && bytes.readUInt32BE(0) === 0x89504e47;
  const isJpeg = bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  try {
    if (isPng) {
      const { PNG } = (await import('pngjs')).default;
      // pngjs expands grey, palette and 16-bit images to 8-bit RGBA.
      const png = PNG.sync.read(bytes);
      return { rgba: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength), width: png.width, height: png.height };
    }
    if (isJpeg) {
      const jpeg = (await import('jpeg-js')).default;
      const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: 50 });
      return { rgba: img.data, width: img.width, height: img.height };
    }
  } catch (e) {
    throw new CliError(`${command}: ${file} is a damaged ${isPng ? 'PNG' : 'JPEG'} file: ${(e as Error).message}`);
  }
  throw new CliError(`${command}: ${file} is not a PNG or JPEG image`);
}
