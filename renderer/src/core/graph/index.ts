export * from './types';
export * from './catalog';
export * from './analyze';
export * from './edit';
export * from './templates';
export * from './project';
