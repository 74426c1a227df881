// Softmax classifier: a Dense layer with softmax, trained with cross-entropy. Every export
// outputs the class probabilities, as the app's predictions are.
import { int, needsVector, noGeometry, num, type BlockSpec } from './spec';
import { onnxDense, torchDense } from './dense';
import { ImportError } from './tfjs-import';

export const classifier: BlockSpec = {
  type: 'Classifier', label: 'Softmax classifier', category: 'Output', inputs: 1,
  description: 'Dense layer with softmax over the classes, trained with cross-entropy.',
  params: [int('classes', 'Classes', 10, 2, 100000, 'Number of classes (10 for MNIST digits).')],
  shape: (p, inputs) => needsVector('Classifier', inputs) ?? { shape: [num(p, 'classes')] },
  paramCount: (p, inputs) => inputs[0][0] * num(p, 'classes') + num(p, 'classes'),
  multiplyAdds: (p, inputs) => inputs[0][0] * num(p, 'classes'),
  geometry: noGeometry,
  layer: ({ tf, name, params: p, init }) =>
    tf.layers.dense({ name, units: num(p, 'classes'), activation: 'softmax', kernelInitializer: init('glorotUniform') }),
  tfjs: (p) => ({ className: 'Dense', config: { units: num(p, 'classes'), activation: 'softmax', use_bias: true } }),
  tfjsImport: {
    classNames: ['Dense'],
    // The softmax Dense (any other Dense is a Dense block).
    read: ({ name, config: c, isOutput }) => {
      if (c.activation !== 'softmax') return null;
      if (!isOutput) throw new ImportError(`Layer "${name}" is a softmax Dense that is not the output; Netwright has softmax only in its final classifier.`);
      if (c.use_bias === false) throw new ImportError(`Layer "${name}": the final classifier needs a bias.`);
      return { params: { classes: Number(c.units) } };
    },
    weightKeys: () => ['kernel', 'bias'],
  },
  onnx: (ctx) => onnxDense(ctx, 'softmax', true),
  torch: (ctx) => torchDense(ctx, num(ctx.params, 'classes'), 'softmax', true),
};
