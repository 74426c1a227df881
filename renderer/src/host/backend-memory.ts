// Auto's measured backend choice, remembered per machine (this browser profile) and model size, so
// the next run of a similar model does not time every backend again. localStorage when present.
import type { BackendName } from '../core/train/config';

const KEY = 'netwright:auto-backend';

/** Models within a factor of two of each other in parameters share a choice. */
export const sizeBucket = (params: number): string => `p${Math.round(Math.log2(Math.max(1, params)))}`;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // some privacy modes throw on access
  }
}

function read(): Record<string, BackendName> {
  try {
    return JSON.parse(storage()?.getItem(KEY) ?? '{}') as Record<string, BackendName>;
  } catch {
    return {};
  }
}

export function rememberedBackend(params: number): BackendName | undefined {
  return read()[sizeBucket(params)];
}

export function rememberBackend(params: number, backend: BackendName): void {
  const all = read();
  all[sizeBucket(params)] = backend;
  try {
    storage()?.setItem(KEY, JSON.stringify(all));
  } catch {
    // Full or unavailable: Auto simply measures again next time.
  }
}
