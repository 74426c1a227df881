// The data-fit check for an autoencoder: a Reconstruction head is checked against the data's image
// (channels, and the Input's size), never against a class count.
import { describe, expect, it } from 'vitest';
import { applyFitFixes, checkDataFit } from '@/core/data/sources';
import { chain } from '@/core/lab/graphs';
import { autoencoderNet } from '@/core/lab/experiments';

const MNIST = { height: 28, width: 28, channels: 1, classes: 10 };

describe('checkDataFit with a Reconstruction head', () => {
  it('accepts the autoencoder on MNIST and on data with any number of classes', () => {
    expect(checkDataFit(autoencoderNet(), MNIST)).toEqual([]);
    expect(checkDataFit(autoencoderNet(), { ...MNIST, classes: 3 })).toEqual([]);
  });

  it('asks for the data’s channels on both the Input and the head, and the fixes make it fit', () => {
    const rgb = { height: 28, width: 28, channels: 3, classes: 5 };
    const issues = checkDataFit(autoencoderNet(), rgb);
    expect(issues.map((i) => [i.blockId, i.code])).toEqual([['input_1', 'data-channels'], ['reconstruction_1', 'data-channels']]);
    expect(issues[1].message).toBe('the reconstruction has 1 channel(s), the data have 3');
    expect(issues[1].fix.params).toEqual({ channels: 3 });
    expect(issues.some((i) => i.code === 'data-classes')).toBe(false);
    expect(checkDataFit(applyFitFixes(autoencoderNet(), issues), rgb)).toEqual([]);
  });

  it('says when the head’s image is not the size of the Input', () => {
    const g = chain([
      ['input_1', 'Input', { kind: 'image', height: 28, width: 28, channels: 1 }],
      ['conv2d_1', 'Conv2D', { filters: 4, kernelSize: 3, stride: 1, padding: 'same', activation: 'relu' }],
      ['maxpool2d_1', 'MaxPool2D', { poolSize: 2, stride: 2, padding: 'valid' }],
      ['reconstruction_1', 'Reconstruction', { channels: 1, kernelSize: 3 }],
    ]);
    const issues = checkDataFit(g, MNIST);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ blockId: 'reconstruction_1', code: 'shape' });
    expect(issues[0].message).toMatch(/^the reconstruction is 14×14, the Input block 28×28/);
  });
});
