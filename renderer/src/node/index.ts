export { loadWasmBackend, nodeLoaders, useNodeBackend, wasmDistDir, wasmThreads } from './backends';
