// What the blocks' `tfjsImport` hooks share: the error an import refuses a layer with, and readers
// of Keras layer configs (square windows, paddings, activations, channels_last, fixed constants,
// kernel initializers). Not a block itself; export/import-tfjs.ts loops over the blocks' hooks.
import type { Params } from '../graph/types';
import { ACTIVATIONS } from './spec';

/** A model.json that cannot be imported; the message is for the user (it names the layer). */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

type Json = Record<string, unknown>;
export const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const KNOWN_ACTIVATIONS = new Set<string>(ACTIVATIONS);

/** A square window or stride: a number, or [n, n]. */
export function square(v: unknown, what: string, layer: string): number {
  const n = Array.isArray(v) ? v : [v, v];
  if (n.length !== 2 || typeof n[0] !== 'number' || n[0] !== n[1] || !Number.isInteger(n[0])) {
    throw new ImportError(`Layer "${layer}": ${what} ${JSON.stringify(v)} is not square (Netwright blocks use equal height and width).`);
  }
  return n[0];
}

/** An element-wise activation Netwright has (absent = linear). */
export function activationOf(v: unknown, layer: string): string {
  const a = v === undefined || v === null ? 'linear' : String(v);
  if (!KNOWN_ACTIVATIONS.has(a)) throw new ImportError(`Layer "${layer}": activation "${a}" is not one Netwright has (relu, sigmoid, tanh, linear; softmax only in the final Dense).`);
  return a;
}

export function padding(v: unknown, layer: string): 'same' | 'valid' {
  if (v !== 'same' && v !== 'valid') throw new ImportError(`Layer "${layer}": padding "${String(v)}" is not 'same' or 'valid'.`);
  return v;
}

export function channelsLast(c: Json, layer: string): void {
  if (c.data_format !== undefined && c.data_format !== null && c.data_format !== 'channels_last') {
    throw new ImportError(`Layer "${layer}" is channels_first; Netwright models are channels_last.`);
  }
}

/** A constant the block fixes (an ε): absent, or equal to it. */
export function close(a: unknown, b: number, what: string, layer: string): void {
  if (a !== undefined && (typeof a !== 'number' || Math.abs(a - b) > 1e-12 * Math.max(1, b))) {
    throw new ImportError(`Layer "${layer}": ${what} ${String(a)} differs from Netwright's fixed ${b}.`);
  }
}

/**
 * The kernel initializer, where the config names one (stock tfjs and Keras do; our export does not,
 * and then the block's default stays). Only how a further training starts depends on it.
 */
export function initializerOf(v: unknown): Params {
  if (!isObj(v) || typeof v.class_name !== 'string') return {};
  const c = isObj(v.config) ? v.config : {};
  const kind = String(v.class_name).replace(/_/g, '').toLowerCase();
  if (kind === 'zeros') return { initializer: 'zeros' };
  if (kind === 'randomnormal' && typeof c.stddev === 'number' && c.stddev > 0) return { initializer: 'normal', initStd: c.stddev };
  const named: Record<string, string> = { glorotuniform: 'glorotUniform', glorotnormal: 'glorotNormal', heuniform: 'heUniform', henormal: 'heNormal' };
  if (named[kind]) return { initializer: named[kind] };
  if (kind === 'variancescaling') {
    const uniform = c.distribution === 'uniform';
    if (c.scale === 2 && c.mode === 'fan_in') return { initializer: uniform ? 'heUniform' : 'heNormal' };
    if (c.scale === 1 && c.mode === 'fan_avg') return { initializer: uniform ? 'glorotUniform' : 'glorotNormal' };
  }
  return {};
}
