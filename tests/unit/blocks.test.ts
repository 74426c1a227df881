// The block registry: one definition per block type, with geometry for receptive fields, and no
// TensorFlow.js import (the catalog loads in the editor's main thread and in the CLI's --help).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BLOCK_SPEC, BLOCK_SPECS, blockGeometry, resolveParams } from '../../renderer/src/core/blocks/index';
import { BLOCK_LIST, BLOCKS } from '../../renderer/src/core/graph/catalog';
import type { BlockType } from '../../renderer/src/core/graph/types';

const ALL_TYPES: BlockType[] = [
  'Input', 'Conv2D', 'MaxPool2D', 'AvgPool2D', 'L2Pool2D', 'LocalContrastNorm', 'Dropout', 'Dense', 'Flatten', 'Activation', 'BatchNorm',
  'Add', 'Concatenate', 'Classifier', 'Upsample2D', 'Reconstruction',
];

describe('block registry', () => {
  it('has exactly one spec per block type, and the catalog is that registry', () => {
    expect(BLOCK_SPECS.map((s) => s.type).sort()).toEqual([...ALL_TYPES].sort());
    expect(BLOCK_LIST).toBe(BLOCK_SPECS);
    for (const t of ALL_TYPES) expect(BLOCKS[t]).toBe(BLOCK_SPEC[t]);
  });

  it('every spec has shape, cost, geometry and all lowerings; every non-Input one builds a layer', () => {
    for (const s of BLOCK_SPECS) {
      for (const fn of ['shape', 'paramCount', 'multiplyAdds', 'geometry', 'tfjs', 'onnx', 'torch'] as const) expect(typeof s[fn], `${s.type}.${fn}`).toBe('function');
      expect(typeof s.layer, `${s.type}.layer`).toBe(s.type === 'Input' ? 'undefined' : 'function');
    }
  });

  it('gives the sliding window of each block from its resolved params', () => {
    const g = (type: BlockType, params = {}) => blockGeometry({ type, params });
    expect(g('Conv2D', { kernelSize: 3, stride: 2, padding: 'valid' })).toEqual({ kernel: 3, stride: 2, padding: 'valid', dilation: 1 });
    expect(g('Conv2D')).toEqual({ kernel: 5, stride: 1, padding: 'same', dilation: 1 });
    expect(g('MaxPool2D', { poolSize: 3, stride: 2, padding: 'same' })).toEqual({ kernel: 3, stride: 2, padding: 'same', dilation: 1 });
    expect(g('AvgPool2D')).toEqual({ kernel: 2, stride: 2, padding: 'valid', dilation: 1 });
    expect(g('L2Pool2D', { poolSize: 4, stride: 1 })).toEqual({ kernel: 4, stride: 1, padding: 'valid', dilation: 1 });
    // LCN widens the field like a stride-1 'same' convolution of its window.
    // Two stacked k-windows (the local mean of x, then of v²): 2k − 1.
    expect(g('LocalContrastNorm', { kernelSize: 7 })).toEqual({ kernel: 13, stride: 1, padding: 'same', dilation: 1 });
    for (const t of ['Input', 'Dropout', 'Dense', 'Flatten', 'Activation', 'BatchNorm', 'Add', 'Concatenate', 'Classifier'] as const) expect(g(t)).toBeNull();
    expect(blockGeometry({ type: 'Conv9D' as BlockType, params: {} })).toBeNull();
  });

  it('resolves params with defaults and drops unknown keys', () => {
    expect(resolveParams({ type: 'Dropout', params: { rate: 0.25, junk: 1 } })).toEqual({ rate: 0.25 });
  });

  it('block files import TensorFlow.js as types only', () => {
    const dir = join(__dirname, '../../renderer/src/core/blocks');
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.ts'))) {
      const text = readFileSync(join(dir, f), 'utf8');
      const runtime = text.split('\n').filter((l) => /^import\s+(?!type\b)/.test(l) && /@tensorflow|compile\//.test(l));
      expect(runtime, f).toEqual([]);
    }
  });
});
