// The block catalog: one declarative entry per block type, with its parameters (type, default,
// range, help), its shape function and its parameter count. Shapes follow Keras conventions
// (channels last, batch dimension omitted) so counts match model.summary().
//
// Each block's definition lives in core/blocks/ (one file per type, with its cost, geometry, tfjs
// layer and export lowerings too); this module is the graph's view of that registry.
import { BLOCK_SPEC, BLOCK_SPECS } from '../blocks/index';
import type { BlockDef, BlockType } from './types';

export { checkParam, isBlockType, resolveParams, visibleParams, windowOutput, blockGeometry, type Geometry } from '../blocks/index';

export const BLOCK_LIST: readonly BlockDef[] = BLOCK_SPECS;
export const BLOCKS: Record<BlockType, BlockDef> = BLOCK_SPEC;
