// The custom layers. Importing this module registers them for deserialization; call
// registerCustomLayers() as well where a bundler might drop a side-effect-only import.
import * as tf from '@tensorflow/tfjs';
import { SameAvgPool2D } from './avgpool';
import { SeededDropout } from './dropout';
import { GroupedConv2D } from './groupedconv';
import { L2Pool2D } from './l2pool';
import { LocalContrastNorm } from './lcn';
import { Upsample2D } from './upsample';

export { SameAvgPool2D, avgPool2d, avgPoolSame, samePad, insideCounts, type PoolPadding } from './avgpool';
export { SeededDropout, dropoutCalls, setDropoutCalls, type SeededDropoutArgs } from './dropout';
export { GroupedConv2D, groupedConv2d, type GroupedConv2DArgs } from './groupedconv';
export { L2Pool2D, type L2Pool2DArgs } from './l2pool';
export { Upsample2D, upsampleNearest, type Upsample2DArgs } from './upsample';
export { LocalContrastNorm, gaussian1d, insideWeight, type LocalContrastNormArgs } from './lcn';

export const CUSTOM_LAYERS = [SameAvgPool2D, L2Pool2D, LocalContrastNorm, SeededDropout, GroupedConv2D, Upsample2D] as const;

/** Registers the custom layer classes with tfjs serialization. Safe to call any number of times. */
export function registerCustomLayers(): void {
  for (const cls of CUSTOM_LAYERS) tf.serialization.registerClass(cls);
}

registerCustomLayers();
