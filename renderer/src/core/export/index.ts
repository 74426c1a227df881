// Exports of a trained network. Pure: each takes the graph, the trained weights (WeightsBlob, as
// readModelWeights packs them) and the run record, and returns the files to write ({ name, data });
// the caller writes them (the Host's exportFiles in the app, the file system in the CLI).
import { exportCard } from './card';
import { ExportError, type ExportFile, type ExportInput } from './common';
import { exportOnnx } from './onnx';
import { exportPytorch } from './pytorch';
import { exportTfjs } from './tfjs';

export { ExportError, type ExportFile, type ExportInput } from './common';
export { exportCard, modelCard } from './card';
export { exportOnnx, onnxModelBytes, ONNX_INPUT, ONNX_OUTPUT, ONNX_OPSET } from './onnx';
export { exportPytorch, torchModel, trainScript } from './pytorch';
export { exportTfjs, tfjsTopology, tfjsRegistrationModule, TFJS_REGISTRATION_FILE } from './tfjs';
export { readSafetensors, writeSafetensors } from './safetensors';

export const EXPORT_FORMATS = ['tfjs', 'onnx', 'pytorch', 'card'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const EXPORT_FORMAT_INFO: Record<ExportFormat, { label: string; description: string }> = {
  tfjs: { label: 'TensorFlow.js', description: 'model.json + weights.bin, and netwright-layers.js registering the custom layers.' },
  onnx: { label: 'ONNX', description: 'model.onnx (opset 13), standard operators only; runs in onnxruntime.' },
  pytorch: { label: 'PyTorch', description: 'model.py + model.safetensors, and train.py to train it further, on one machine or with torchrun.' },
  card: { label: 'Model card', description: 'MODEL_CARD.md: architecture, size, dataset, settings, metrics and curves.' },
};

export function isExportFormat(v: unknown): v is ExportFormat {
  return typeof v === 'string' && (EXPORT_FORMATS as readonly string[]).includes(v);
}

/** The files of one export format. Throws ExportError for a network or weights it cannot export. */
export function exportModel(format: ExportFormat, input: ExportInput): ExportFile[] {
  switch (format) {
    case 'tfjs':
      return exportTfjs(input);
    case 'onnx':
      return exportOnnx(input);
    case 'pytorch':
      return exportPytorch(input);
    case 'card':
      return exportCard(input);
    default:
      throw new ExportError(`unknown export format "${String(format)}"`);
  }
}
