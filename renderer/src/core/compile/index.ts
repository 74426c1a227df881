export { compile, CompileError, registerCustomLayers, type CompiledModel } from './compiler';
export * from './layers/index';
