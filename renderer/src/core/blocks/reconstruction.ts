// The reconstruction head of an autoencoder: a 'same' convolution to the input's channels with a
// sigmoid, so the output is an image in [0, 1] the shape of the Input (pixels are scaled to [0, 1]).
// A model with this head trains on the mean squared error between its output and its own input
// (train/step.ts chooses the loss by the head); accuracy does not apply (NaN). The exports write
// classifier networks only: they refuse a reconstruction network as a whole (export/common.ts).
import { int, num, slidingShape, type BlockSpec } from './spec';

const refuse = (): never => {
  throw new Error('a Reconstruction (autoencoder) head cannot be exported yet: the exports write classifier networks only');
};

export const reconstruction: BlockSpec = {
  type: 'Reconstruction', label: 'Reconstruction', category: 'Output', inputs: 1,
  description: 'Autoencoder output: an image the shape of the input (sigmoid, in [0, 1]); trained to reproduce the input with mean squared error, no labels.',
  params: [
    int('channels', 'Channels', 1, 1, 4, 'Channels of the reconstructed image: the Input’s channels.'),
    int('kernelSize', 'Kernel size', 3, 1, 15, 'Window of the final convolution (same padding).'),
  ],
  shape: (p, inputs) => slidingShape('Reconstruction', inputs, num(p, 'kernelSize'), 1, 'same', num(p, 'channels')),
  paramCount: (p, inputs) => num(p, 'kernelSize') ** 2 * inputs[0][2] * num(p, 'channels') + num(p, 'channels'),
  multiplyAdds: (p, inputs, output) => output[0] * output[1] * num(p, 'kernelSize') ** 2 * inputs[0][2] * num(p, 'channels'),
  geometry: (p) => ({ kernel: num(p, 'kernelSize'), stride: 1, padding: 'same', dilation: 1 }),
  layer: ({ tf, name, params: p, init }) =>
    tf.layers.conv2d({ name, filters: num(p, 'channels'), kernelSize: num(p, 'kernelSize'), padding: 'same', activation: 'sigmoid', kernelInitializer: init('glorotUniform') }),
  tfjs: refuse,
  onnx: refuse,
  torch: refuse,
};
