// Image folders (class sub-folders, train/test, index CSV) from generated PNG/JPEG files, every
// broken file listed with its reason, resize policies, and the network/data fit check.
import { describe, expect, it } from 'vitest';
import { applyFitFixes, checkDataFit, DataImportError, imageSize, importDataset, resizeRgb, sniff } from '../../renderer/src/core/data/sources';
import { instantiate, templateById } from '../../renderer/src/core/graph/templates';
import { nodeDecodeImage } from '../../cli/commands/data';
import { png, pngHeader, shapeFolder, sourceFiles } from './helpers/data-fixtures';

const deps = { decodeImage: nodeDecodeImage };

describe('image folders', () => {
  it('imports class folders of colour images of mixed sizes, with every broken file listed', async () => {
    const files = shapeFolder(10);
    const good = png(16, 16, () => [200, 10, 10]);
    files.set('red/truncated.png', good.slice(0, 60));
    files.set('green/notes.png', new TextEncoder().encode('this is not a picture\n'));
    files.set('blue/huge.png', pngHeader(100000, 100000));
    files.set('readme.txt', new TextEncoder().encode('hello'));
    const progress: number[] = [];
    const { data, summary } = await importDataset(
      { files: sourceFiles(files), dirs: ['red', 'green', 'blue', 'empty'], name: 'shapes' },
      { seed: 3 },
      { ...deps, onProgress: (p) => progress.push(p.done) },
    );
    expect(summary.classes).toEqual(['blue', 'green', 'red']);
    expect(summary.shape).toEqual([16, 16, 3]);
    expect(summary.sizes[0]).toEqual({ height: 16, width: 16, count: 25 }); // the truncated PNG's header counts
    expect(summary.sizes[1]).toEqual({ height: 18, width: 20, count: 6 });
    expect(summary.train + summary.test).toBe(30);
    expect(summary.testSource).toBe('split');
    const reasons = Object.fromEntries(summary.skipped.map((s) => [s.file, s.reason]));
    expect(reasons['readme.txt']).toBe('not inside a class folder');
    expect(reasons['empty/']).toBe('empty class folder');
    expect(reasons['green/notes.png']).toMatch(/not an image: its content is text/);
    expect(reasons['blue/huge.png']).toMatch(/header claims 100000×100000 .* over the 50 MP limit/);
    expect(reasons['red/truncated.png']).toMatch(/could not be decoded/);
    expect(summary.skipped).toHaveLength(5);
    expect(progress.length).toBeGreaterThan(30);
    // Red images are red: the mean of the red channel in the red class is far above blue's.
    const { train } = data;
    const size = 16 * 16 * 3;
    const k = train.labels.indexOf(2);
    let r = 0;
    let b = 0;
    for (let i = 0; i < size; i += 3) {
      r += train.images[k * size + i];
      b += train.images[k * size + i + 2];
    }
    expect(r).toBeGreaterThan(2 * b);
  });

  it('uses train/ and test/ folders, converts to grey on request, pads to a given size', async () => {
    const files = new Map<string, Uint8Array>();
    for (const split of ['train', 'test']) {
      for (const [c, v] of [['dark', 20], ['light', 230]] as const) {
        for (let i = 0; i < (split === 'train' ? 6 : 2); i++) files.set(`${split}/${c}/${i}.png`, png(8, 4, () => [v, v, v]));
      }
    }
    const { data, summary } = await importDataset({ files: sourceFiles(files) }, { color: 'gray', size: { height: 8, width: 8 }, resize: 'pad' }, deps);
    expect([summary.train, summary.test, summary.testSource]).toEqual([12, 4, 'given']);
    expect(summary.shape).toEqual([8, 8, 1]);
    const light = data.train.labels.indexOf(1) * 64;
    expect(data.train.images[light]).toBe(0); // padded border
    expect(data.train.images[light + 3 * 8 + 3]).toBe(230);
  });

  it('reads labels from an index CSV, listing missing and unlisted files', async () => {
    const files = new Map<string, Uint8Array>();
    const rows = ['file,label'];
    for (let i = 0; i < 8; i++) {
      files.set(`img/${i}.png`, png(4, 4, () => (i % 2 ? [255, 255, 255] : [0, 0, 0])));
      rows.push(`img/${i}.png,${i % 2 ? 'on' : 'off'}`);
    }
    files.set('img/stray.png', png(4, 4, () => [9, 9, 9]));
    rows.push('img/missing.png,on');
    files.set('labels.csv', new TextEncoder().encode(rows.join('\n')));
    const { summary } = await importDataset({ files: sourceFiles(files) }, {}, deps);
    expect(summary.classes).toEqual(['off', 'on']);
    expect(summary.train + summary.test).toBe(8);
    expect(summary.skipped).toEqual([
      { file: 'img/missing.png', reason: 'listed in labels.csv but not found' },
      { file: 'img/stray.png', reason: 'not listed in the index' },
    ]);
  });

  it('refuses a single-class folder and a folder with no usable image', async () => {
    const one = new Map([['only/1.png', png(4, 4, () => [1, 2, 3])], ['only/2.png', png(4, 4, () => [3, 2, 1])]]);
    await expect(importDataset({ files: sourceFiles(one) }, {}, deps)).rejects.toThrow(/only one class \(only\)/);
    const none = new Map([['x/1.png', new TextEncoder().encode('no')], ['y/2.png', new Uint8Array(3)]]);
    const err = await importDataset({ files: sourceFiles(none) }, {}, deps).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DataImportError);
    expect((err as DataImportError).skipped).toHaveLength(2);
  });

  it('sniffs kinds by content and reads sizes from headers', () => {
    expect(sniff(png(3, 2, () => [0, 0, 0]))).toBe('png');
    expect(imageSize(png(3, 2, () => [0, 0, 0]), 'png')).toEqual({ width: 3, height: 2 });
    expect(sniff(new TextEncoder().encode('a,b\n1,2'))).toBe('text');
  });

  it('resizes with stretch, crop and pad', () => {
    const src = Float32Array.from({ length: 4 * 2 * 3 }, (_, i) => (Math.floor(i / 3) % 4 < 2 ? 0 : 90));
    expect(Array.from(resizeRgb(src, 4, 2, 2, 2, 'stretch').filter((_, i) => i % 3 === 0))).toEqual([0, 90, 0, 90]);
    expect(Array.from(resizeRgb(src, 4, 2, 2, 2, 'crop').filter((_, i) => i % 3 === 0))).toEqual([0, 90, 0, 90]);
    const padded = resizeRgb(src, 4, 2, 4, 4, 'pad').filter((_, i) => i % 3 === 0);
    expect(Array.from(padded.subarray(0, 4))).toEqual([0, 0, 0, 0]);
    expect(Array.from(padded.subarray(4, 8))).toEqual([0, 0, 90, 90]);
  });
});

describe('network and data agree', () => {
  it('names the block to change and the fix: classes, channels, an image smaller than the input', () => {
    const graph = instantiate(templateById('convnetjs-mnist')!);
    expect(checkDataFit(graph, { height: 28, width: 28, channels: 1, classes: 10 })).toEqual([]);
    const issues = checkDataFit(graph, { height: 20, width: 20, channels: 3, classes: 5 });
    expect(issues.map((i) => [i.code, i.fix.label])).toEqual([
      ['data-channels', 'set channels to 3'],
      ['data-too-small', 'set the size to 20×20'],
      ['data-classes', 'set classes to 5'],
    ]);
    const input = graph.blocks.find((b) => b.type === 'Input')!;
    expect(issues[0].blockId).toBe(input.id);
    expect(issues[2].blockId).toBe(graph.blocks.find((b) => b.type === 'Classifier')!.id);
    const fixed = applyFitFixes(graph, issues);
    expect(checkDataFit(fixed, { height: 20, width: 20, channels: 3, classes: 5 })).toEqual([]);
    expect(graph.blocks.find((b) => b.type === 'Input')!.params).toEqual(input.params);
  });
});
