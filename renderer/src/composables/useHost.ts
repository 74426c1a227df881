// The Host is set once at startup (main.ts) or per test (memory host). A module-level slot
// rather than provide/inject so stores, which live outside components, can reach it too.
import type { Host } from '../host/host';

let current: Host | null = null;

export function setHost(host: Host): void {
  current = host;
}

export function useHost(): Host {
  if (!current) throw new Error('No Host set: call setHost() before using the stores.');
  return current;
}
