// The dataset sources' public surface: import anything (`importDataset`), check it against a network
// (`checkDataFit`), and the parsers on their own.
export * from './types';
export { importDataset, detectFormat, type ImportInput } from './import';
export { assemble, stratifiedSplit, subset, channelStats, type RawDataset, type RawSplit } from './assemble';
export { csvToRaw, parseRows, hasHeader, labelColumn, featureShape } from './csv';
export { folderToRaw, layout, resizeRgb } from './folder';
export { parseNpy, parseNpz, readZip, encodeNpy, encodeZip, isNpy, NpyError, type NpyArray } from './npy';
export { sniff, imageSize, isImageKind, type FileKind, type ImageKind } from './sniff';
export { checkDataFit, applyFitFixes, type DataShape, type FitIssue } from './fit';
