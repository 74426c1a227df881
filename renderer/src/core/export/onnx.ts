// ONNX export (opset 13), written with the onnx-proto package (protobufjs, ONNX's own schema).
// The model takes NHWC float32 images as the app feeds them ([batch, H, W, C], prepared by the run's
// recorded preprocessing, which the README states: preprocessing.ts) and
// transposes them once to NCHW; every block then lowers itself to standard operators (its `onnx`
// in core/blocks/): TF 'same' padding as explicit pads, LCN and L2 pooling as convolutions, means
// and square roots. Output: the class probabilities. Dropout is an Identity.
import * as onnxNs from 'onnx-proto';
import type { OnnxAttr, OnnxLowering } from '../blocks/index';
import { ExportError, float32Bytes, loweringBase, plan, type ExportFile, type ExportInput } from './common';
import { exportPreprocessing, type ExportPreprocessing } from './preprocessing';

type Onnx = typeof onnxNs.onnx;
// A CommonJS package: Node's ESM sees only its default export, bundlers give the namespace.
const onnx: Onnx = (onnxNs as unknown as { onnx?: Onnx }).onnx ?? (onnxNs as unknown as { default: { onnx: Onnx } }).default.onnx;

export const ONNX_OPSET = 13;
/** IR version 7 is the one that goes with opset 13 (ONNX 1.8). */
const IR_VERSION = 7;
const FLOAT = 1;
const INT64 = 7;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';

function attribute(name: string, a: OnnxAttr): onnxNs.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if ('i' in a) return { name, type: T.INT, i: a.i };
  if ('f' in a) return { name, type: T.FLOAT, f: a.f };
  if ('ints' in a) return { name, type: T.INTS, ints: a.ints };
  if ('floats' in a) return { name, type: T.FLOATS, floats: a.floats };
  return { name, type: T.STRING, s: new TextEncoder().encode(a.s) };
}

function valueInfo(name: string, dims: (number | string)[]): onnxNs.onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType: FLOAT, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } },
  };
}

/** The ONNX ModelProto's bytes for a trained network. */
export function onnxModelBytes(input: ExportInput): Uint8Array {
  const p = plan(input.graph, input.weights);
  const nodes: onnxNs.onnx.INodeProto[] = [];
  const initializers: onnxNs.onnx.ITensorProto[] = [];
  const used = new Set<string>([ONNX_INPUT, ONNX_OUTPUT, ...p.steps.map((s) => s.block.id)]);
  const unique = (hint: string): string => {
    let name = hint;
    for (let i = 1; used.has(name); i++) name = `${hint}_${i}`;
    used.add(name);
    return name;
  };
  for (const step of p.steps) {
    const id = step.block.id;
    const ctx: OnnxLowering = {
      ...loweringBase(p, step),
      inputs: step.block.type === 'Input' ? [ONNX_INPUT] : step.sources,
      output: step === p.output ? ONNX_OUTPUT : id,
      node: (op, ins, outs, attrs = {}) => {
        nodes.push({ opType: op, name: unique(`${id}_${op}`), input: ins, output: outs, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
      },
      constant: (hint, dims, values) => {
        const name = unique(hint);
        const data = values instanceof Float32Array ? values : Float32Array.from(values);
        if (data.length !== dims.reduce((a, d) => a * d, 1)) throw new ExportError(`constant ${name}: ${data.length} values for shape [${dims.join(', ')}]`);
        initializers.push({ name, dims, dataType: FLOAT, rawData: float32Bytes(data) });
        return name;
      },
      constantInt64: (hint, dims, values) => {
        const name = unique(hint);
        const raw = new Uint8Array(values.length * 8);
        const view = new DataView(raw.buffer);
        values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
        initializers.push({ name, dims, dataType: INT64, rawData: raw });
        return name;
      },
      tmp: (hint) => unique(hint),
    };
    step.spec.onnx(ctx);
  }
  // The classifier's result is the graph output; other blocks' results are named by block id.
  const inputDims: (number | string)[] = ['batch', ...p.inputShape];
  const model: onnxNs.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'Netwright',
    producerVersion: '0.1.0',
    docString: input.run ? `Netwright run "${input.run.name}"` : 'Netwright model',
    graph: {
      name: 'netwright',
      node: nodes,
      initializer: initializers,
      input: [valueInfo(ONNX_INPUT, inputDims)],
      output: [valueInfo(ONNX_OUTPUT, ['batch', p.classes])],
    },
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}

function readme(inputShape: number[], classes: number, pre: ExportPreprocessing): string {
  const reps = inputShape.length === 1 && pre.channels > 1 ? inputShape[0] / pre.channels : 0;
  const arr = (v: number[]) => (reps ? `np.tile(np.array([${v.map(String).join(', ')}], dtype=np.float32), ${reps})` : `np.array([${v.map(String).join(', ')}], dtype=np.float32)`);
  const prep = pre.identity ? 'x = pixels.astype(np.float32) / 255' : `x = (pixels.astype(np.float32) * np.float32(${String(pre.scale)}) - ${arr(pre.mean)}) / ${arr(pre.std)}`;
  return `# Netwright model — ONNX (opset ${ONNX_OPSET})

\`model.onnx\` takes \`${ONNX_INPUT}\`: float32 [batch, ${inputShape.join(', ')}] — channels last, as Netwright
feeds it, prepared as below — and returns \`${ONNX_OUTPUT}\`: [batch, ${classes}]
class probabilities. Only standard operators (local contrast normalisation and L2 pooling are
written as convolutions, pooling, means and square roots).

## Input preprocessing

${pre.description}

\`\`\`python
import numpy as np, onnxruntime as ort
session = ort.InferenceSession('model.onnx')
pixels = np.zeros((1, ${inputShape.join(', ')}), dtype=np.uint8)  # your images: raw pixel values 0..255, channels last
${prep}
probabilities = session.run(['${ONNX_OUTPUT}'], {'${ONNX_INPUT}': x})[0]
\`\`\`

\`\`\`js
import * as ort from 'onnxruntime-node'; // or onnxruntime-web
const session = await ort.InferenceSession.create('model.onnx');
const x = new ort.Tensor('float32', new Float32Array(${inputShape.reduce((a, b) => a * b, 1)}), [1, ${inputShape.join(', ')}]); // prepared as above
const { ${ONNX_OUTPUT} } = await session.run({ ${ONNX_INPUT}: x });
\`\`\`
`;
}

export function exportOnnx(input: ExportInput): ExportFile[] {
  const p = plan(input.graph, input.weights);
  return [
    { name: 'model.onnx', data: onnxModelBytes(input) },
    { name: 'README.md', data: readme(p.inputShape, p.classes, exportPreprocessing(input.run, p.inputShape.length === 3 ? p.inputShape[2] : 1)) },
  ];
}
