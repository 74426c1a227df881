// Receptive fields computed from the graph: for every block, which region of the network input one
// of its output units sees. Per axis a field is (size, jump, start) — Araujo et al., Distill 2019:
// unit i is centred at start + i·jump and spans ±(size − 1)/2 input pixels. Every window comes from
// the block's catalog geometry (core/blocks); nothing here knows a block type by name.
import { BLOCK_SPEC, blockGeometry, isBlockType } from '../blocks';
import { analyze, incoming, topologicalOrder } from '../graph/analyze';
import type { Graph } from '../graph/types';
import { expandUnits } from '../graph/units';

/** One axis of a receptive field, in input pixels (pixel centres at integer coordinates). */
export interface AxisField {
  /** Pixels one unit sees along this axis. */
  size: number;
  /** Input pixels between neighbouring units (the cumulative stride). */
  jump: number;
  /** Centre of unit 0 (may be fractional for even windows, negative when padding reaches out). */
  start: number;
}

export interface Field {
  y: AxisField;
  x: AxisField;
  /** The block's output is a vector (Flatten, Dense, …): each unit may see the whole input. */
  global: boolean;
  /** Input [height, width] the field is measured in. */
  input: [number, number];
}

/** A rectangle in input pixels: top-left corner and size (x, y may be negative before clipping). */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const IDENTITY: AxisField = { size: 1, jump: 1, start: 0 };

/**
 * TF/Keras padding before the first cell along one axis. 'same' pads floor(total/2) in front and
 * the odd extra cell at the end, with total = max((ceil(n/s) − 1)·s + k_eff − n, 0).
 */
export function padBefore(n: number, kernelEff: number, stride: number, padding: 'same' | 'valid'): number {
  if (padding === 'valid') return 0;
  const total = Math.max((Math.ceil(n / stride) - 1) * stride + kernelEff - n, 0);
  return Math.floor(total / 2);
}

/** The field after one sliding window on an input axis of length n. */
export function slideAxis(f: AxisField, n: number, kernel: number, stride: number, padding: 'same' | 'valid', dilation = 1): AxisField {
  const k = dilation * (kernel - 1) + 1;
  const p = padBefore(n, k, stride, padding);
  return { size: f.size + (k - 1) * f.jump, jump: f.jump * stride, start: f.start + ((k - 1) / 2 - p) * f.jump };
}

/**
 * The union of several branches' fields for units of an output axis of length n (Add/Concatenate).
 * Equal jumps give the exact union; different jumps (possible with equal shapes) give the smallest
 * field with the largest jump that covers every branch for every unit.
 */
export function unionAxis(fields: AxisField[], n: number): AxisField {
  const jump = Math.max(...fields.map((f) => f.jump));
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < Math.max(1, n); i++) {
    for (const f of fields) {
      const c = f.start + i * f.jump - i * jump;
      lo = Math.min(lo, c - (f.size - 1) / 2);
      hi = Math.max(hi, c + (f.size - 1) / 2);
    }
  }
  return { size: hi - lo + 1, jump, start: (lo + hi) / 2 };
}

/**
 * The receptive field of every block whose shape is known (Input included), by block id. Units are
 * expanded first, so repeated groups count every copy; blocks of copies carry the copies' ids.
 */
export function receptiveFields(graph: Graph): Map<string, Field> {
  const g = expandUnits(graph);
  const shapes = analyze(g).blocks;
  const byId = new Map(g.blocks.map((b) => [b.id, b]));
  const inputsOf = incoming(g);
  const out = new Map<string, Field>();
  const inputBlock = g.blocks.find((b) => b.type === 'Input');
  const inShape = inputBlock ? shapes[inputBlock.id]?.shape : undefined;
  if (!inputBlock || !inShape) return out;
  const input: [number, number] = inShape.length === 3 ? [inShape[0], inShape[1]] : [1, inShape[0]];

  for (const id of topologicalOrder(g)) {
    const block = byId.get(id);
    const shape = shapes[id]?.shape;
    if (!block || !shape || !isBlockType(block.type)) continue;
    if (block.type === 'Input') {
      out.set(id, { y: IDENTITY, x: IDENTITY, global: inShape.length !== 3, input });
      continue;
    }
    const sources = (inputsOf.get(id) ?? []).map((s) => ({ field: out.get(s), shape: shapes[s]?.shape }));
    if (sources.length === 0 || sources.some((s) => !s.field || !s.shape)) continue;
    const fields = sources.map((s) => s.field as Field);
    const whole = (): Field => ({ y: { size: input[0], jump: 0, start: (input[0] - 1) / 2 }, x: { size: input[1], jump: 0, start: (input[1] - 1) / 2 }, global: true, input });
    if (shape.length !== 3 || fields.some((f) => f.global)) {
      out.set(id, whole());
      continue;
    }
    if (BLOCK_SPEC[block.type].inputs === 'many') {
      out.set(id, { y: unionAxis(fields.map((f) => f.y), shape[0]), x: unionAxis(fields.map((f) => f.x), shape[1]), global: false, input });
      continue;
    }
    const geo = blockGeometry(block);
    const [f] = fields;
    if (!geo) {
      out.set(id, f); // element-wise blocks (BN, activations, dropout) see what their input sees
      continue;
    }
    const [h, w] = sources[0].shape as number[];
    out.set(id, {
      y: slideAxis(f.y, h, geo.kernel, geo.stride, geo.padding, geo.dilation),
      x: slideAxis(f.x, w, geo.kernel, geo.stride, geo.padding, geo.dilation),
      global: false,
      input,
    });
  }
  return out;
}

/** The input rectangle of unit (y, x) of a block with this field, not clipped to the input. */
export function unitRect(field: Field, y: number, x: number): Rect {
  if (field.global) return { x: 0, y: 0, width: field.input[1], height: field.input[0] };
  const top = field.y.start + y * field.y.jump - (field.y.size - 1) / 2;
  const left = field.x.start + x * field.x.jump - (field.x.size - 1) / 2;
  return { x: Math.floor(left), y: Math.floor(top), width: Math.ceil(field.x.size), height: Math.ceil(field.y.size) };
}

/** The part of a rectangle inside a height × width input (width/height 0 when it misses). */
export function clipRect(r: Rect, height: number, width: number): Rect {
  const x0 = Math.max(0, r.x);
  const y0 = Math.max(0, r.y);
  const x1 = Math.min(width, r.x + r.width);
  const y1 = Math.min(height, r.y + r.height);
  return { x: x0, y: y0, width: Math.max(0, x1 - x0), height: Math.max(0, y1 - y0) };
}

/** "13×13 px, stride 2, centre of unit 0 at (1, 1)" for the inspector and the views. */
export function describeField(f: Field): string {
  if (f.global) return `the whole ${f.input[0]}×${f.input[1]} input`;
  const n = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
  const size = f.y.size === f.x.size ? `${n(f.y.size)}×${n(f.x.size)}` : `${n(f.y.size)}×${n(f.x.size)}`;
  const jump = f.y.jump === f.x.jump ? `stride ${n(f.y.jump)}` : `stride ${n(f.y.jump)}×${n(f.x.jump)}`;
  return `${size} px, ${jump}, unit 0 centred at (${n(f.y.start)}, ${n(f.x.start)})`;
}
