// Input: the network input, an image (H×W×C) or a vector. The compiler makes its tf.input; the
// exports take NHWC images (as the app feeds them) and, in ONNX, transpose them once to NCHW.
import { choice, int, noCost, noGeometry, noParams, num, str, type BlockSpec, type TfjsImported } from './spec';
import { ImportError } from './tfjs-import';

export const input: BlockSpec = {
  type: 'Input', label: 'Input', category: 'Input', inputs: 0,
  description: 'The network input: an image (height × width × channels) or a vector.',
  params: [
    choice('kind', 'Kind', ['image', 'vector'], 'image', 'Image data (H×W×C) or a flat feature vector.'),
    int('height', 'Height', 28, 1, 4096, 'Image height in pixels. Smaller than the data: random crops while training, centre crops when testing.'),
    int('width', 'Width', 28, 1, 4096, 'Image width in pixels.'),
    int('channels', 'Channels', 1, 1, 64, '1 for greyscale, 3 for RGB.'),
    int('length', 'Length', 784, 1, 1_000_000, 'Vector length (kind = vector).'),
  ],
  shape: (p) => ({ shape: str(p, 'kind') === 'vector' ? [num(p, 'length')] : [num(p, 'height'), num(p, 'width'), num(p, 'channels')] }),
  paramCount: noParams,
  multiplyAdds: noCost,
  geometry: noGeometry,
  tfjs: (_p, _inputs, output) => ({
    className: 'InputLayer',
    config: { batch_input_shape: [null, ...output], dtype: 'float32', sparse: false },
  }),
  tfjsImport: {
    classNames: ['InputLayer'],
    read: ({ name, config: c }): TfjsImported => {
      const shape = (c.batch_input_shape ?? c.batch_shape) as unknown;
      if (!Array.isArray(shape) || !shape.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
        throw new ImportError(`Input "${name}" has no fixed shape (${JSON.stringify(shape)}).`);
      }
      const dims = shape.slice(1) as number[];
      if (dims.length === 3) return { params: { kind: 'image', height: dims[0], width: dims[1], channels: dims[2] } };
      if (dims.length === 1) return { params: { kind: 'vector', length: dims[0] } };
      throw new ImportError(`Input "${name}" is ${dims.length}-D; Netwright takes images (H×W×C) or vectors.`);
    },
  },
  onnx: (ctx) => {
    if (ctx.outputShape.length === 3) ctx.node('Transpose', ctx.inputs, [ctx.output], { perm: { ints: [0, 3, 1, 2] } });
    else ctx.node('Identity', ctx.inputs, [ctx.output]);
  },
  // model.py takes NCHW images already.
  torch: () => ({ forward: (args) => args[0] }),
};
