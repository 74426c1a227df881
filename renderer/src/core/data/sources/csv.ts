// CSV / TSV tables (papaparse): delimiter detected by the library, header detected here, one label
// column (numbers or names) and numeric feature columns, optionally reshaped to H×W×C. Ragged rows
// and non-numeric cells are skipped with their row and column named; the rest imports.
import Papa from 'papaparse';
import type { RawDataset } from './assemble';
import { DataImportError, type ImportOptions, type Skipped } from './types';

const LABEL_NAMES = ['label', 'class', 'target'];

const isNumber = (s: string) => s.trim() !== '' && Number.isFinite(Number(s));

/** Rows of a CSV/TSV text, delimiter detected (comma, tab, semicolon, pipe). */
export function parseRows(text: string): { rows: string[][]; delimiter: string } {
  const res = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy', delimitersToGuess: [',', '\t', ';', '|'] });
  return { rows: res.data, delimiter: res.meta.delimiter };
}

/** A first row is a header when it has text where the next row has numbers. */
export function hasHeader(rows: string[][]): boolean {
  if (rows.length < 2) return rows.length === 1 && !rows[0].some(isNumber);
  const [a, b] = rows;
  return a.some((cell, i) => !isNumber(cell) && b[i] !== undefined && isNumber(b[i])) || (!a.some(isNumber) && b.some(isNumber));
}

/** The label column: the option (name or 0-based index), else one named label/class/target, else the last. */
export function labelColumn(header: string[] | null, width: number, option?: string): number {
  if (option !== undefined) {
    const byName = header?.findIndex((h) => h.trim().toLowerCase() === option.trim().toLowerCase()) ?? -1;
    if (byName >= 0) return byName;
    if (/^\d+$/.test(option) && Number(option) < width) return Number(option);
    throw new DataImportError(`no column "${option}"${header ? ` (columns: ${header.join(', ')})` : ` (columns are numbered 0..${width - 1})`}`);
  }
  const named = header?.findIndex((h) => LABEL_NAMES.includes(h.trim().toLowerCase())) ?? -1;
  return named >= 0 ? named : width - 1;
}

/** The example shape for `n` features: the option, else a square grey image, else a 1×n strip. */
export function featureShape(n: number, option?: [number, number, number]): [number, number, number] {
  if (option) {
    if (option[0] * option[1] * option[2] !== n) {
      throw new DataImportError(`cannot reshape ${n} feature columns to ${option.join('×')} (${option[0] * option[1] * option[2]} values)`);
    }
    return option;
  }
  // A row of pixels: a square of at least 8×8 (64 columns, the issue's digits); fewer columns
  // (4 flower measurements, 16 sensor readings) are features in a row, not a tiny image.
  const s = Math.round(Math.sqrt(n));
  return s * s === n && s >= MIN_IMAGE_SIDE ? [s, s, 1] : [1, n, 1];
}

/** The smallest square of feature columns read as an image when no shape is given. */
export const MIN_IMAGE_SIDE = 8;

/** Parses a table into raw examples. */
export function csvToRaw(text: string, name: string, options: ImportOptions = {}): RawDataset {
  const { rows } = parseRows(text);
  if (!rows.length) throw new DataImportError(`${name} is empty`);
  const header = hasHeader(rows) ? rows[0].map((h) => h.trim()) : null;
  const body = header ? rows.slice(1) : rows;
  const width = header?.length ?? rows[0].length;
  if (width < 2) throw new DataImportError(`${name} has ${width} column; it needs a label column and at least one feature`);
  const label = labelColumn(header, width, options.label);
  const colName = (i: number) => (header ? `"${header[i]}"` : `${i + 1}`);
  const shape = featureShape(width - 1, options.shape);
  const skipped: Skipped[] = [];
  const values: number[] = [];
  const labels: (string | number)[] = [];
  const first = header ? 2 : 1;
  body.forEach((row, r) => {
    const line = `${name}: row ${r + first}`;
    if (row.length !== width) return skipped.push({ file: line, reason: `has ${row.length} cells, expected ${width}` });
    const bad = row.findIndex((cell, i) => i !== label && !isNumber(cell));
    if (bad >= 0) return skipped.push({ file: line, reason: `column ${colName(bad)}: "${row[bad]}" is not a number` });
    const l = row[label].trim();
    if (l === '') return skipped.push({ file: line, reason: `column ${colName(label)}: the label is empty` });
    labels.push(l);
    row.forEach((cell, i) => {
      if (i !== label) values.push(Number(cell));
    });
  });
  const numeric = labels.every((l) => isNumber(String(l)));
  const bytes = values.every((v) => Number.isInteger(v) && v >= 0 && v <= 255) && values.some((v) => v > 1);
  return {
    name, format: 'csv', shape, skipped,
    train: { pixels: bytes ? Uint8Array.from(values) : Float32Array.from(values), labels: numeric ? labels.map(Number) : labels },
  };
}
