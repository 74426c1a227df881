// Display helpers for blocks: short parameter summaries, shapes and counts.
import { BLOCKS, resolveParams } from '../core/graph/catalog';
import type { Block, BlockCategory, Shape } from '../core/graph/types';

/** Drag-and-drop type for palette items. */
export const BLOCK_MIME = 'application/x-netwright-block';

export const CATEGORY_COLOR: Record<BlockCategory, string> = {
  Input: 'var(--cat-input)',
  Convolution: 'var(--cat-convolution)',
  Pooling: 'var(--cat-pooling)',
  Normalization: 'var(--cat-normalization)',
  Core: 'var(--cat-core)',
  Merge: 'var(--cat-merge)',
  Output: 'var(--cat-output)',
};

export function formatShape(shape: Shape | undefined): string {
  return shape ? shape.join('×') : '?';
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e4) return `${(n / 1e3).toFixed(n >= 1e5 ? 0 : 1)}k`;
  return n.toLocaleString('en-US');
}

/** The two or three parameters that tell blocks of one type apart, as short text. */
export function blockSummary(block: Block): string {
  const p = resolveParams(block);
  switch (block.type) {
    case 'Input':
      return p.kind === 'vector' ? `vector ${p.length}` : `${p.height}×${p.width}×${p.channels} image`;
    case 'Conv2D':
      return `${p.filters} × ${p.kernelSize}×${p.kernelSize}, s${p.stride}, ${p.padding} · ${p.activation}`;
    case 'MaxPool2D':
    case 'AvgPool2D':
    case 'L2Pool2D':
      return `${p.poolSize}×${p.poolSize}, s${p.stride}, ${p.padding}`;
    case 'LocalContrastNorm':
      return `window ${p.kernelSize}, σ ${p.sigma}`;
    case 'Dropout':
      return `rate ${p.rate}`;
    case 'Dense':
      return `${p.units} units · ${p.activation}`;
    case 'Activation':
      return String(p.fn);
    case 'BatchNorm':
      return `momentum ${p.momentum}`;
    case 'Classifier':
      return `${p.classes} classes · softmax`;
    default:
      return BLOCKS[block.type]?.description.split(/[.:]/)[0] ?? '';
  }
}
