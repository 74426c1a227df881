// The block registry: every block type's one definition (one file each, see spec.ts), and the
// functions over them that the catalog, the compiler, the cost model and the exporters use.
import type { Block, BlockType, ParamSpec, Params } from '../graph/types';
import { activationBlock } from './activation';
import { add } from './add';
import { avgPool2d } from './avgpool';
import { batchNorm } from './batchnorm';
import { classifier } from './classifier';
import { concatenate } from './concatenate';
import { conv2d } from './conv2d';
import { dense } from './dense';
import { dropout } from './dropout';
import { flatten } from './flatten';
import { input } from './input';
import { l2Pool2d } from './l2pool';
import { localContrastNorm } from './lcn';
import { maxPool2d } from './maxpool';
import { reconstruction } from './reconstruction';
import { upsample2d } from './upsample';
import { SHOWN_WHEN, type BlockSpec, type Geometry } from './spec';

export * from './spec';

/** Every block type, in palette order. */
export const BLOCK_SPECS: readonly BlockSpec[] = [
  input,
  conv2d,
  maxPool2d,
  avgPool2d,
  l2Pool2d,
  upsample2d,
  localContrastNorm,
  dropout,
  dense,
  flatten,
  activationBlock,
  batchNorm,
  add,
  concatenate,
  classifier,
  reconstruction,
];

/** Block types that end a network (its output, and what its loss is computed on). */
export const OUTPUT_TYPES: readonly BlockType[] = ['Classifier', 'Reconstruction'];
export const isOutputType = (type: unknown): boolean => OUTPUT_TYPES.includes(type as BlockType);

export const BLOCK_SPEC = Object.fromEntries(BLOCK_SPECS.map((d) => [d.type, d])) as Record<BlockType, BlockSpec>;

export function isBlockType(type: unknown): type is BlockType {
  return typeof type === 'string' && Object.prototype.hasOwnProperty.call(BLOCK_SPEC, type);
}

/** The block's parameters with catalog defaults filled in (unknown keys dropped). */
export function resolveParams(block: Pick<Block, 'type' | 'params'>): Params {
  const def = BLOCK_SPEC[block.type];
  const out: Params = {};
  for (const spec of def.params) out[spec.key] = block.params[spec.key] ?? spec.default;
  return out;
}

/** The block's parameters that apply with these values (e.g. the std only for the normal initializer), in catalog order. */
export function visibleParams(def: { params: readonly ParamSpec[] }, params: Params): ParamSpec[] {
  return def.params.filter((spec) => SHOWN_WHEN[spec.key]?.(params) ?? true);
}

/** Error text for a parameter value that is out of its spec, or undefined when it is fine. */
export function checkParam(spec: ParamSpec, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'bool':
      return typeof value === 'boolean' ? undefined : `${spec.label} must be on or off.`;
    case 'enum':
      return typeof value === 'string' && spec.options?.includes(value)
        ? undefined
        : `${spec.label} must be one of ${spec.options?.join(', ')}.`;
    case 'int':
    case 'float': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return `${spec.label} must be a number.`;
      if (spec.kind === 'int' && !Number.isInteger(value)) return `${spec.label} must be a whole number.`;
      if (spec.min !== undefined && value < spec.min) return `${spec.label} must be at least ${spec.min}.`;
      if (spec.max !== undefined && value > spec.max) return `${spec.label} must be at most ${spec.max}.`;
      return undefined;
    }
  }
}

/**
 * The sliding window a block applies (window, stride, padding, dilation), from its resolved
 * parameters, or null for blocks that do not slide one (and for unknown types).
 */
export function blockGeometry(block: Pick<Block, 'type' | 'params'>): Geometry | null {
  if (!isBlockType(block.type)) return null;
  return BLOCK_SPEC[block.type].geometry(resolveParams(block));
}
