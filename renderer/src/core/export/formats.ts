// The export formats and their descriptions: a small module the UI may import eagerly (the
// exporters themselves, with the ONNX protobuf code, load only when an export runs).
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
