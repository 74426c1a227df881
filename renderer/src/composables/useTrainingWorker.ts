// Owns the training Worker: created lazily on the first run (tfjs is large, the first screen
// should not wait for it), replies routed into the training store.
import { onBeforeUnmount, watch } from 'vue';
import type { FromWorker } from '../core/train/protocol';
import { useTrainingStore } from '../stores/training';

/** How long a stop request may go unanswered (e.g. mid shader compile) before the worker is killed. */
const STOP_GRACE_MS = 15_000;

export function useTrainingWorker(): void {
  const training = useTrainingStore();
  let worker: Worker | null = null;
  let stopTimer: ReturnType<typeof setTimeout> | undefined;

  function kill(): void {
    worker?.terminate();
    worker = null;
  }

  function ensure(): Worker {
    if (worker) return worker;
    const w = new Worker(new URL('../worker/training.worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<FromWorker>) => training.handle(e.data);
    w.onerror = (e) => {
      e.preventDefault();
      kill();
      training.fail(`The training worker stopped unexpectedly${e.message ? `: ${e.message}` : '.'}`);
    };
    w.onmessageerror = () => {
      // The run's state is incomplete from here on: end it and start clean, as onerror does.
      kill();
      training.fail('A message from the training worker could not be read.');
    };
    worker = w;
    return w;
  }

  training.setTransport({
    post: (msg) => ensure().postMessage(msg),
    wasmBaseUrl: new URL('wasm/', document.baseURI).href,
  });

  watch(
    () => training.status,
    (status) => {
      clearTimeout(stopTimer);
      if (status !== 'stopping') return;
      stopTimer = setTimeout(() => {
        if (training.status !== 'stopping') return;
        kill(); // a fresh worker is created for the next run
        training.abandon('Stopped (the worker did not answer, so it was restarted).');
      }, STOP_GRACE_MS);
    },
  );

  onBeforeUnmount(() => {
    clearTimeout(stopTimer);
    training.setTransport(null);
    kill();
  });
}
