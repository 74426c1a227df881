// Exports of a trained network. Pure: each takes the graph, the trained weights (WeightsBlob, as
// readModelWeights packs them) and the run record, and returns the files to write ({ name, data });
// the caller writes them (the Host's exportFiles in the app, the file system in the CLI).
import { exportCard } from './card';
import type { ExportFormat } from './formats';
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
export { exportPreprocessing, type ExportPreprocessing } from './preprocessing';
export { EXPORT_FORMATS, EXPORT_FORMAT_INFO, isExportFormat, type ExportFormat } from './formats';

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
