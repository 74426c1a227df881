// Tables, IDX, NumPy: every format parsed from generated fixtures, each broken case skipped or
// refused with its reason, and what is left imports.
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { assembleBatch, labelArray, streamedOf } from '../../renderer/src/core/data/dataset';
import { encodeIdx } from '../../renderer/src/core/data/idx';
import {
  DataImportError, encodeNpy, encodeZip, hasHeader, importDataset, labelColumn, parseNpy, parseNpz, stratifiedSplit,
  type SourceFile,
} from '../../renderer/src/core/data/sources';
import { barRows, deflatedZip } from './helpers/data-fixtures';

const file = (path: string, data: Uint8Array | string): SourceFile => {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  return { path, size: bytes.length, read: async () => bytes };
};

describe('CSV / TSV', () => {
  const header = ['a', 'b', 'c', 'd', 'label'];
  const rows = Array.from({ length: 20 }, (_, i) => [i % 4, (i * 3) % 7, 1, 0, i % 2 ? 'cat' : 'dog']);

  it('detects the header and the label column by name, maps string labels, splits stratified', async () => {
    const text = [header, ...rows].map((r) => r.join(',')).join('\n');
    const { data, summary } = await importDataset({ files: [file('t.csv', text)] });
    expect(summary.format).toBe('csv');
    expect(summary.classes).toEqual(['cat', 'dog']);
    // Four feature columns are a row of features, not a 2×2 image (squares count from 8×8).
    expect(summary.shape).toEqual([1, 4, 1]);
    expect(summary.train + summary.test).toBe(20);
    expect(summary.counts.test).toEqual([2, 2]);
    expect(data.train.classes).toBe(2);
    expect(summary.skipped).toEqual([]);
  });

  it('detects tabs, takes the last column without a header, reshapes 64 columns to 8×8×1', async () => {
    const { x, y } = barRows(30, 3, 8);
    const lines = y.map((k, i) => [...x.subarray(i * 64, (i + 1) * 64), k].join('\t'));
    const { data, summary } = await importDataset({ files: [file('bars.tsv', lines.join('\n'))] });
    expect(summary.shape).toEqual([8, 8, 1]);
    expect(summary.classes).toEqual(['0', '1', '2']);
    expect(summary.dtype).toBe('uint8');
    expect(data.train.images).toBeInstanceOf(Uint8Array);
  });

  it('honours --label by name or index and names an unknown column', () => {
    expect(labelColumn(['x', 'Target', 'y'], 3)).toBe(1);
    expect(labelColumn(['x', 'y', 'z'], 3)).toBe(2);
    expect(labelColumn(['x', 'y', 'z'], 3, 'x')).toBe(0);
    expect(labelColumn(null, 3, '1')).toBe(1);
    expect(() => labelColumn(['x', 'y'], 2, 'kind')).toThrow(/no column "kind" \(columns: x, y\)/);
    expect(hasHeader([['1', '2'], ['3', '4']])).toBe(false);
  });

  it('skips ragged rows and non-numeric cells, naming row and column; the rest imports', async () => {
    const lines = [header.join(','), ...rows.map((r) => r.join(','))];
    lines[3] = '1,2,3,dog'; // ragged: file row 4
    lines[6] = '1,oops,3,4,cat'; // non-numeric: file row 7, column "b"
    const { summary } = await importDataset({ files: [file('t.csv', lines.join('\n'))] });
    expect(summary.skipped).toEqual([
      { file: 't.csv: row 4', reason: 'has 4 cells, expected 5' },
      { file: 't.csv: row 7', reason: 'column "b": "oops" is not a number' },
    ]);
    expect(summary.train + summary.test).toBe(18);
  });

  it('warns about class imbalance, duplicates and classes with too few examples', async () => {
    const lines = ['a,b,label', ...Array.from({ length: 30 }, (_, i) => `${i},${i % 7},big`), '1,1,small', '2,2,small', '3,3,small', '0,0,big'];
    const { summary } = await importDataset({ files: [file('w.csv', lines.join('\n'))] });
    expect(summary.warnings).toEqual([
      'class imbalance: "big" has 31 examples, "small" only 3',
      'class "small" has only 3 examples',
      '4 duplicate examples (same pixels as an earlier one, train and test together)',
    ]);
    expect(summary.duplicates).toBe(4);
  });

  it('refuses a single-class table', async () => {
    const text = ['a,b,label', '1,2,x', '3,4,x', '5,6,x'].join('\n');
    await expect(importDataset({ files: [file('one.csv', text)] })).rejects.toThrow(/only one class \(x\)/);
  });
});

describe('IDX', () => {
  const images = (n: number) => encodeIdx({ dtype: 'uint8', shape: [n, 4, 4], data: Uint8Array.from({ length: n * 16 }, (_, i) => (i * 7) % 256) });
  const labels = (n: number) => encodeIdx({ dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 3) });

  it('reads a gzipped train pair and a plain test pair', async () => {
    const { data, summary } = await importDataset({
      files: [
        file('train-images-idx3-ubyte.gz', new Uint8Array(gzipSync(images(30)))),
        file('train-labels-idx1-ubyte.gz', new Uint8Array(gzipSync(labels(30)))),
        file('t10k-images-idx3-ubyte', images(9)),
        file('t10k-labels-idx1-ubyte', labels(9)),
      ],
    });
    expect(summary.format).toBe('idx');
    expect([summary.train, summary.test, summary.testSource]).toEqual([30, 9, 'given']);
    expect(summary.shape).toEqual([4, 4, 1]);
    expect(data.test.labels[4]).toBe(1);
  });

  it('skips a file whose header disagrees with its length (numbers named) and uses the rest', async () => {
    const cut = images(9).slice(0, 100);
    const { summary } = await importDataset({
      files: [file('train-images-idx3-ubyte', images(30)), file('train-labels-idx1-ubyte', labels(30)), file('t10k-images-idx3-ubyte', cut), file('t10k-labels-idx1-ubyte', labels(9))],
    });
    expect(summary.skipped[0].file).toBe('t10k-images-idx3-ubyte');
    expect(summary.skipped[0].reason).toMatch(/shape \[9, 4, 4\] of uint8 needs 160 bytes, file has 100/);
    expect(summary.testSource).toBe('split');
    expect(summary.train + summary.test).toBe(30);
  });

  it('refuses images and labels of different lengths', async () => {
    await expect(importDataset({ files: [file('train-images-idx3-ubyte', images(30)), file('train-labels-idx1-ubyte', labels(29))] }))
      .rejects.toThrow(DataImportError);
  });
});

describe('NumPy', () => {
  const { x, y } = barRows(40, 4, 6);

  it('parses .npy headers and data (uint8, float32, int64)', () => {
    const a = parseNpy(encodeNpy('|u1', [40, 6, 6], x));
    expect(a.shape).toEqual([40, 6, 6]);
    expect(a.data).toEqual(x);
    const f = parseNpy(encodeNpy('<f4', [2, 3], [0.5, 1, 2, 3, 4, 5]));
    expect(Array.from(f.data)).toEqual([0.5, 1, 2, 3, 4, 5]);
    expect(Array.from(parseNpy(encodeNpy('<i8', [3], [7, 8, 9])).data)).toEqual([7, 8, 9]);
  });

  it('reads an .npz of x/y (deflated, as savez_compressed writes) and x_train/y_train/x_test/y_test (stored)', async () => {
    const z = deflatedZip([{ name: 'x.npy', data: encodeNpy('|u1', [40, 6, 6], x) }, { name: 'y.npy', data: encodeNpy('<i8', [40], y) }]);
    expect([...(await parseNpz(z)).keys()]).toEqual(['x', 'y']);
    const { summary } = await importDataset({ files: [file('bars.npz', z)] });
    expect([summary.format, summary.train + summary.test, summary.classes.length]).toEqual(['npy', 40, 4]);

    const xf = Float32Array.from(x, (v) => v / 255);
    const split = encodeZip([
      { name: 'x_train.npy', data: encodeNpy('<f4', [30, 6, 6, 1], xf.subarray(0, 30 * 36)) },
      { name: 'y_train.npy', data: encodeNpy('<i4', [30], y.slice(0, 30)) },
      { name: 'x_test.npy', data: encodeNpy('<f4', [10, 6, 6, 1], xf.subarray(30 * 36)) },
      { name: 'y_test.npy', data: encodeNpy('<i4', [10], y.slice(30)) },
    ]);
    const r = await importDataset({ files: [file('mnistlike.npz', split)] });
    expect([r.summary.train, r.summary.test, r.summary.dtype]).toEqual([30, 10, 'float32']);
    expect(r.data.train.images).toBeInstanceOf(Float32Array);
  });

  it('skips an array with an unsupported dtype, refuses an x/y length mismatch', async () => {
    const files = [file('x.npy', encodeNpy('|u1', [40, 6, 6], x)), file('y.npy', encodeNpy('<i4', [40], y)), file('weights.npy', encodeNpy('<c8', [4], [1, 2, 3, 4]))];
    const { summary } = await importDataset({ files });
    expect(summary.skipped).toEqual([{ file: 'weights.npy', reason: 'weights.npy has unsupported dtype <c8 (use uint8, integers or floats)' }]);
    const bad = [file('x.npy', encodeNpy('|u1', [40, 6, 6], x)), file('y.npy', encodeNpy('<i4', [39], y.slice(1)))];
    await expect(importDataset({ files: bad })).rejects.toThrow('x has 40 examples but y has 39 labels');
  });
});

describe('datasets beyond uint8', () => {
  it('keeps float pixels, normalizes per channel in batches, and holds more than 256 classes', async () => {
    const n = 600;
    const lines = Array.from({ length: n }, (_, i) => `${(i % 10) / 10},${i % 300}`);
    const { data, summary } = await importDataset({ files: [file('many.csv', `f,label\n${lines.join('\n')}`)] }, { normalization: 'standardize' });
    expect(summary.classes.length).toBe(300);
    expect(data.train.labels).toBeInstanceOf(Uint16Array);
    expect(labelArray(3, 256)).toBeInstanceOf(Uint8Array);
    const ds = data.train;
    const idx = Uint32Array.from({ length: ds.count }, (_, i) => i);
    const b = assembleBatch(ds, idx, 0, ds.count, [1, 1, 1], 'center');
    const mean = b.x.reduce((a, v) => a + v, 0) / b.x.length;
    const sd = Math.sqrt(b.x.reduce((a, v) => a + (v - mean) ** 2, 0) / b.x.length);
    expect(Math.abs(mean)).toBeLessThan(1e-5);
    expect(sd).toBeCloseTo(1, 4);
    const first = data.train.labels[0];
    expect(b.y[first]).toBe(1);
    const src = streamedOf(ds);
    expect(await src.read([1, 0])).toEqual(Float32Array.from([ds.images[1], ds.images[0]]));
  });

  it('splits every class into train and test, seeded', () => {
    const labels = Uint8Array.from({ length: 50 }, (_, i) => (i < 40 ? 0 : 1));
    const a = stratifiedSplit(labels, 2, 0.2, 7);
    expect(a.test.length).toBe(10);
    expect([...a.test].filter((i) => i >= 40).length).toBe(2);
    expect(stratifiedSplit(labels, 2, 0.2, 7)).toEqual(a);
    expect(stratifiedSplit(labels, 2, 0.2, 8).test).not.toEqual(a.test);
  });
});
