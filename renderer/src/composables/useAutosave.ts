// Debounced autosave: any graph edit or settings change writes the project through the Host
// shortly after the user pauses, so a crash or reload loses at most a second of work.
import { onBeforeUnmount, watch } from 'vue';
import { useGraphStore } from '../stores/graph';
import { useProjectStore } from '../stores/project';
import { useTrainingStore } from '../stores/training';
import { useUiStore } from '../stores/ui';

/** After a failed write, try again this much later (and at the next edit or on leaving). */
const RETRY_MS = 10_000;

export function useAutosave(delayMs = 800): void {
  const graph = useGraphStore();
  const training = useTrainingStore();
  const project = useProjectStore();
  const ui = useUiStore();
  let timer: ReturnType<typeof setTimeout> | undefined;
  /** One toast per run of failures, not one per retry. */
  let failing = false;
  let mounted = true;

  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    project.autosave().then(
      () => {
        failing = false;
      },
      (e: unknown) => {
        console.warn('Autosave failed', e);
        if (!failing) ui.notify(`Autosave failed: ${e instanceof Error ? e.message : String(e)} — save the project to keep your work.`, 'error', 8000);
        failing = true;
        if (mounted && timer === undefined) timer = setTimeout(flush, RETRY_MS);
      },
    );
  };

  watch([() => graph.revision, () => training.config], () => {
    clearTimeout(timer);
    timer = setTimeout(flush, delayMs);
  });

  const onHide = () => {
    if (timer !== undefined) flush();
  };
  window.addEventListener('pagehide', onHide);
  onBeforeUnmount(() => {
    window.removeEventListener('pagehide', onHide);
    onHide();
    mounted = false;
  });
}
