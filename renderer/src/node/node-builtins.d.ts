// The one Node built-in renderer/src/node uses, typed for the web tsconfig (which covers all of
// renderer/src but has no @types/node). Node-side programs (tests, bench, CLI) get @types/node.
declare module 'node:module' {
  export function createRequire(path: string | URL): { resolve(id: string): string };
}
