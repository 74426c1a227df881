// The bench page: a handle for bench/run.ts (through Playwright) to start throughput workers and
// the app's real training worker. Nothing here runs on its own.
import type { BackendName, FromWorker, ToWorker } from '../core/train/protocol';
import type { ThroughputResult } from './messages';

const base = new URL('./', location.href).href;
const urls = { mnistUrl: `${base}data/mnist/`, wasmUrl: `${base}wasm/` };

function log(line: string): void {
  document.getElementById('log')!.textContent += `\n${line}`;
}

/** Throughput of the ConvNetJS template on one backend, in a fresh worker. */
function throughput(backend: BackendName, examples: number, batchSize: number): Promise<ThroughputResult> {
  const w = new Worker(new URL('./throughput.worker.ts', import.meta.url), { type: 'module' });
  return new Promise<ThroughputResult>((resolve) => {
    w.onmessage = (e: MessageEvent<ThroughputResult>) => resolve(e.data);
    w.onerror = (e) => resolve({ backend, ok: false, attempts: [], error: `worker error: ${e.message}` });
    w.postMessage({ backend, examples, batchSize, ...urls });
  }).finally(() => w.terminate());
}

/**
 * Runs one 'train' message through the app's real training worker and collects every message
 * (filter kernels summarised) until 'done' or 'error'. `onMessage` sees them live.
 */
function trainInWorker(msg: Omit<Extract<ToWorker, { type: 'train' }>, 'dataset' | 'wasmBaseUrl'>, onMessage?: (m: FromWorker) => void): Promise<FromWorker[]> {
  const w = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });
  const got: FromWorker[] = [];
  return new Promise<FromWorker[]>((resolve) => {
    w.onmessage = (e: MessageEvent<FromWorker>) => {
      const m = e.data.type === 'filters' ? { ...e.data, data: new Float32Array(0) } : e.data;
      got.push(m);
      onMessage?.(m);
      if (m.type === 'done' || m.type === 'error') resolve(got);
    };
    w.onerror = (e) => {
      got.push({ type: 'error', runId: msg.runId, message: `worker error: ${e.message}` });
      resolve(got);
    };
    w.postMessage({ ...msg, dataset: { kind: 'mnist', baseUrl: urls.mnistUrl }, wasmBaseUrl: urls.wasmUrl } satisfies ToWorker);
  }).finally(() => w.terminate());
}

const api = { throughput, trainInWorker, log };
(window as unknown as { netwrightBench: typeof api }).netwrightBench = api;
log('ready');
