// Messages between the bench page and its throughput worker.
import type { BackendAttempt, BackendName } from '../core/train/protocol';

export interface ThroughputRequest {
  backend: BackendName;
  /** Examples timed per measurement (after a short warm-up that compiles shaders). */
  examples: number;
  batchSize: number;
  mnistUrl: string;
  wasmUrl: string;
}

export interface ThroughputResult {
  backend: BackendName;
  ok: boolean;
  attempts: BackendAttempt[];
  error?: string;
  /** Examples per second of core/train's trainer and of a bare minimize() loop. */
  trainer?: number;
  bare?: number;
  warmupSeconds?: number;
  /** One epoch-end checkpoint of the trained state, in milliseconds. */
  checkpointMs?: number;
  /** wasm: XNNPACK threads in use; and whether the worker was cross-origin isolated. */
  threads?: number;
  isolated?: boolean;
}
